import Foundation
import Testing
@testable import Reporting
import RTPCore

@Suite struct ReportRenderingTests {
    static let stream = StreamReport(
        ssrc: 0x0E05_384E, src: "192.168.0.3:49176", dst: "[::1]:10000", payloadType: 0,
        clockRate: 8000, clockRateSource: .static, packets: 10, bytes: 1720, expected: 12, lost: 2,
        duplicates: 1, reordered: 0, seqResets: 0, jitterMs: 0.5, maxJitterMs: 1.25, meanJitterMs: 0.75,
        minDeltaMs: 19.5, meanDeltaMs: 20, maxDeltaMs: 40.25, startTime: 1_700_000_000.5,
        endTime: 1_700_000_001.75)
    static let unknownClock = StreamReport(
        ssrc: 1, src: "10.0.0.1:5004", dst: "10.0.0.2:5004", payloadType: 96, clockRate: nil,
        clockRateSource: .unknown, packets: 3, bytes: 300, expected: 3, lost: 0, duplicates: 0,
        reordered: 0, seqResets: 0, jitterMs: nil, maxJitterMs: nil, meanJitterMs: nil, minDeltaMs: 20,
        meanDeltaMs: 20, maxDeltaMs: 20, startTime: 1_700_000_000, endTime: 1_700_000_000.04)

    static var report: AnalysisReport {
        var summary = AnalysisSummary()
        summary.packetsRead = 20
        summary.firstPacketTime = 1_700_000_000
        return AnalysisReport(streams: [stream, unknownClock], rtcp: [], summary: summary)
    }

    @Test func jsonHasTheContractFieldsAndExplicitNulls() throws {
        let text = JSONReport.render(Self.report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let streams = try #require(object["streams"] as? [[String: Any]])
        #expect(streams.count == 2)
        #expect(streams[0]["ssrc"] as? Int == 0x0E05_384E)
        #expect(streams[0]["dst"] as? String == "[::1]:10000")
        #expect(streams[0]["clock_rate_source"] as? String == "static")
        #expect(streams[0]["lost"] as? Int == 2)
        #expect(streams[0]["jitter_ms"] as? Double == 0.5)
        // Unknown clock: the keys are present and null, never 0.
        #expect(streams[1]["clock_rate"] is NSNull)
        #expect(streams[1]["jitter_ms"] is NSNull)
        #expect(streams[1]["max_jitter_ms"] is NSNull)
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["packets_read"] as? Int == 20)
        #expect(object["rtcp"] is [Any])
    }

    @Test func csvHasOneHeaderAndOneLinePerStream() {
        let lines = CSVReport.render(Self.report).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.count == first.count)
        func field(_ name: String, _ row: [String]) -> String? { header.firstIndex(of: name).map { row[$0] } }
        #expect(field("ssrc", first) == "235223118")
        #expect(field("jitter_ms", first) == "0.500000")
        #expect(field("max_delta_ms", first) == "40.250000")
        let second = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(field("jitter_ms", second) == "")
        #expect(field("clock_rate_source", second) == "unknown")
    }

    @Test func csvQuotesFieldsThatNeedIt() {
        #expect(CSVReport.quote("a,b") == "\"a,b\"")
        #expect(CSVReport.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReport.quote("plain") == "plain")
    }

    @Test func tableShowsRelativeTimesAndUnknownClock() {
        let text = TableReport.render(Self.report)
        let rows = text.split(separator: "\n").map(String.init)
        #expect(rows[0] == "RTP streams (2, mode strict)")
        #expect(rows[2].hasPrefix("0.500000  1.750000  192.168.0.3:49176"))
        #expect(rows[2].contains("0x0E05384E"))
        #expect(rows[2].contains("2 (16.7%)"))
        #expect(rows[3].contains("unknown"))
        #expect(text.contains("Summary: packets read 20"))
    }
}

/// `monitor --interval`: outgoing live streams get a send-pacing section (stalls, correlation).
@Suite struct SendPacingTableTests {
    @Test func outgoingStreamsListStallsAndCorrelation() {
        var sent = StreamReport(
            ssrc: 0xABCD, src: "0.0.0.0:40000", dst: "127.0.0.1:5004", payloadType: 96, clockRate: 90000,
            clockRateSource: .inferred, packets: 100, bytes: 1000, expected: 100, lost: 0, duplicates: 0, reordered: 0,
            seqResets: 0, jitterMs: 1, maxJitterMs: 2, meanJitterMs: 1, minDeltaMs: 1, meanDeltaMs: 33, maxDeltaMs: 250,
            startTime: 1, endTime: 2, pid: 42, comm: "codecpush", direction: .sent)
        sent.sendStalls = SendStallCounts(codec: 8, other: 1, pending: 0)
        sent.codecCorrelation = ["avcodec_send_frame": 0.99981, "avcodec_receive_packet": 0]
        var offline = sent
        offline.sendStalls = nil
        offline.codecCorrelation = nil
        let text = TableReport.render(AnalysisReport(streams: [sent, offline], rtcp: [], summary: AnalysisSummary()))
        #expect(text.contains("Send pacing of outgoing streams (1)"))
        let row = text.split(separator: "\n").first { $0.hasPrefix("42/codecpush") }
        #expect(row.map { $0.contains("0x0000ABCD") && $0.contains("127.0.0.1:5004") } == true)
        #expect(row.map { $0.contains("avcodec_receive_packet=0.00 avcodec_send_frame=1.00") } == true)
        #expect(row.map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(3) == ["8", "1", "0"] } == true)
        #expect(!TableReport.render(AnalysisReport(streams: [offline], rtcp: [], summary: AnalysisSummary())).contains("Send pacing"))
    }
}
