import Testing
@testable import RTPCore

/// Send pacing, codec activity, stall classification and the codec ↔ network correlation.
@Suite struct SendPacingTests {
    static let ms: Nanoseconds = 1_000_000
    static let base: Nanoseconds = 1_700_000_000_000_000_000

    /// 30 fps video, 90 kHz: the expected interval is one frame (3000 ticks = 33.3 ms), and a
    /// 150 ms hole is one stall at factor 3.
    @Test func aHoleLongerThanKFramesIsOneStall() {
        var pacing = SendPacing(stallFactor: 3)
        var stalls: [SendStall] = []
        var time = Self.base
        for frame in 0..<30 {
            if frame == 20 { time += 150 * Self.ms }
            // Two packets per frame, 1 ms apart, same timestamp.
            for packet in 0..<2 {
                if let stall = pacing.observe(time: time + Nanoseconds(packet) * Self.ms,
                                              timestamp: UInt32(frame * 3000), clockRate: 90000) {
                    stalls.append(stall)
                }
            }
            time += 33_333_333
        }
        #expect(pacing.expectedInterval == 33_333_333)
        #expect(stalls.count == 1)
        #expect(stalls.first.map { $0.length / Self.ms } == 182)  // 150 ms + one frame − 1 ms
        #expect(pacing.counts == SendStallCounts(codec: 0, other: 0, pending: 1))
        pacing.classify(.codec)
        #expect(pacing.counts == SendStallCounts(codec: 1, other: 0, pending: 0))
    }

    /// x264 sends B-frames in decode order: timestamps step +3, −2, +1… frames. The expectation
    /// must still be one frame, and regular sending no stall.
    @Test func decodeOrderTimestampsStillGiveOneFrame() {
        var pacing = SendPacing(stallFactor: 3)
        let order = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8, 12, 10, 11, 15, 13, 14]
        var stalls = 0
        for (index, frame) in order.enumerated() {
            if pacing.observe(time: Self.base + Nanoseconds(index) * 40 * Self.ms,
                              timestamp: UInt32(frame * 3600), clockRate: 90000) != nil { stalls += 1 }
        }
        #expect(pacing.expectedInterval == 40 * Self.ms)
        #expect(stalls == 0)
    }

    @Test func unknownClockMeansNoExpectationAndNoStall() {
        var pacing = SendPacing(stallFactor: 2)
        for index in 0..<10 {
            #expect(pacing.observe(time: Self.base + Nanoseconds(index * index) * 100 * Self.ms,
                                   timestamp: UInt32(index * 160), clockRate: nil) == nil)
        }
        #expect(pacing.expectedInterval == nil)
    }

    @Test func worstIntervalPerSecond() {
        var pacing = SendPacing(stallFactor: 3)
        for offset in [0, 100, 150, 900, 1_050, 1_060] {
            _ = pacing.observe(time: Self.base + Nanoseconds(offset) * Self.ms, timestamp: 0, clockRate: 8000)
        }
        let second = PerSecondMaxima.second(of: Self.base)
        // Kept as half-precision floats: three significant digits.
        #expect(abs((pacing.worstInterval.maximum(inSecond: second) ?? 0) - 0.75) < 0.75e-3)
        #expect(abs((pacing.worstInterval.maximum(inSecond: second + 1) ?? 0) - 0.15) < 0.15e-3)
        #expect(pacing.worstInterval.maximum(inSecond: second + 2) == nil)
    }

    /// The analyzer tracks pacing only for outgoing live streams and hands each stall over once.
    @Test func analyzerHandsOverStallsOfOutgoingStreamsOnly() {
        var configuration = AnalyzerConfiguration()
        configuration.sendStallFactor = 3
        let analyzer = StreamAnalyzer(configuration: configuration)
        for direction in [Direction.sent, .received] {
            let process = ProcessContext(pid: direction == .sent ? 10 : 11, comm: "x", direction: direction)
            for index in 0..<20 {
                let late = index >= 10 ? 200.0 : 0
                StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(index), ts: UInt32(index * 160)),
                                  atMs: Double(index) * 20 + late, process: process)
            }
        }
        #expect(analyzer.report().streams.first { $0.direction == .sent }?.sendStalls
                == SendStallCounts(codec: 0, other: 0, pending: 1))
        // Without codec probes the horizon is unbounded: the stall is decided now, once.
        analyzer.classifyPendingStalls(codecHorizon: .max)
        analyzer.classifyPendingStalls(codecHorizon: .max)
        let sent = analyzer.report().streams.first { $0.direction == .sent }
        #expect(sent?.sendStalls == SendStallCounts(codec: 0, other: 1, pending: 0))
        #expect(analyzer.report().streams.first { $0.direction == .received }?.sendStalls == nil)
    }
}

@Suite struct CodecActivityTests {
    static let ms: Nanoseconds = 1_000_000
    static let base: Nanoseconds = 1_700_000_000_000_000_000

    func call(_ pid: Int32, _ startMs: Int64, _ endMs: Int64, function: Int = 0) -> CodecCallRecord {
        CodecCallRecord(pid: pid, function: function, start: Self.base + startMs * Self.ms, end: Self.base + endMs * Self.ms)
    }

    /// Nested and overlapping calls are merged: coverage never exceeds the gap.
    @Test func busyFractionMergesOverlaps() {
        var activity = CodecActivity()
        activity.record(call(1, 10, 60))          // encode
        activity.record(call(1, 20, 30, function: 4)) // a bitstream filter inside it
        activity.record(call(1, 50, 80))          // another thread
        activity.record(call(2, 0, 100))          // another process
        #expect(activity.busyFraction(pid: 1, from: Self.base, to: Self.base + 100 * Self.ms) == 0.7)
        #expect(activity.busyFraction(pid: 1, from: Self.base + 90 * Self.ms, to: Self.base + 100 * Self.ms) == 0)
        #expect(activity.busyFraction(pid: 3, from: Self.base, to: Self.base + 100 * Self.ms) == 0)
    }

    @Test func ringKeepsTheLatestCalls() {
        var activity = CodecActivity(callsPerProcess: 4)
        for index in 0..<10 { activity.record(call(1, Int64(index) * 10, Int64(index) * 10 + 5)) }
        #expect(activity.busyFraction(pid: 1, from: Self.base, to: Self.base + 50 * Self.ms) == 0)
        #expect(activity.busyFraction(pid: 1, from: Self.base + 60 * Self.ms, to: Self.base + 100 * Self.ms) == 0.5)
    }

    /// A stall waits until the codec side has been drained past its end, then gets its cause.
    @Test func classifierWaitsForTheCodecHorizon() {
        var activity = CodecActivity()
        let key = StreamKey(transport: .udp, source: StatsFixture.sender, destination: StatsFixture.receiver,
                            ssrc: 1, pid: 7, direction: .sent)
        var classifier = StallClassifier()
        classifier.enqueue([
            (key, SendStall(start: Self.base, end: Self.base + 200 * Self.ms, expectedInterval: 33 * Self.ms)),
            (key, SendStall(start: Self.base + 1000 * Self.ms, end: Self.base + 1200 * Self.ms, expectedInterval: 33 * Self.ms)),
        ])
        activity.record(call(7, 20, 190))
        let early = classifier.classify(activity: activity, codecHorizon: Self.base + 500 * Self.ms)
        #expect(early.map(\.cause) == [.codec])
        #expect(classifier.pendingCount == 1)
        activity.record(call(7, 1000, 1050))  // covers a quarter only
        let late = classifier.classify(activity: activity, codecHorizon: Self.base + 2000 * Self.ms)
        #expect(late.map(\.cause) == [.other])
        #expect(classifier.pendingCount == 0)
    }
}

@Suite struct CorrelationCoefficientTests {
    @Test func pearsonKnownValues() {
        #expect(PearsonCorrelation.coefficient([(1, 2), (2, 4), (3, 6)]) == 1)
        #expect(PearsonCorrelation.coefficient([(1, 3), (2, 2), (3, 1)]) == -1)
        let r = PearsonCorrelation.coefficient([(1, 1), (2, 3), (3, 2), (4, 4)])
        #expect(r.map { abs($0 - 0.8) < 1e-12 } == true)
        #expect(PearsonCorrelation.coefficient([(1, 5), (2, 5), (3, 5)]) == nil)
        #expect(PearsonCorrelation.coefficient([(1, 5)]) == nil)
    }

    static let base: Nanoseconds = 1_700_000_000_000_000_000

    /// Seconds with an expensive encode have the long send gaps: r ≈ 1. Calls under the floor are
    /// noise and count as 0; with one side constant r is 0, and under 10 seconds it is undefined.
    @Test func codecNetworkCorrelation() {
        var sends = PerSecondMaxima(), codec = PerSecondMaxima(), noise = PerSecondMaxima()
        for second in 0..<12 {
            let at = Self.base + Nanoseconds(second) * 1_000_000_000 + 500_000_000
            let expensive = second % 2 == 0
            sends.record(expensive ? 0.25 : 0.034, at: at)
            codec.record(expensive ? 0.21 : 0.0004, at: at)
            noise.record(second % 3 == 0 ? 0.004 : 0.0003, at: at)
        }
        let now = Self.base + 12 * 1_000_000_000 + 1
        let r = CodecNetworkCorrelation.coefficient(sendIntervals: sends, codecLatency: codec, now: now, latencyFloor: 0.016)
        #expect(r.map { $0 > 0.99 } == true)
        #expect(CodecNetworkCorrelation.coefficient(sendIntervals: sends, codecLatency: noise, now: now, latencyFloor: 0.016) == 0)
        #expect(CodecNetworkCorrelation.coefficient(sendIntervals: sends, codecLatency: codec,
                                                    now: Self.base + 5 * 1_000_000_000) == nil)
    }
}

/// Regression (found by the SSRC flood test): with pacing on, a stream confirming at the cap used
/// a table index that the eviction had just invalidated.
@Suite struct PacingAtTheStreamCapTests {
    @Test func confirmingBeyondTheCapEvictsWithoutTouchingStaleIndices() {
        var configuration = AnalyzerConfiguration()
        configuration.sendStallFactor = 3
        configuration.maxStreams = 10
        let analyzer = StreamAnalyzer(configuration: configuration)
        let process = ProcessContext(pid: 5, comm: "flood", direction: .sent)
        for stream in 0..<500 {
            for packet in 0..<2 {
                StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(packet), ts: UInt32(packet * 160), ssrc: UInt32(stream)),
                                  atMs: Double(stream * 2 + packet), process: process)
            }
        }
        #expect(analyzer.report().streams.count == 10)
        #expect(analyzer.evictedStreams == 490)
    }
}

/// Regression (found by fuzzing the live record decoder into the analyzer): times at the ends of
/// the Int64 range must not trap in the pacing and correlation arithmetic.
@Suite struct PacingExtremeTimesTests {
    @Test func extremeTimesDoNotTrap() {
        var pacing = SendPacing(stallFactor: 3)
        for (index, time) in [Nanoseconds.min, .max, .min, 0, .max, -1].enumerated() {
            _ = pacing.observe(time: time, timestamp: UInt32(index * 160), clockRate: 8000)
        }
        #expect(PerSecondMaxima.second(of: .min) == Nanoseconds.min / 1_000_000_000 - 1)
        #expect(PerSecondMaxima.second(of: -1) == -1)
        #expect(PerSecondMaxima.second(of: -1_000_000_000) == -1)
        var activity = CodecActivity()
        activity.record(CodecCallRecord(pid: 1, function: 0, start: .min, end: .max))
        #expect(activity.busyFraction(pid: 1, from: .min, to: .max) == 1)
    }
}
