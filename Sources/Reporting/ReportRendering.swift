import Foundation
import RTPCore

/// The output formats of `rtpscope analyze`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table
    case json
    case csv

    public func render(_ report: AnalysisReport) -> String {
        switch self {
        case .table: return TableReport.render(report)
        case .json: return JSONReport.render(report)
        case .csv: return CSVReport.render(report)
        }
    }
}

/// `--format json`: the AnalysisReport itself, keys sorted so output is stable and diffable.
public enum JSONReport {
    public static func render(_ report: AnalysisReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(report), let text = String(data: data, encoding: .utf8) else {
            // Encoding plain structs of numbers and strings cannot fail; keep a visible trace if it ever does.
            return "{\"error\": \"report could not be encoded\"}\n"
        }
        return text + "\n"
    }
}

/// One column shared by the CSV and table renderings, so both list the same fields the same way.
struct StreamColumn: Sendable {
    let header: String
    let value: @Sendable (StreamReport) -> String
}

/// Number formatting shared by every text rendering: fixed decimals, empty for unknown.
enum NumberText {
    static func milliseconds(_ value: Double?, decimals: Int = 3) -> String {
        guard let value else { return "" }
        return fixed(value, decimals: decimals)
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    /// Tables print SSRCs in upper case like tshark; metric labels use lower case like the live
    /// exporter's, so that backfilled and scraped series carry the same label value.
    static func ssrc(_ value: UInt32, lowercase: Bool = false) -> String {
        "0x" + String(format: lowercase ? "%08x" : "%08X", value)
    }
}

/// `--format csv`: every stream field, one header line, RFC 4180 quoting where needed.
public enum CSVReport {
    static let columns: [StreamColumn] = [
        StreamColumn(header: "ssrc") { String($0.ssrc) },
        StreamColumn(header: "src") { $0.src },
        StreamColumn(header: "dst") { $0.dst },
        StreamColumn(header: "transport") { $0.transport },
        StreamColumn(header: "payload_type") { String($0.payloadType) },
        StreamColumn(header: "clock_rate") { $0.clockRate.map(String.init) ?? "" },
        StreamColumn(header: "clock_rate_source") { $0.clockRateSource.rawValue },
        StreamColumn(header: "packets") { String($0.packets) },
        StreamColumn(header: "bytes") { String($0.bytes) },
        StreamColumn(header: "expected") { String($0.expected) },
        StreamColumn(header: "lost") { String($0.lost) },
        StreamColumn(header: "duplicates") { String($0.duplicates) },
        StreamColumn(header: "reordered") { String($0.reordered) },
        StreamColumn(header: "seq_resets") { String($0.seqResets) },
        StreamColumn(header: "timestamp_jumps") { String($0.timestampJumps) },
        StreamColumn(header: "payload_type_changes") { String($0.payloadTypeChanges) },
        StreamColumn(header: "markers") { String($0.markers) },
        StreamColumn(header: "jitter_ms") { NumberText.milliseconds($0.jitterMs, decimals: 6) },
        StreamColumn(header: "min_jitter_ms") { NumberText.milliseconds($0.minJitterMs, decimals: 6) },
        StreamColumn(header: "max_jitter_ms") { NumberText.milliseconds($0.maxJitterMs, decimals: 6) },
        StreamColumn(header: "mean_jitter_ms") { NumberText.milliseconds($0.meanJitterMs, decimals: 6) },
        StreamColumn(header: "min_delta_ms") { NumberText.milliseconds($0.minDeltaMs, decimals: 6) },
        StreamColumn(header: "mean_delta_ms") { NumberText.milliseconds($0.meanDeltaMs, decimals: 6) },
        StreamColumn(header: "max_delta_ms") { NumberText.milliseconds($0.maxDeltaMs, decimals: 6) },
        StreamColumn(header: "frames") { String($0.frames) },
        StreamColumn(header: "mean_packets_per_frame") { NumberText.milliseconds($0.meanPacketsPerFrame, decimals: 3) },
        StreamColumn(header: "frame_jitter_ms") { NumberText.milliseconds($0.frameJitterMs, decimals: 6) },
        StreamColumn(header: "start_time") { NumberText.seconds($0.startTime) },
        StreamColumn(header: "end_time") { NumberText.seconds($0.endTime) },
        StreamColumn(header: "mode") { $0.mode },
    ]

    public static func render(_ report: AnalysisReport) -> String {
        var lines = [columns.map(\.header).joined(separator: ",")]
        for stream in report.streams {
            lines.append(columns.map { quote($0.value(stream)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `--format table` (default): tshark's `-z rtp,streams` columns, then ours (clock, final jitter,
/// duplicates, reordering, restarts), one row per stream, plus RTCP and summary sections.
public enum TableReport {
    public static func render(_ report: AnalysisReport) -> String {
        var text = "RTP streams (\(report.streams.count), mode \(report.streams.first?.mode ?? "strict"))\n"
        text += alignedTable(headers: streamHeaders, rows: streamRows(report), leftAligned: streamTextColumns)
        let pacingRows = sendPacingRows(report)
        if !pacingRows.isEmpty {
            text += "\nSend pacing of outgoing streams (\(pacingRows.count))\n"
            text += alignedTable(headers: sendPacingHeaders, rows: pacingRows, leftAligned: [0, 1, 2, 6])
        }
        if !report.rtcp.isEmpty {
            text += "\nRTCP reporters (\(report.rtcp.count))\n"
            text += alignedTable(headers: rtcpHeaders, rows: rtcpRows(report), leftAligned: rtcpTextColumns)
        }
        text += "\n" + summaryLine(report.summary) + "\n"
        return text
    }

    // The cells below are shared with the HTML report, so both views list the same columns the same way.

    static let streamHeaders = ["Start", "End", "Source", "Destination", "SSRC", "Payload", "Pkts", "Lost",
                                "MinΔ(ms)", "MeanΔ(ms)", "MaxΔ(ms)", "MinJit(ms)", "MeanJit(ms)", "MaxJit(ms)",
                                "Jitter(ms)", "Clock(Hz)", "Dup", "Reord", "Resets", "Frames"]
    /// Columns of text (left-aligned); the others are numbers.
    static let streamTextColumns: Set<Int> = [2, 3, 5]

    /// One row per stream, in `report.streams` order; times relative to the capture's first packet.
    static func streamRows(_ report: AnalysisReport) -> [[String]] {
        let timeBase = report.summary.firstPacketTime ?? report.streams.map(\.startTime).min() ?? 0
        return report.streams.map { s in
            let lostPercent = s.expected > 0 ? Double(s.lost) * 100 / Double(s.expected) : 0
            return [
                String(format: "%.6f", s.startTime - timeBase),
                String(format: "%.6f", s.endTime - timeBase),
                s.src, s.dst, NumberText.ssrc(s.ssrc), PayloadTypeNames.name(for: s.payloadType),
                String(s.packets), "\(s.lost) (\(String(format: "%.1f", lostPercent))%)",
                NumberText.milliseconds(s.minDeltaMs), NumberText.milliseconds(s.meanDeltaMs),
                NumberText.milliseconds(s.maxDeltaMs),
                NumberText.milliseconds(s.minJitterMs), NumberText.milliseconds(s.meanJitterMs), NumberText.milliseconds(s.maxJitterMs),
                NumberText.milliseconds(s.jitterMs),
                s.clockRate.map { "\($0) \($0 == 0 ? "" : s.clockRateSource.rawValue)" } ?? "unknown",
                String(s.duplicates), String(s.reordered), String(s.seqResets),
                s.frames > 0 ? String(s.frames) : "",
            ]
        }
    }

    static let sendPacingHeaders = ["Process", "SSRC", "Destination", "Stalls(codec)", "Stalls(other)", "Pending",
                                    "Codec↔send correlation"]

    /// Live outgoing streams: send stalls by cause and the correlation per probed codec function.
    static func sendPacingRows(_ report: AnalysisReport) -> [[String]] {
        report.streams.compactMap { s in
            guard let stalls = s.sendStalls else { return nil }
            let correlation = (s.codecCorrelation ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key)=\(String(format: "%.2f", $0.value))" }.joined(separator: " ")
            return ["\(s.pid.map(String.init) ?? "?")/\(s.comm ?? "?")", NumberText.ssrc(s.ssrc), s.dst,
                    String(stalls.codec), String(stalls.other), String(stalls.pending), correlation]
        }
    }

    static let rtcpHeaders = ["Reporter", "Source", "Destination", "SR/RR", "CNAME", "About SSRC", "Lost(%)",
                              "CumLost", "Jitter(ms)", "RTT(ms)"]
    static let rtcpTextColumns: Set<Int> = [1, 2, 4]

    /// One row per report block (one for a reporter without blocks).
    static func rtcpRows(_ report: AnalysisReport) -> [[String]] {
        var rows: [[String]] = []
        for reporter in report.rtcp {
            let blocks = reporter.reportBlocks.isEmpty ? [nil] : reporter.reportBlocks.map { Optional($0) }
            for block in blocks {
                rows.append([
                    NumberText.ssrc(reporter.reporterSSRC), reporter.src, reporter.dst,
                    "\(reporter.senderReports)/\(reporter.receiverReports)",
                    reporter.cname ?? "",
                    block.map { NumberText.ssrc($0.sourceSSRC) } ?? "",
                    block.map { String(format: "%.1f", $0.fractionLost * 100) } ?? "",
                    block.map { String($0.cumulativeLost) } ?? "",
                    block.map { NumberText.milliseconds($0.jitterMs) } ?? "",
                    block.map { NumberText.milliseconds($0.roundTripMs) } ?? "",
                ])
            }
        }
        return rows
    }

    static func summaryLine(_ s: AnalysisSummary) -> String {
        var parts = ["packets read \(s.packetsRead)", "RTP \(s.rtpPackets)", "RTCP \(s.rtcpPackets)"]
        if s.srtcpPackets > 0 { parts.append("SRTCP \(s.srtcpPackets)") }
        parts.append("non-RTP \(s.nonRTP)")
        for (kind, count) in s.demultiplexed.sorted(by: { $0.key < $1.key }) where count > 0 {
            parts.append("\(kind) \(count)")
        }
        let malformed = s.malformed.values.reduce(0, +)
        if malformed > 0 {
            let reasons = s.malformed.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            parts.append("malformed \(malformed) (\(reasons))")
        }
        if s.unconfirmedRTP > 0 { parts.append("unconfirmed RTP-like \(s.unconfirmedRTP)") }
        if s.fragmentsSkipped > 0 { parts.append("fragments skipped \(s.fragmentsSkipped)") }
        if let link = s.linkType { parts.append("link \(link)") }
        return "Summary: " + parts.joined(separator: ", ")
    }

    /// Right-aligns numbers, left-aligns the text columns given, two spaces between columns.
    static func alignedTable(headers: [String], rows: [[String]], leftAligned: Set<Int>) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return leftAligned.contains(i) ? cell + pad : pad + cell
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
