import RTPCore
import Testing

/// The sampler's clock on hand-made RTP: seconds with traffic, a silence, the final partial second.
@Suite struct CaptureTimeSamplerTests {
    /// Feeds one PCMU packet (12-byte RTP header, SSRC 7) at `seconds` of capture time.
    static func feed(_ analyzer: StreamAnalyzer, seq: UInt16, seconds: Double) {
        var bytes: [UInt8] = [0x80, 0x00, UInt8(seq >> 8), UInt8(seq & 0xFF), 0, 0, 0, 0, 0, 0, 0, 7]
        bytes += [UInt8](repeating: 0xFF, count: 160)
        bytes.withUnsafeBytes { payload in
            analyzer.ingest(Datagram(
                time: Nanoseconds(seconds * 1e9), transport: .udp,
                source: Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000),
                destination: Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 50000), payload: payload))
        }
    }

    @Test func aSilenceCostsTwoPointsAndTheLastPartialSecondIsSampled() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let sampler = CaptureTimeSampler()
        analyzer.sampler = sampler
        sampler.beginCapture(named: "gap.pcap", of: analyzer)
        Self.feed(analyzer, seq: 1, seconds: 10.1)
        Self.feed(analyzer, seq: 2, seconds: 10.2)
        Self.feed(analyzer, seq: 3, seconds: 14.5)   // three silent seconds, not three points
        Self.feed(analyzer, seq: 5, seconds: 14.6)
        sampler.finishCapture(of: analyzer)
        #expect(sampler.samples.map(\.timestamp) == [11, 14, 15])
        #expect(sampler.samples.map(\.packetRate) == [2, 0, 2])
        #expect(sampler.samples.map(\.packets) == [2, 2, 4])
        #expect(sampler.samples.map(\.lost) == [0, 0, 1])
        #expect(sampler.samples.allSatisfy { $0.capture == "gap.pcap" && $0.ssrc == 7 && $0.src == "10.0.0.1:40000" })
    }

    @Test func withoutASamplerNothingIsRecordedAndResultsAreUnchanged() {
        let plain = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let sampled = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let sampler = CaptureTimeSampler()
        sampled.sampler = sampler
        sampler.beginCapture(named: "x", of: sampled)
        for (seq, time) in [(1, 1.0), (2, 1.5), (3, 2.2), (4, 3.9)] {
            Self.feed(plain, seq: UInt16(seq), seconds: time)
            Self.feed(sampled, seq: UInt16(seq), seconds: time)
        }
        #expect(plain.report() == sampled.report())
        #expect(sampler.samples.count == 2)
    }
}
