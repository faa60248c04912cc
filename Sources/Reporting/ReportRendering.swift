import Foundation
import RTPCore

/// The output formats of `rtpscope analyze`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table
    case json
    case csv

    /// `width`: the characters per line a table must fit (the terminal's); nil for every column
    /// however wide. JSON and CSV always carry every field.
    public func render(_ report: AnalysisReport, width: Int? = nil) -> String {
        switch self {
        case .table: return TableReport.render(report, width: width)
        case .json: return JSONReport.render(report)
        case .csv: return CSVReport.render(report)
        }
    }
}

/// `--format json`: the AnalysisReport itself, keys sorted so output is stable and diffable, in
/// `JSONEncoder`'s layout (`JSONText` writes it without the encoder).
public enum JSONReport {
    public static func render(_ report: AnalysisReport) -> String {
        do {
            return String(decoding: try JSONReportPieces(report, pieceBytes: .max).whole(), as: UTF8.self)
        } catch {
            // Encoding plain structs of numbers and strings cannot fail; keep a visible trace if it ever does.
            return "{\"error\": \"report could not be encoded\"}\n"
        }
    }

    /// The same text as `render`, handed to `output` in pieces of about 1 MiB as it is written: at
    /// 100,000 streams the whole text is ~400 MB, which need never be held at once.
    public static func write(_ report: AnalysisReport, to output: (UnsafeRawBufferPointer) -> Void) {
        let pieces = JSONReportPieces(report)
        do {
            while try pieces.nextLent(output) {}
        } catch {
            let text = Array("\n{\"error\": \"report could not be encoded\"}\n".utf8)
            text.withUnsafeBytes(output)
        }
    }
}

/// Number formatting shared by every text rendering: fixed decimals, empty for unknown.
enum NumberText {
    static func milliseconds(_ value: Double?, decimals: Int = 3) -> String {
        guard let value else { return "" }
        return fixed(value, decimals: decimals)
    }

    /// printf's `%.Nf` (`FixedDecimalText`, which falls back to `String(format:)` where it cannot
    /// be exact).
    static func fixed(_ value: Double, decimals: Int) -> String {
        FixedDecimalText.format(value, decimals: decimals) ?? String(format: "%.\(decimals)f", value)
    }

    static func seconds(_ value: Double) -> String {
        fixed(value, decimals: 6)
    }

    /// A time relative to a capture's start: a difference of two epoch times in Double is off by up to
    /// ~1e-7 s, which must not print as "-0.000000".
    static func relativeSeconds(_ value: Double) -> String {
        seconds(abs(value) < 5e-7 ? 0 : value)
    }

    /// The one SSRC form of every view (`SSRCText`).
    static func ssrc(_ value: UInt32) -> String { SSRCText.hex(value) }
}

/// How a stream's media is named in the views, per mode.
///
/// `--compat wireshark` prints tshark's own Payload cell (`g711A`, `RTPType-96`, `G726-32` from SDP,
/// `g711A, telephone-event`), so that a row can be compared with `tshark -z rtp,streams` side by side
/// and the conformance suite can check it. Strict mode prints the encoding names SDP, codecs and the
/// rest of the field use (`PCMU`, `H264`, `opus`, `G726-32`): tshark's short names are its own
/// (`g711U`), and for dynamic types they name a dissector preference rather than the media (every
/// PT 99 is "rtp.rfc2198"). A dynamic type nothing named shows as `PT96`: its number is what
/// `--clock-rate PT=HZ` and `--sdp` need.
enum PayloadText {
    static func cell(_ stream: StreamReport) -> String {
        let types = stream.payloadTypes.isEmpty ? [stream.payloadType] : stream.payloadTypes
        if stream.mode == AnalyzerConfiguration.Mode.wireshark.rawValue {
            return PayloadTypeNames.tsharkCell(payloadTypes: types, encodingNames: stream.encodingNames.byPayloadType)
        }
        return types.map { stream.encodingNames[$0] ?? "PT\($0)" }.joined(separator: ", ")
    }
}

/// Lost packets as people read them: a count with its share of the expected, or — when more arrived
/// than were expected (RFC 3550 A.3 goes negative) — the surplus as duplicates, not as "-2 (-25.0%)".
enum LossText {
    static func cell(_ stream: StreamReport) -> String {
        if stream.lost < 0 { return "\(-stream.lost) dup" }
        let percent = stream.expected > 0 ? Double(stream.lost) * 100 / Double(stream.expected) : 0
        return "\(stream.lost) (\(NumberText.fixed(percent, decimals: 1))%)"
    }
}

/// `--format csv`: every stream field, one header line, RFC 4180 quoting where needed.
public enum CSVReport {
    typealias Column = (header: String, value: @Sendable (StreamReport) -> String)

    static let columns: [Column] = streamColumns + qualityColumns

    static let streamColumns: [Column] = [
        ("file", { $0.file ?? "" }),
        ("ssrc", { NumberText.ssrc($0.ssrc) }),
        ("src", { $0.src }),
        ("dst", { $0.dst }),
        ("transport", { $0.transport }),
        ("payload_type", { String($0.payloadType) }),
        ("encoding_name", { $0.encodingName ?? "" }),
        ("clock_rate", { $0.clockRate.map(String.init) ?? "" }),
        ("clock_rate_source", { $0.clockRateSource.rawValue }),
        ("packets", { String($0.packets) }),
        ("bytes", { String($0.bytes) }),
        ("expected", { String($0.expected) }),
        ("lost", { String($0.lost) }),
        ("duplicates", { String($0.duplicates) }),
        ("reordered", { String($0.reordered) }),
        ("seq_resets", { String($0.seqResets) }),
        ("timestamp_jumps", { String($0.timestampJumps) }),
        ("payload_type_changes", { String($0.payloadTypeChanges) }),
        ("markers", { String($0.markers) }),
        ("jitter_ms", { NumberText.milliseconds($0.jitterMs, decimals: 6) }),
        ("min_jitter_ms", { NumberText.milliseconds($0.minJitterMs, decimals: 6) }),
        ("max_jitter_ms", { NumberText.milliseconds($0.maxJitterMs, decimals: 6) }),
        ("mean_jitter_ms", { NumberText.milliseconds($0.meanJitterMs, decimals: 6) }),
        ("min_delta_ms", { NumberText.milliseconds($0.minDeltaMs, decimals: 6) }),
        ("mean_delta_ms", { NumberText.milliseconds($0.meanDeltaMs, decimals: 6) }),
        ("max_delta_ms", { NumberText.milliseconds($0.maxDeltaMs, decimals: 6) }),
        ("frames", { String($0.frames) }),
        ("mean_packets_per_frame", { NumberText.milliseconds($0.meanPacketsPerFrame, decimals: 3) }),
        ("frame_jitter_ms", { NumberText.milliseconds($0.frameJitterMs, decimals: 6) }),
        ("start_time", { NumberText.seconds($0.startTime) }),
        ("end_time", { NumberText.seconds($0.endTime) }),
        ("mode", { $0.mode }),
    ]

    /// Quality (`StreamQuality`): E-model ratings, burst/gap loss, the primary jitter buffer.
    static let qualityColumns: [Column] = [
        ("r_factor", { NumberText.milliseconds($0.quality?.rFactor, decimals: 2) }),
        ("mos", { NumberText.milliseconds($0.quality?.mos, decimals: 2) }),
        ("mos_min", { NumberText.milliseconds($0.quality?.mosMin, decimals: 2) }),
        ("mos_f1", { NumberText.milliseconds($0.quality?.jitterBuffer(named: "F1")?.mos, decimals: 2) }),
        ("mos_f2", { NumberText.milliseconds($0.quality?.jitterBuffer(named: "F2")?.mos, decimals: 2) }),
        ("mos_adaptive", { NumberText.milliseconds($0.quality?.jitterBuffer(named: "adaptive")?.mos, decimals: 2) }),
        ("burst_density", { NumberText.milliseconds($0.quality?.burstDensity, decimals: 6) }),
        ("gap_density", { NumberText.milliseconds($0.quality?.gapDensity, decimals: 6) }),
        ("burst_duration_ms", { NumberText.milliseconds($0.quality?.burstDurationMs, decimals: 3) }),
        ("gap_duration_ms", { NumberText.milliseconds($0.quality?.gapDurationMs, decimals: 3) }),
        ("max_loss_run", { $0.quality.map { String($0.maxLossRun) } ?? "" }),
        ("jb_discarded", { $0.quality?.primary.map { String($0.discarded) } ?? "" }),
        ("effective_loss", { NumberText.milliseconds($0.quality?.primary?.effectiveLoss, decimals: 6) }),
        ("xr_r_factor", { NumberText.milliseconds($0.quality?.rtcpXR?.voipMetrics?.rFactor, decimals: 0) }),
        ("xr_mos_cq", { NumberText.milliseconds($0.quality?.rtcpXR?.voipMetrics?.mosCQ, decimals: 1) }),
        ("frames_damaged", { $0.quality?.framesDamaged.map(String.init) ?? "" }),
        ("freezes", { $0.quality?.freezes.map(String.init) ?? "" }),
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
