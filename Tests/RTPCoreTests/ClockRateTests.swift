import Testing
@testable import RTPCore

@Suite("Clock rates: table, precedence, inference")
struct ClockRateTests {
    @Test func staticTableMatchesWireshark() {
        #expect(StaticClockRates.rate(for: 0) == 8000)      // PCMU
        #expect(StaticClockRates.rate(for: 3) == 8000)      // GSM
        #expect(StaticClockRates.rate(for: 5) == 8000)      // DVI4/8000
        #expect(StaticClockRates.rate(for: 6) == 16000)     // DVI4/16000
        #expect(StaticClockRates.rate(for: 8) == 8000)      // PCMA
        #expect(StaticClockRates.rate(for: 9) == 8000)      // G722: 8000 per RFC 3551
        #expect(StaticClockRates.rate(for: 10) == 44100)    // L16 stereo
        #expect(StaticClockRates.rate(for: 11) == 44100)
        #expect(StaticClockRates.rate(for: 13) == 8000)     // CN
        #expect(StaticClockRates.rate(for: 14) == 90000)    // MPA
        #expect(StaticClockRates.rate(for: 16) == 11025)
        #expect(StaticClockRates.rate(for: 17) == 22050)
        #expect(StaticClockRates.rate(for: 18) == 8000)     // G729
        #expect(StaticClockRates.rate(for: 26) == 90000)    // JPEG
        #expect(StaticClockRates.rate(for: 34) == 90000)    // H263
        #expect(StaticClockRates.rate(for: 20) == nil)      // unassigned
        #expect(StaticClockRates.rate(for: 96) == nil)      // dynamic
    }

    @Test func payloadNamesAsTsharkPrintsThem() {
        #expect(PayloadTypeNames.name(for: 0) == "g711U")
        #expect(PayloadTypeNames.name(for: 8) == "g711A")
        #expect(PayloadTypeNames.name(for: 3) == "GSM")
        #expect(PayloadTypeNames.name(for: 18) == "g729")
        #expect(PayloadTypeNames.name(for: 34) == "h263")
        #expect(PayloadTypeNames.name(for: 101) == "rtpevent")
        #expect(PayloadTypeNames.name(for: 96) == "RTPType-96")
    }

    @Test func precedenceExplicitThenSDPThenStatic() {
        var resolver = ClockRateResolver()
        #expect(resolver.resolve(0)?.rate == 8000)
        #expect(resolver.resolve(0)?.source == .static)
        #expect(resolver.resolve(111) == nil)
        resolver.sdpRates = [111: 48000, 0: 16000]
        #expect(resolver.resolve(111)?.source == .sdp)
        #expect(resolver.resolve(0)?.rate == 16000)
        resolver.explicitRates = [111: 90000]
        #expect(resolver.resolve(111)?.rate == 90000)
        #expect(resolver.resolve(111)?.source == .explicit)
        resolver.explicitRates = [112: 0]   // nonsense is ignored
        #expect(resolver.resolve(112) == nil)
    }

    @Test func wiresharkNeverInfersAndZeroesTelephoneEvent() {
        var resolver = ClockRateResolver(sdpRates: [96: 8000, 101: 8000])
        resolver.telephoneEventTypes = [101]
        #expect(resolver.wiresharkRate(0) == 8000)
        #expect(resolver.wiresharkRate(96) == 8000)
        #expect(resolver.wiresharkRate(101) == 0)
        #expect(resolver.wiresharkRate(97) == 0)
        #expect(resolver.wiresharkRate(35) == 0)
    }

    /// A stream at `rate` with `step` timestamp units per packet every `intervalMs`, arrival jittered by
    /// ±`jitterMs`; returns the decided rate.
    private func infer(rate: Int, intervalMs: Double, packetsPerFrame: Int = 1, jitterMs: Double,
                       seconds: Double) -> Int? {
        var estimator = ClockRateEstimator()
        var noise = StatsFixture.Noise()
        let step = UInt32(Double(rate) * intervalMs / 1000)
        var timestamp: UInt32 = 0xFFFF_0000   // also crosses the 32-bit wrap
        var nominal = 0.0
        while nominal < seconds * 1000 {
            for packet in 0..<packetsPerFrame {
                let arrival = nominal + noise.next(amplitude: jitterMs) + Double(packet) * 0.3
                estimator.observe(time: StatsFixture.nanoseconds(ms: max(0, arrival)), timestamp: timestamp)
            }
            timestamp &+= step
            nominal += intervalMs
        }
        return estimator.decidedRate
    }

    @Test func infers8kHzAudio() {
        #expect(infer(rate: 8000, intervalMs: 20, jitterMs: 3, seconds: 3) == 8000)
    }

    @Test func infers48kHzOpus() {
        #expect(infer(rate: 48000, intervalMs: 20, jitterMs: 4, seconds: 3) == 48000)
    }

    @Test func tells44100From48000() {
        #expect(infer(rate: 44100, intervalMs: 20, jitterMs: 2, seconds: 3) == 44100)
    }

    @Test func infers90kHzVideoWithFrameBursts() {
        #expect(infer(rate: 90000, intervalMs: 40, packetsPerFrame: 5, jitterMs: 3, seconds: 3) == 90000)
    }

    /// x264 with B-frames through FFmpeg's `-f rtp`: frames leave in decode order (I P B B P B B …),
    /// so consecutive timestamps step back and forth by up to three frames.
    @Test func infers90kHzVideoSentInDecodeOrder() {
        var estimator = ClockRateEstimator()
        let presentationOffsets = [2, 0, 1]   // decode order of a group shown as B B P: P first
        var decided: Int?
        for frame in 0..<90 {   // 3 s at 30 fps
            let group = frame / 3 * 3, offset = presentationOffsets[frame % 3]
            let timestamp = UInt32(1_000_000 + (group + offset) * 3000)
            let arrival = StatsFixture.nanoseconds(ms: Double(frame) * 1000 / 30)
            if let index = estimator.observe(time: arrival, timestamp: timestamp) { decided = index }
        }
        #expect(decided.map { ClockRateEstimator.candidates[$0] } == 90000)
    }

    @Test func notEnoughEvidenceStaysUnknown() {
        #expect(infer(rate: 48000, intervalMs: 20, jitterMs: 2, seconds: 0.3) == nil)
    }

    @Test func nonsenseTimestampsNeverDecide() {
        var estimator = ClockRateEstimator()
        var noise = StatsFixture.Noise()
        for index in 0..<500 {
            let timestamp = UInt32(truncatingIfNeeded: Int(noise.next(amplitude: 1) * 1e9))
            estimator.observe(time: StatsFixture.nanoseconds(ms: Double(index) * 20), timestamp: timestamp)
        }
        #expect(estimator.decidedRate == nil)
    }
}
