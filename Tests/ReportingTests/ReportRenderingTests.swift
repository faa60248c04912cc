import Foundation
import Testing
@testable import Reporting
import RTPCore

@Suite struct ReportRenderingTests {
    static let stream: StreamReport = {
        var stream = StreamReport(
            ssrc: 0x0E05_384E, src: "192.168.0.3:49176", dst: "[::1]:10000", payloadType: 0, payloadTypes: [0],
            clockRate: 8000, clockRateSource: .static, packets: 10, bytes: 1720, expected: 12, lost: 2,
            duplicates: 1, reordered: 0, seqResets: 0, jitterMs: 0.5, maxJitterMs: 1.25, meanJitterMs: 0.75,
            minDeltaMs: 19.5, meanDeltaMs: 20, maxDeltaMs: 40.25, startTime: 1_700_000_000.5,
            endTime: 1_700_000_001.75)
        stream.encodingNames = [0: "PCMU"]
        stream.file = "call.pcap"
        return stream
    }()
    static let unknownClock = StreamReport(
        ssrc: 1, src: "10.0.0.1:5004", dst: "10.0.0.2:5004", payloadType: 96, payloadTypes: [96], clockRate: nil,
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
        #expect(streams[0]["ssrc_hex"] as? String == "0x0e05384e")
        #expect(streams[0]["dst"] as? String == "[::1]:10000")
        #expect(streams[0]["clock_rate_source"] as? String == "static")
        #expect(streams[0]["lost"] as? Int == 2)
        #expect(streams[0]["jitter_ms"] as? Double == 0.5)
        #expect(streams[0]["encoding_name"] as? String == "PCMU")
        #expect(streams[0]["encoding_names"] as? [String: String] == ["0": "PCMU"])
        #expect(streams[0]["file"] as? String == "call.pcap")
        // Unknown clock: the keys are present and null, never 0; a dynamic type nothing named has no name.
        #expect(streams[1]["clock_rate"] is NSNull)
        #expect(streams[1]["jitter_ms"] is NSNull)
        #expect(streams[1]["max_jitter_ms"] is NSNull)
        #expect(streams[1]["encoding_name"] is NSNull)
        #expect(streams[1]["ssrc_hex"] as? String == "0x00000001")
        #expect(streams[1]["file"] == nil)
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["packets_read"] as? Int == 20)
        #expect(object["rtcp"] is [Any])
    }

    /// /streams is decoded by API clients: the JSON reads back into the same report.
    @Test func jsonRoundTrips() throws {
        let decoded = try JSONDecoder().decode(AnalysisReport.self, from: Data(JSONReport.render(Self.report).utf8))
        #expect(decoded == Self.report)
    }

    @Test func csvHasOneHeaderAndOneLinePerStream() {
        let lines = CSVReport.render(Self.report).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.count == first.count)
        func field(_ name: String, _ row: [String]) -> String? { header.firstIndex(of: name).map { row[$0] } }
        #expect(field("ssrc", first) == "0x0e05384e")
        #expect(field("file", first) == "call.pcap")
        #expect(field("encoding_name", first) == "PCMU")
        #expect(field("jitter_ms", first) == "0.500000")
        #expect(field("max_delta_ms", first) == "40.250000")
        let second = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(field("jitter_ms", second) == "")
        #expect(field("clock_rate_source", second) == "unknown")
        #expect(field("encoding_name", second) == "")
    }

    @Test func csvQuotesFieldsThatNeedIt() {
        #expect(CSVReport.quote("a,b") == "\"a,b\"")
        #expect(CSVReport.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReport.quote("plain") == "plain")
    }

    @Test func tableShowsRelativeTimesUnknownClockAndALegend() {
        let text = TableReport.render(Self.report)
        let rows = text.split(separator: "\n").map(String.init)
        #expect(rows[0] == "RTP streams (2, mode strict)")
        #expect(rows[2].hasPrefix("0.500000  1.750000  192.168.0.3:49176"))
        #expect(rows[2].contains("0x0e05384e"))
        #expect(rows[2].contains("PCMU"))
        #expect(rows[2].contains("2 (16.7%)"))
        #expect(rows[3].contains("unknown"))
        #expect(rows[3].contains("PT96"))
        #expect(rows[4].hasPrefix("Start/End: s since the first packet of the capture file. Δ: time between packets (ms). Jitter: RFC 3550"))
        #expect(text.contains("Summary: packets read 20"))
        // One file: no File column.
        #expect(!rows[1].contains("File"))
    }

    @Test func moreArrivalsThanExpectedReadAsDuplicates() {
        var stream = Self.stream
        stream.expected = 8
        stream.lost = -2
        #expect(LossText.cell(stream) == "2 dup")
        stream.lost = 0
        #expect(LossText.cell(stream) == "0 (0.0%)")
    }

    /// Per mode: strict names the media as SDP does, wireshark reproduces tshark's Payload cell.
    @Test func payloadNamesPerMode() {
        var stream = Self.unknownClock
        stream.payloadType = 8
        stream.payloadTypes = [8, 101]
        stream.encodingNames = [8: "PCMA", 101: "telephone-event"]
        #expect(PayloadText.cell(stream) == "PCMA, telephone-event")
        stream.mode = "wireshark"
        #expect(PayloadText.cell(stream) == "g711A, telephone-event")

        var dynamic = Self.unknownClock
        dynamic.payloadType = 99
        dynamic.payloadTypes = [99]
        #expect(PayloadText.cell(dynamic) == "PT99")
        dynamic.mode = "wireshark"
        #expect(PayloadText.cell(dynamic) == "rtp.rfc2198")  // tshark's preference default for 99
        dynamic.encodingNames = [99: "G726-32"]
        #expect(PayloadText.cell(dynamic) == "G726-32")
        dynamic.mode = "strict"
        #expect(PayloadText.cell(dynamic) == "G726-32")
    }

    /// A narrow terminal: every line fits, the identifying columns stay, the hidden ones are named.
    @Test func tableFitsTheWidthByHidingTheLeastImportantColumns() {
        let full = TableReport.render(Self.report)
        #expect(full.split(separator: "\n")[1].count > 150)
        for width in [120, 100, 80] {
            let text = TableReport.render(Self.report, width: width)
            let lines = text.split(separator: "\n").map(String.init)
            for line in lines { #expect(line.count <= width, "\(width): \(line.count) characters: \(line)") }
            let header = lines[1]
            for kept in ["Source", "Destination", "SSRC"] { #expect(header.contains(kept), "\(width): \(header)") }
            #expect(header.contains("MinJit(ms)") == false)
            #expect(text.contains("Hidden to fit \(width) columns: ") && text.contains("MinJit(ms)") && text.contains("--wide"))
            #expect(lines[2].contains("0x0e05384e"))
        }
        // 100 columns keep the health columns a person looks at first.
        let hundred = TableReport.render(Self.report, width: 100).split(separator: "\n")[1]
        for kept in ["Payload", "Pkts", "Lost", "Jitter(ms)"] { #expect(hundred.contains(kept), "\(hundred)") }
        // Wide enough: nothing hidden, no note.
        #expect(TableReport.render(Self.report, width: 400) == full)
    }

    /// Below what the identifying columns need, long addresses are shortened in the middle.
    @Test func narrowTableShortensAddressesInTheMiddle() {
        var stream = Self.stream
        stream.src = "[2001:b07:a3d:c112:48a1:1094:1227:281e]:45572"
        stream.dst = "[2001:4860:4864:6::81]:19305"
        let report = AnalysisReport(streams: [stream], rtcp: [], summary: AnalysisSummary())
        let lines = TableReport.render(report, width: 60).split(separator: "\n").map(String.init)
        let row = lines[2]
        #expect(row.count <= 60, "\(row)")
        #expect(row.contains("…") && row.contains(":45572") && row.hasPrefix("[2001:"), "\(row)")
        #expect(TextTable<Int>.shortened("abcdefghij", to: 5) == "ab…ij")
    }

    /// Several files: a File column, and times from each file's own first packet (not from the first
    /// file's: a second file recorded earlier must not show negative times).
    @Test func multipleFilesShowTheFileAndTheirOwnTimes() {
        var first = Self.stream
        first.file = "late.pcap"
        var second = Self.stream
        second.file = "early.pcap"
        second.startTime = 1_600_000_010.25
        second.endTime = 1_600_000_012.5
        var summary = AnalysisSummary()
        summary.files = [CaptureFileSummary(name: "late.pcap", firstPacketTime: 1_700_000_000, packetsRead: 10),
                         CaptureFileSummary(name: "early.pcap", firstPacketTime: 1_600_000_010, packetsRead: 10)]
        let lines = TableReport.render(AnalysisReport(streams: [first, second], rtcp: [], summary: summary))
            .split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("File "))
        #expect(lines[2].hasPrefix("late.pcap   0.500000  1.750000"), "\(lines[2])")
        #expect(lines[3].hasPrefix("early.pcap  0.250000  2.500000"), "\(lines[3])")

        // Long paths in a narrow terminal lose their beginning before a health column is hidden.
        let directory = "/srv/captures/2026-12-02/customer-with-a-long-name/"
        let report = AnalysisReport(streams: [first, second].map { stream in
            var stream = stream
            stream.file = directory + (stream.file ?? "")
            return stream
        }, rtcp: [], summary: AnalysisSummary())
        let narrow = TableReport.render(report, width: 100).split(separator: "\n").map(String.init)
        for kept in ["File", "Source", "SSRC", "Payload", "Pkts", "Lost", "Jitter(ms)"] {
            #expect(narrow[1].contains(kept), "\(narrow[1])")
        }
        #expect(narrow[2].hasPrefix("…") && narrow[2].contains("-name/late.pcap "), "\(narrow[2])")
        for line in narrow { #expect(line.count <= 100, "\(line)") }
    }

    /// What adds up across files adds up; `summaryMergeCoversEveryField` guards new fields.
    @Test func summariesOfSeveralFilesAddUp() {
        var a = AnalysisSummary()
        a.packetsRead = 10; a.datagrams = 9; a.rtpPackets = 7; a.rtcpPackets = 1; a.srtcpPackets = 1; a.nonRTP = 1
        a.demultiplexed = ["stun": 2]; a.malformed = ["rtp_too_short": 1]; a.unconfirmedRTP = 3; a.fragmentsSkipped = 1
        a.linkType = "EN10MB"; a.firstPacketTime = 200; a.warnings = ["w1"]
        a.files = [CaptureFileSummary(name: "a", firstPacketTime: 200, packetsRead: 10)]
        a.truncatedRTP = 1; a.truncatedRTCP = 2; a.truncatedHeaders = 3; a.truncatedUndecodableRTCP = 4
        a.rtcpPartiallyDecoded = ["rtcp_bad_length": 1]; a.candidatesEvicted = 5; a.candidatePacketsEvicted = 6
        a.rtcpReportBlocksDropped = 7; a.rtcpReportersEvicted = 8
        var b = a
        b.linkType = "EN10MB,NULL"; b.firstPacketTime = 100; b.truncated = true; b.warnings = ["w2"]
        b.demultiplexed = ["stun": 1, "dtls": 4]
        b.files = [CaptureFileSummary(name: "b", firstPacketTime: 100, packetsRead: 10)]
        var sum = a
        sum.add(b)
        #expect(sum.packetsRead == 20 && sum.datagrams == 18 && sum.rtpPackets == 14 && sum.rtcpPackets == 2)
        #expect(sum.srtcpPackets == 2 && sum.nonRTP == 2 && sum.unconfirmedRTP == 6 && sum.fragmentsSkipped == 2)
        #expect(sum.demultiplexed == ["stun": 3, "dtls": 4] && sum.malformed == ["rtp_too_short": 2])
        #expect(sum.linkType == "EN10MB,NULL" && sum.firstPacketTime == 100 && sum.truncated)
        #expect(sum.warnings == ["w1", "w2"] && sum.files.map(\.name) == ["a", "b"])
        #expect(sum.truncatedRTP == 2 && sum.truncatedRTCP == 4 && sum.truncatedHeaders == 6 && sum.truncatedUndecodableRTCP == 8)
        #expect(sum.rtcpPartiallyDecoded == ["rtcp_bad_length": 2] && sum.candidatesEvicted == 10 && sum.candidatePacketsEvicted == 12)
        #expect(sum.rtcpReportBlocksDropped == 14 && sum.rtcpReportersEvicted == 16)
    }

    /// A field added to AnalysisSummary must be merged by `add(_:)` (else a multi-file analysis
    /// silently drops it): this counts the stored fields `summariesOfSeveralFilesAddUp` checks.
    @Test func summaryMergeCoversEveryField() {
        let fields = Mirror(reflecting: AnalysisSummary()).children.compactMap(\.label)
        #expect(fields.count == 24, "AnalysisSummary has fields \(fields): merge the new one in add(_:) and test it")
    }

    /// The live `--interval` table says which process sent or received each stream.
    @Test func liveTableShowsProcessAndDirection() {
        var received = Self.stream
        received.pid = 4242
        received.comm = "gst-launch-1.0"
        received.direction = .received
        let lines = TableReport.render(AnalysisReport(streams: [received], rtcp: [], summary: AnalysisSummary()))
            .split(separator: "\n").map(String.init)
        #expect(lines[1].contains("Process") && lines[1].contains("Dir"))
        #expect(lines[2].contains("4242/gst-launch-1.0  received  192.168.0.3:49176"), "\(lines[2])")
        #expect(lines[3].hasPrefix("Start/End: s since the first packet seen."))
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
        offline.pid = nil
        offline.comm = nil
        offline.direction = nil
        let text = TableReport.render(AnalysisReport(streams: [sent, offline], rtcp: [], summary: AnalysisSummary()))
        #expect(text.contains("Send pacing of outgoing streams (1)"))
        let row = text.split(separator: "\n").last { $0.hasPrefix("42/codecpush") }
        #expect(row.map { $0.contains("0x0000abcd") && $0.contains("127.0.0.1:5004") } == true)
        #expect(row.map { $0.contains("avcodec_receive_packet=0.00 avcodec_send_frame=1.00") } == true)
        #expect(row.map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(3) == ["8", "1", "0"] } == true)
        #expect(!TableReport.render(AnalysisReport(streams: [offline], rtcp: [], summary: AnalysisSummary())).contains("Send pacing"))
    }
}
