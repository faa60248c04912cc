import Foundation
import PcapSource
import Testing
@testable import Reporting
import RTPCore

/// `--format json` is written by hand (`JSONText`) and must stay byte for byte what Foundation's
/// `JSONEncoder` writes with the settings the report always used: each case here renders a report
/// both ways. The reference encoder is configured here, not taken from the code under test.
@Suite struct JSONTextTests {
    static func reference(_ report: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    static func expectSameBytes(_ report: AnalysisReport, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let written = JSONReport.render(report)
        let expected = try reference(report)
        guard written != expected else { return }
        // Name the first difference rather than dumping megabytes.
        let a = Array(written.utf8), b = Array(expected.utf8)
        let at = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let context = { (bytes: [UInt8]) in String(decoding: bytes[max(0, at - 120)..<min(bytes.count, at + 80)], as: UTF8.self) }
        Issue.record("JSON differs at byte \(at) of \(a.count) (encoder: \(b.count)):\n--- written\n\(context(a))\n--- JSONEncoder\n\(context(b))",
                     sourceLocation: sourceLocation)
    }

    /// Every optional field set, strings that need escaping, several encoding names (text order:
    /// "101" before "13" before "8"), the values Double prints in unusual ways.
    static var everyField: StreamReport {
        var stream = StreamReport(
            ssrc: .max, src: "[2001:db8::1]:5004", dst: "a/b \"quoted\" \\ tab\t nl\n cr\r \u{1} \u{1F} \u{7F} é 🎧",
            transport: "tcp", payloadType: 8, payloadTypes: [8, 13, 101], clockRate: 8000, clockRateSource: .sdp,
            packets: .max, bytes: 0, expected: .min, lost: .max, duplicates: 3, reordered: 4, seqResets: 5,
            timestampJumps: 6, payloadTypeChanges: 7, markers: 8, jitterMs: .nan, maxJitterMs: .infinity,
            meanJitterMs: -.infinity, minDeltaMs: -0.0, meanDeltaMs: 1e-7, maxDeltaMs: 1e15, frames: 9,
            meanPacketsPerFrame: 123_456_789_012_345.0, frameJitterMs: 0.1, startTime: 1_700_000_000.990001,
            endTime: .leastNonzeroMagnitude, pid: .min, comm: "proc\u{0}name", direction: .received, mode: "wireshark")
        stream.minJitterMs = .greatestFiniteMagnitude
        stream.container = "c0ffee"
        stream.pod = "pod/1"
        stream.podUID = "uid"
        stream.namespace = "ns"
        stream.sendStalls = SendStallCounts(codec: 1, other: 2, pending: 3)
        stream.codecCorrelation = ["b": -0.5, "a": 1, "B": 0.25, "é": 2.5e-5]
        stream.encodingNames = [8: "PCMA", 13: "CN", 101: "telephone-event"]
        stream.file = "/captures/x.pcap"
        stream.byeTime = 1_700_000_002.25
        stream.interface = "veth-\"x\""
        stream.quality = Self.quality(Self.everyQualityField)
        return stream
    }

    /// A stream quality with every optional set (an RTCP XR report, video counts, a round trip),
    /// names to escape and doubles printed in unusual ways; decoded, since its memberwise
    /// initializer is RTPCore's own.
    static let everyQualityField = #"""
        {"codec": "G.711 \\ \"x\"", "scale": "G.107", "r_factor": 93.2, "mos": 4.41, "mos_min": 1e-7, "mos_mean": null,
         "burst_density": 0.5, "gap_density": 0, "burst_duration_ms": null, "gap_duration_ms": 1e15, "bursts": 3,
         "loss_runs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 18446744073709551615], "max_loss_run": 12,
         "delay_variation": [{"threshold_ms": 50, "packets": 2, "share": 0.1}, {"threshold_ms": 70.5, "packets": 0, "share": 0}],
         "jitter_buffers": [
           {"name": "F\\1", "kind": "fixed", "delay_ms": 50, "mean_delay_ms": 49.999999999999996, "discarded": 1,
            "effective_loss": 0.01, "burst_ratio": 1, "r_factor": null, "mos": null},
           {"name": "adaptive", "kind": "adaptive", "delay_ms": 500, "mean_delay_ms": 61.25, "discarded": 0,
            "effective_loss": 1e-5, "burst_ratio": 0.998, "r_factor": 80.01, "mos": 4.02}],
         "primary_jitter_buffer": 1, "frames_damaged": 4, "freezes": 0, "rtt_ms": 12.5,
         "rtcp_xr": {"reporter_ssrc": 7, "time": 1700000000.5, "voip_metrics": null, "statistics_summary": null}}
        """#

    /// The least a quality can be: no codec (not rated), no models, empty arrays, nulls.
    static let bareQuality = """
        {"codec": null, "scale": null, "r_factor": null, "mos": null, "mos_min": null, "mos_mean": null,
         "burst_density": 0, "gap_density": 0, "burst_duration_ms": null, "gap_duration_ms": null, "bursts": 0,
         "loss_runs": [], "max_loss_run": 0, "delay_variation": [], "jitter_buffers": [],
         "primary_jitter_buffer": 0, "rtt_ms": null, "rtcp_xr": null}
        """

    static func quality(_ json: String) -> StreamQuality {
        try! JSONDecoder().decode(StreamQuality.self, from: Data(json.utf8))
    }

    static var bareStream: StreamReport {
        StreamReport(ssrc: 0, src: "", dst: "0.0.0.0:0", payloadType: 127, payloadTypes: [], clockRate: nil,
                     clockRateSource: .unknown, packets: 0, bytes: 0, expected: 0, lost: -2, duplicates: 0,
                     reordered: 0, seqResets: 0, jitterMs: nil, maxJitterMs: nil, meanJitterMs: nil,
                     minDeltaMs: nil, meanDeltaMs: nil, maxDeltaMs: nil, startTime: 0, endTime: -1.5)
    }

    static var reporters: [RTCPReporterReport] {
        let block = RTCPReportBlockReport(sourceSSRC: 7, fractionLost: 0.25, cumulativeLost: -3, highestSequence: 65_540,
                                          jitterTimestampUnits: 80, jitterMs: 10, lastSR: 1, delaySinceLastSR: 2,
                                          roundTripMs: nil)
        var full = RTCPReporterReport(reporterSSRC: 9, src: "10.0.0.1:5005", dst: "10.0.0.2:5005", senderReports: 1,
                                      receiverReports: 2, packetsByType: ["sr": 1, "rr": 2, "sdes": 3, "bye": 0],
                                      cname: "user@host", reportBlocks: [block, block], pid: 42, comm: "x",
                                      direction: .sent)
        full.file = "f.pcap"
        let bare = RTCPReporterReport(reporterSSRC: 0, src: "a", dst: "b", senderReports: 0, receiverReports: 0,
                                      packetsByType: [:], cname: nil, reportBlocks: [])
        return [full, bare]
    }

    @Test func everyFieldAndEscapeMatchesTheEncoder() throws {
        var summary = AnalysisSummary()
        summary.malformed = ["b": 1, "a": 2]
        summary.warnings = ["cut \"short\""]
        summary.firstPacketTime = 1_700_000_000.5
        var bareWithQuality = Self.bareStream
        bareWithQuality.quality = Self.quality(Self.bareQuality)
        let report = AnalysisReport(streams: [Self.everyField, Self.bareStream, bareWithQuality, Self.everyField],
                                    rtcp: Self.reporters, summary: summary)
        try Self.expectSameBytes(report)
        // And the text reads back into the same report (NaN aside: it never equals itself).
        var comparable = report
        for index in comparable.streams.indices where comparable.streams[index].jitterMs?.isNaN == true {
            comparable.streams[index].jitterMs = 0
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoded = try decoder.decode(AnalysisReport.self, from: Data(JSONReport.render(comparable).utf8))
        #expect(decoded == comparable)
    }

    /// The report in pieces (as `/streams` and `analyze` write it), with extra members sorted among
    /// the report's own keys, concatenates to what the encoder writes for the report and those keys
    /// in one object, whatever the piece size.
    @Test func piecesWithExtraMembersMatchTheEncoder() throws {
        let report = AnalysisReport(streams: [Self.everyField, Self.bareStream, Self.everyField], rtcp: Self.reporters,
                                    summary: AnalysisSummary())
        let members = ["total_streams": 3, "offset": 1, "limit": -2, "a": 0, "zz": Int.max]
        let expected = try Self.reference(ReportWithMembers(report: report, members: members))
        let extras: [(key: StaticString, value: Int)] = [("total_streams", 3), ("offset", 1), ("limit", -2), ("a", 0),
                                                         ("zz", .max)]
        for pieceBytes in [1, 100, 1 << 20] {
            let pieces = JSONReportPieces(report, extraMembers: extras, pieceBytes: pieceBytes)
            var text: [UInt8] = []
            var count = 0
            while let piece = try pieces.next() {
                #expect(!piece.isEmpty)
                text += piece
                count += 1
            }
            #expect(try pieces.next() == nil)
            #expect(String(decoding: text, as: UTF8.self) == expected, "pieces of \(pieceBytes) bytes")
            // At the smallest size each piece is one step: the object's brackets, each member, each
            // array's brackets and each element (2 reporters, 3 streams): 17.
            #expect(pieceBytes > 1 || count == 17)

            // Lent (what `analyze` writes): the same pieces, the same text.
            let lent = JSONReportPieces(report, extraMembers: extras, pieceBytes: pieceBytes)
            var lentText: [UInt8] = []
            var lentCount = 0
            while try lent.nextLent({ piece in
                #expect(piece.count > 0)
                lentText += piece
            }) {
                lentCount += 1
            }
            #expect(try lent.nextLent { _ in Issue.record("a piece after the end") } == false)
            #expect(lentText == text && lentCount == count, "lent pieces of \(pieceBytes) bytes")
        }
    }

    @Test func emptyReportMatchesTheEncoder() throws {
        try Self.expectSameBytes(AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary()))
    }

    /// Doubles of every magnitude, sign and precision print as the encoder prints them.
    @Test func doublesMatchTheEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 20, 19.999999999999996, 1e14, 999_999_999_999_999, 1e15, 1e16,
                                9_007_199_254_740_992, 9_007_199_254_740_994, 1e21, 1e22, 1e-4, 1e-5, 0.001,
                                .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, .pi,
                                1_700_000_000.000001, 1_700_000_000.123456]
        for _ in 0..<2000 {
            values.append(Double(bitPattern: UInt64.random(in: .min ... .max, using: &generator)))
            values.append(Double(Int64.random(in: -1 << 60 ... 1 << 60, using: &generator)))
            values.append(Double.random(in: -1e6...1e6, using: &generator).rounded() / 1000)
            // Decimals of one to seven fractional digits at every magnitude the short form takes
            // (0.001 to 1e9) and just outside it, and their neighbours one ulp away.
            let decimals = Int.random(in: 1...7, using: &generator)
            let power = (0..<decimals).reduce(1.0) { product, _ in product * 10 }
            let units = Double(Int64.random(in: -(1 << 52)...(1 << 52), using: &generator) >> Int.random(in: 0...50, using: &generator))
            let decimal = units / power
            values += [decimal, decimal.nextUp, decimal.nextDown]
        }
        values += [0.001, -0.001, 0.0011, 0.000999, 999_999_999.999999, 999_999_999.9999999, 1e9, 1e9 + 0.5,
                   4.38, 91.76, 22.625, 0.1, 0.2, 0.3, 0.1 + 0.2, 1.005, 123_456.789012, 2.5e-3]
        let streams = stride(from: 0, to: values.count, by: 8).map { start -> StreamReport in
            var stream = Self.bareStream
            let v = values[start..<min(start + 8, values.count)].map { $0 }
            stream.jitterMs = v[0]
            stream.maxJitterMs = v.count > 1 ? v[1] : nil
            stream.meanJitterMs = v.count > 2 ? v[2] : nil
            stream.minJitterMs = v.count > 3 ? v[3] : nil
            stream.minDeltaMs = v.count > 4 ? v[4] : nil
            stream.meanDeltaMs = v.count > 5 ? v[5] : nil
            stream.startTime = v.count > 6 ? v[6] : 0
            stream.endTime = v.count > 7 ? v[7] : 0
            return stream
        }
        try Self.expectSameBytes(AnalysisReport(streams: streams, rtcp: [], summary: AnalysisSummary()))
    }

    /// Real analyses — SIP calls and their counts (`calls`, `sip`), RTCP, IPv6, TCP, several files —
    /// through both writers.
    @Test(arguments: ["sip_calls_mixed", "sip_call", "rtcp_rtt", "ipv6", "rtp_over_tcp", "webrtc_mux", "mixed_garbage",
                      "dynamic_pt_h264", "sender_restart"])
    func fixtureAnalysesMatchTheEncoder(_ fixture: String) throws {
        let path = OpenMetricsBackfillTests.packageRoot.appendingPathComponent("fixtures/synthetic/\(fixture).pcap").path
        var configuration = AnalyzerConfiguration()
        configuration.tcpPorts = [5000]
        let first = CaptureAnalysis.run(try CaptureFile(path: path), configuration: configuration, sampleLabel: nil).report
        configuration.mode = .wireshark
        let second = CaptureAnalysis.run(try CaptureFile(path: path), configuration: configuration, sampleLabel: nil).report
        let report = AnalysisReport.merging([first, second])
        #expect(!report.streams.isEmpty || !report.rtcp.isEmpty)
        try Self.expectSameBytes(report)
    }
}

/// A report and extra integer members in one JSON object, as `JSONEncoder` writes them: the
/// reference for `JSONReportPieces`'s extra members.
private struct ReportWithMembers: Encodable {
    let report: AnalysisReport
    let members: [String: Int]

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in members { try container.encode(value, forKey: Key(stringValue: key)) }
    }
}
