import Testing
@testable import RTPCore

/// Sources hand their counts to the engine (`addSourceCounts`, `finishCaptureFile`) rather than
/// writing its summary.
@Suite struct SourceCountsTests {
    @Test func twoCaptureFilesAddUpAndTheSecondStoppedEarly() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        analyzer.finishCaptureFile(
            name: "a.pcap", linkType: "EN10MB", firstPacketTime: 1_700_000_000_250_000_000,
            counts: SourceCounts(packetsRead: 10, fragmentsSkipped: 1, malformed: ["ip_bad_header": 2]), stoppedBy: nil)
        analyzer.finishCaptureFile(
            name: "b.pcap", linkType: "LINUX_SLL", firstPacketTime: 1_600_000_000_000_000_000,
            counts: SourceCounts(packetsRead: 5, malformed: ["ip_bad_header": 1, "udp_bad_length": 4]),
            stoppedBy: "truncated capture after 5 packets (cut)")
        analyzer.finishCaptureFile(name: "c.pcap", linkType: "EN10MB", firstPacketTime: nil,
                                   counts: SourceCounts(), stoppedBy: nil)
        let summary = analyzer.report().summary
        #expect(summary.packetsRead == 15)
        #expect(summary.fragmentsSkipped == 1)
        #expect(summary.malformed == ["ip_bad_header": 3, "udp_bad_length": 4])
        #expect(summary.firstPacketTime == 1_700_000_000.25)  // the first file's, not the earliest
        #expect(summary.linkType == "EN10MB,LINUX_SLL")
        #expect(summary.truncated)
        #expect(summary.warnings == ["truncated capture after 5 packets (cut)"])
        #expect(summary.files == [
            CaptureFileSummary(name: "a.pcap", firstPacketTime: 1_700_000_000.25, packetsRead: 10),
            CaptureFileSummary(name: "b.pcap", firstPacketTime: 1_600_000_000, packetsRead: 5),
            CaptureFileSummary(name: "c.pcap", firstPacketTime: nil, packetsRead: 0),
        ])
    }

    @Test func liveDrainsAddPacketsRead() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        analyzer.addSourceCounts(SourceCounts(packetsRead: 7))
        analyzer.addSourceCounts(SourceCounts(packetsRead: 3))
        #expect(analyzer.report().summary.packetsRead == 10)
        #expect(analyzer.report().summary.files.isEmpty)
    }
}
