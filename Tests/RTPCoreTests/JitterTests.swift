import Testing
@testable import RTPCore

@Suite("RFC 3550 A.8 jitter")
struct JitterTests {
    private let ms: Nanoseconds = 1_000_000

    @Test func threePacketsByHand() {
        // 8 kHz, 20 ms packets. Packet 2 on time: D = 160 − 160 = 0, J = 0.
        // Packet 3 arrives 10 ms late: arrival step 30 ms = 240 units, timestamp step 160 → D = 80,
        // J = 0 + (80 − 0)/16 = 5 units = 0.625 ms.
        var jitter = JitterEstimator(clockRate: 8000)
        jitter.update(arrival: 0, timestamp: 1000)
        jitter.update(arrival: 20 * ms, timestamp: 1160)
        #expect(jitter.jitter == 0)
        jitter.update(arrival: 50 * ms, timestamp: 1320)
        #expect(abs(jitter.jitter - 5) < 1e-9)
        #expect(abs(jitter.milliseconds(jitter.jitter) - 0.625) < 1e-9)
        #expect(jitter.maxJitter == jitter.jitter)
        #expect(abs((jitter.meanJitter ?? -1) - 2.5) < 1e-9)   // mean of J over the 2 updates (0, 5)
    }

    @Test func timestampWrapIsSeamless() {
        var jitter = JitterEstimator(clockRate: 8000)
        jitter.update(arrival: 0, timestamp: 0xFFFF_FF60)
        jitter.update(arrival: 20 * ms, timestamp: 0)          // +160 across the wrap
        jitter.update(arrival: 40 * ms, timestamp: 160)
        #expect(jitter.jitter == 0)
        #expect(jitter.timestampJumps == 0)
    }

    @Test func timestampJumpIsCountedNotFolded() {
        var jitter = JitterEstimator(clockRate: 8000)
        jitter.update(arrival: 0, timestamp: 0)
        jitter.update(arrival: 20 * ms, timestamp: 160)
        jitter.update(arrival: 40 * ms, timestamp: 160 + 8000 * 5)   // 5 s of media in 20 ms
        #expect(jitter.timestampJumps == 1)
        #expect(jitter.jitter == 0)
        jitter.update(arrival: 60 * ms, timestamp: 160 + 8000 * 5 + 160)
        #expect(jitter.jitter == 0)
    }

    @Test func multiRateKeepsTheSelectedCandidate() {
        var bank = MultiRateJitter(candidates: ClockRateEstimator.candidates)
        #expect(bank.current == nil)
        bank.update(arrival: 0, timestamp: 0)
        bank.update(arrival: 20 * ms, timestamp: 960)
        bank.update(arrival: 50 * ms, timestamp: 1920)   // 10 ms late at 48 kHz: D = 480, J = 30
        bank.select(4)                                   // 48000
        let chosen = bank.current
        #expect(chosen?.clockRate == 48000)
        #expect(abs((chosen?.jitter ?? 0) - 30) < 1e-9)
        #expect(abs((chosen.map { $0.milliseconds($0.jitter) } ?? 0) - 0.625) < 1e-9)
    }
}
