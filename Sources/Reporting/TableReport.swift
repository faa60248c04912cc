import Foundation
import RTPCore

/// A stream as a table row: the report, where its capture's time starts, and its 1-based number (the
/// HTML report's anchors).
struct StreamRow {
    let stream: StreamReport
    let timeBase: Double
    let number: Int
}

/// One RTCP report block (or a reporter that sent none) as a table row.
struct RTCPRow {
    let reporter: RTCPReporterReport
    let block: RTCPReportBlockReport?
}

/// `--format table` (default) and the live `--interval` table: tshark's `-z rtp,streams` columns, then
/// ours (clock, final jitter, duplicates, reordering, restarts), one row per stream; a legend; RTCP and
/// summary sections. Fitted to `width` when given: the least important columns are hidden (and named
/// under the table), then long addresses shortened in the middle.
public enum TableReport {
    public static func render(_ report: AnalysisReport, width: Int? = nil) -> String {
        let mode = report.streams.first?.mode ?? AnalyzerConfiguration.Mode.strict.rawValue
        var text = "RTP streams (\(report.streams.count), mode \(mode))\n"
        let streams = TextTable(columns: streamColumns(report), rows: streamRows(report)).render(width: width)
        text += streams.text
        if !report.streams.isEmpty { text += wrap(legend(mode: mode, live: isLive(report)), width: width) }
        text += hiddenNote(streams.hidden, width: width)

        let pacing = report.streams.filter { $0.sendStalls != nil }
        if !pacing.isEmpty {
            text += "\nSend pacing of outgoing streams (\(pacing.count))\n"
            let table = TextTable(columns: sendPacingColumns, rows: pacing).render(width: width)
            text += table.text + hiddenNote(table.hidden, width: width)
        }
        if !report.rtcp.isEmpty {
            text += "\nRTCP reporters (\(report.rtcp.count))\n"
            let table = TextTable(columns: rtcpColumns(report), rows: rtcpRows(report)).render(width: width)
            text += table.text + hiddenNote(table.hidden, width: width)
        }
        text += "\n" + wrap(summaryLine(report.summary), width: width)
        return text
    }

    // The columns and rows below are shared with the HTML report, so both views list the same cells.

    static func isLive(_ report: AnalysisReport) -> Bool {
        report.streams.contains { $0.pid != nil || $0.direction != nil }
    }

    /// More than one capture file: rows say which.
    static func isMultiFile(_ report: AnalysisReport) -> Bool {
        report.summary.files.count > 1 || Set(report.streams.compactMap(\.file)).count > 1
    }

    static func streamColumns(_ report: AnalysisReport) -> [TableColumn<StreamRow>] {
        let kept = TableColumn<StreamRow>.kept
        var columns: [TableColumn<StreamRow>] = []
        if isMultiFile(report) {
            columns.append(.init("File", .left, rank: kept, shortest: 16, ellipsis: .leading) { $0.stream.file ?? "" })
        }
        columns += [
            .init("Start", rank: 84) { NumberText.relativeSeconds($0.stream.startTime - $0.timeBase) },
            .init("End", rank: 83) { NumberText.relativeSeconds($0.stream.endTime - $0.timeBase) },
        ]
        if isLive(report) {
            // `monitor --interface` streams have an interface instead of a process: "if:eth0".
            let interfaces = report.streams.contains { $0.interface != nil }
            columns += [
                .init(interfaces ? "Process/if" : "Process", .left, rank: kept, shortest: 10) { row in
                    row.stream.interface.map { "if:\($0)" }
                        ?? "\(row.stream.pid.map(String.init) ?? "?")/\(row.stream.comm ?? "?")"
                },
                .init("Dir", .left, rank: kept) { $0.stream.direction?.rawValue ?? "" },
            ]
        }
        columns += [
            .init("Source", .left, rank: kept, shortest: 14) { $0.stream.src },
            .init("Destination", .left, rank: kept, shortest: 14) { $0.stream.dst },
            .init("SSRC", rank: kept) { NumberText.ssrc($0.stream.ssrc) },
            .init("Payload", .left, rank: 95, shortest: 8) { PayloadText.cell($0.stream) },
            .init("Pkts", rank: 94) { String($0.stream.packets) },
            .init("Lost", rank: 93) { LossText.cell($0.stream) },
            .init("MinΔ(ms)", rank: 30) { NumberText.milliseconds($0.stream.minDeltaMs) },
            .init("MeanΔ(ms)", rank: 50) { NumberText.milliseconds($0.stream.meanDeltaMs) },
            .init("MaxΔ(ms)", rank: 80) { NumberText.milliseconds($0.stream.maxDeltaMs) },
            .init("MinJit(ms)", rank: 20) { NumberText.milliseconds($0.stream.minJitterMs) },
            .init("MeanJit(ms)", rank: 35) { NumberText.milliseconds($0.stream.meanJitterMs) },
            .init("MaxJit(ms)", rank: 90) { NumberText.milliseconds($0.stream.maxJitterMs) },
            .init("Jitter(ms)", rank: 92) { NumberText.milliseconds($0.stream.jitterMs) },
            .init("Clock(Hz)", rank: 70) { row in
                row.stream.clockRate.map { "\($0) \(row.stream.clockRateSource.rawValue)" } ?? "unknown"
            },
            .init("Dup", rank: 65) { String($0.stream.duplicates) },
            .init("Reord", rank: 64) { String($0.stream.reordered) },
            .init("Resets", rank: 55) { String($0.stream.seqResets) },
            .init("Frames", rank: 40) { $0.stream.frames > 0 ? String($0.stream.frames) : "" },
            .init("MOS", rank: 88) { NumberText.milliseconds($0.stream.quality?.mos, decimals: 2) },
            .init("R", rank: 60) { NumberText.milliseconds($0.stream.quality?.rFactor, decimals: 1) },
        ]
        if report.streams.contains(where: { $0.quality?.rtcpXR?.voipMetrics != nil }) {
            // What the endpoint itself said (RTCP XR VoIP metrics), beside our figures.
            columns += [
                .init("XR MOS", rank: 58) { NumberText.milliseconds($0.stream.quality?.rtcpXR?.voipMetrics?.mosCQ, decimals: 1) },
                .init("XR R", rank: 57) { NumberText.milliseconds($0.stream.quality?.rtcpXR?.voipMetrics?.rFactor, decimals: 0) },
            ]
        }
        return columns
    }

    /// One row per stream, in `report.streams` order; times relative to the first packet of the
    /// stream's own capture file (several files need not overlap in time, or be in order).
    static func streamRows(_ report: AnalysisReport) -> [StreamRow] {
        report.streams.enumerated().map { index, stream in
            StreamRow(stream: stream, timeBase: timeBase(of: stream, in: report), number: index + 1)
        }
    }

    /// The first packet time of the stream's file; else of the whole analysis; else (live) of the
    /// earliest stream.
    static func timeBase(of stream: StreamReport, in report: AnalysisReport) -> Double {
        if let file = stream.file, let start = report.summary.files.first(where: { $0.name == file })?.firstPacketTime {
            return start
        }
        return report.summary.firstPacketTime ?? report.streams.map(\.startTime).min() ?? 0
    }

    /// What the columns mean, in one line under the table.
    static func legend(mode: String, live: Bool) -> String {
        let origin = live ? "the first packet seen" : "the first packet of the capture file"
        if mode == AnalyzerConfiguration.Mode.wireshark.rawValue {
            return "Start/End: s since \(origin). Δ and jitter (ms) as tshark -z rtp,streams computes them: "
                + "MinΔ…MaxJit leave out marker, comfort-noise and first packets; Jitter: the value at the stream's end."
        }
        return "Start/End: s since \(origin). Δ: time between packets (ms). Jitter: RFC 3550 interarrival "
            + "jitter at the stream's end; MinJit/MeanJit/MaxJit: its range over the stream (ms). Lost \"N dup\": N more packets than expected. "
            + "MOS/R: ITU-T G.107 E-model behind the adaptive jitter buffer (known voice codecs only)."
    }

    static func hiddenNote(_ hidden: [String], width: Int?) -> String {
        guard !hidden.isEmpty, let width else { return "" }
        return wrap("Hidden to fit \(width) columns: \(hidden.joined(separator: ", ")); --wide shows every column.", width: width)
    }

    static var sendPacingColumns: [TableColumn<StreamReport>] {
        let kept = TableColumn<StreamReport>.kept
        return [
            .init("Process", .left, rank: kept, shortest: 10) { "\($0.pid.map(String.init) ?? "?")/\($0.comm ?? "?")" },
            .init("SSRC", .left, rank: kept) { NumberText.ssrc($0.ssrc) },
            .init("Destination", .left, rank: kept, shortest: 14) { $0.dst },
            .init("Stalls(codec)", rank: 90) { String($0.sendStalls?.codec ?? 0) },
            .init("Stalls(other)", rank: 89) { String($0.sendStalls?.other ?? 0) },
            .init("Pending", rank: 50) { String($0.sendStalls?.pending ?? 0) },
            .init("Codec↔send correlation", .left, rank: 80, shortest: 12) { stream in
                (stream.codecCorrelation ?? [:]).sorted { $0.key < $1.key }
                    .map { "\($0.key)=\(NumberText.fixed($0.value, decimals: 2))" }.joined(separator: " ")
            },
        ]
    }

    static func rtcpColumns(_ report: AnalysisReport) -> [TableColumn<RTCPRow>] {
        let kept = TableColumn<RTCPRow>.kept
        var columns: [TableColumn<RTCPRow>] = []
        if isMultiFile(report) {
            columns.append(.init("File", .left, rank: kept, shortest: 16, ellipsis: .leading) { $0.reporter.file ?? "" })
        }
        return columns + [
            .init("Reporter", rank: kept) { NumberText.ssrc($0.reporter.reporterSSRC) },
            .init("Source", .left, rank: 80, shortest: 14) { $0.reporter.src },
            .init("Destination", .left, rank: 79, shortest: 14) { $0.reporter.dst },
            .init("SR/RR", rank: 60) { "\($0.reporter.senderReports)/\($0.reporter.receiverReports)" },
            .init("CNAME", .left, rank: 50, shortest: 8) { $0.reporter.cname ?? "" },
            .init("About SSRC", rank: kept) { $0.block.map { NumberText.ssrc($0.sourceSSRC) } ?? "" },
            .init("Lost(%)", rank: 95) { $0.block.map { NumberText.fixed($0.fractionLost * 100, decimals: 1) } ?? "" },
            .init("CumLost", rank: 94) { $0.block.map { String($0.cumulativeLost) } ?? "" },
            .init("Jitter(ms)", rank: 93) { $0.block.map { NumberText.milliseconds($0.jitterMs) } ?? "" },
            .init("RTT(ms)", rank: 92) { $0.block.map { NumberText.milliseconds($0.roundTripMs) } ?? "" },
        ]
    }

    /// One row per report block (one for a reporter without blocks).
    static func rtcpRows(_ report: AnalysisReport) -> [RTCPRow] {
        report.rtcp.flatMap { reporter in
            reporter.reportBlocks.isEmpty
                ? [RTCPRow(reporter: reporter, block: nil)]
                : reporter.reportBlocks.map { RTCPRow(reporter: reporter, block: $0) }
        }
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
        if s.files.count > 1 { parts.append("files \(s.files.count)") }
        return "Summary: " + parts.joined(separator: ", ")
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole),
    /// each ending in a newline; one line when there is no width.
    static func wrap(_ text: String, width: Int?) -> String {
        guard let width, text.count > width else { return text + "\n" }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n") + "\n"
    }
}
