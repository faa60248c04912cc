import Testing
@testable import RTPCore

/// A stream whose source sent an RTCP BYE says so (`byeTime`): the exporter's
/// `rtpscope_rtp_bye_timestamp_seconds`, which keeps RTPStreamStopped quiet after a hang-up.
@Suite("RTCP BYE ends a stream")
struct RTCPGoodbyeTests {
    private typealias F = StatsFixture
    private static let rtcpPort = Endpoint(address: F.sender.address, port: F.sender.port + 1)

    /// PCMU, 20 ms, `count` packets of `ssrc` from `startMs`, sequence numbers from `firstSeq`.
    private func feedAudio(_ a: StreamAnalyzer, ssrc: UInt32, count: Int, startMs: Double, firstSeq: UInt16 = 1) {
        for i in 0..<count {
            F.feed(a, F.rtp(seq: firstSeq &+ UInt16(i), ts: UInt32(i * 160), ssrc: ssrc), atMs: startMs + Double(i) * 20)
        }
    }

    /// RFC 3550 §6.6: an empty RR (a compound packet starts with a report) then BYE naming `ssrcs`.
    private func goodbye(_ ssrcs: [UInt32]) -> [UInt8] {
        let rr: [UInt8] = [0x80, 201, 0x00, 0x01] + F.withBigEndian(ssrcs[0])
        let bye: [UInt8] = [0x80 | UInt8(ssrcs.count), 203, 0x00, UInt8(ssrcs.count)] + ssrcs.flatMap(F.withBigEndian)
        return rr + bye
    }

    private func byeTime(_ report: AnalysisReport, _ ssrc: UInt32) -> Double?? {
        report.streams.first { $0.ssrc == ssrc }.map(\.byeTime)
    }

    @Test func byeAfterTheLastPacketMarksOnlyTheNamedStreams() throws {
        let a = StreamAnalyzer(configuration: AnalyzerConfiguration())
        feedAudio(a, ssrc: 0xAAAA, count: 10, startMs: 0)
        feedAudio(a, ssrc: 0xBBBB, count: 10, startMs: 1)
        feedAudio(a, ssrc: 0xCCCC, count: 10, startMs: 2)
        F.feed(a, goodbye([0xAAAA, 0xCCCC]), atMs: 500, from: Self.rtcpPort)
        let report = a.report()
        let expected = Double(F.nanoseconds(ms: 500)) / 1e9
        #expect(byeTime(report, 0xAAAA) == .some(expected))
        #expect(byeTime(report, 0xCCCC) == .some(expected))
        #expect(byeTime(report, 0xBBBB) == .some(nil))
        #expect(a.streamSnapshots().first { $0.report.ssrc == 0xAAAA }?.report.byeTime == expected)
    }

    /// An SSRC that sends again after its BYE (reused, or a BYE that was not the end) is live again.
    @Test func packetsAfterTheByeClearIt() {
        let a = StreamAnalyzer(configuration: AnalyzerConfiguration())
        feedAudio(a, ssrc: 0xAAAA, count: 10, startMs: 0)
        F.feed(a, goodbye([0xAAAA]), atMs: 300, from: Self.rtcpPort)
        feedAudio(a, ssrc: 0xAAAA, count: 5, startMs: 320, firstSeq: 11)
        #expect(byeTime(a.report(), 0xAAAA) == .some(nil))
    }

    /// At most as many BYEs are kept as reporters, the least recently named dropped first.
    @Test func byesAreBounded() {
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = 5_000_000_000
        configuration.maxRTCPReporters = 2
        let a = StreamAnalyzer(configuration: configuration)
        feedAudio(a, ssrc: 0xAAAA, count: 10, startMs: 0)
        F.feed(a, goodbye([0xAAAA]), atMs: 300, from: Self.rtcpPort)
        F.feed(a, goodbye([0x0001]), atMs: 301, from: Self.rtcpPort)
        #expect(byeTime(a.report(), 0xAAAA) == .some(Double(F.nanoseconds(ms: 300)) / 1e9))
        F.feed(a, goodbye([0x0002]), atMs: 302, from: Self.rtcpPort)   // the cap drops 0xAAAA's, the oldest
        #expect(byeTime(a.report(), 0xAAAA) == .some(nil))
    }
}
