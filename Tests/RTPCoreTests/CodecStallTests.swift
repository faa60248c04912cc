import Testing
@testable import RTPCore

/// The analyzer's codec side (`StreamAnalyzer.recordCodecCall`, `classifyPendingStalls`,
/// `report(codecCorrelationAt:)`): what the live monitor feeds it, checked on hand-made sends and
/// calls whose answers are worked out here.
@Suite struct CodecStallTests {
    static let pid: Int32 = 4242
    static let sender = ProcessContext(pid: pid, comm: "encoder", direction: .sent)
    /// A whole epoch second: per-second series line up with the fixture's milliseconds.
    static let base: Nanoseconds = 1_700_000_000_000_000_000

    static func analyzer() -> StreamAnalyzer {
        var configuration = AnalyzerConfiguration()
        configuration.sendStallFactor = 3
        configuration.codecFunctionNames = [0: "avcodec_send_frame", 3: "avcodec_receive_frame"]
        return StreamAnalyzer(configuration: configuration)
    }

    /// PCMU (8 kHz, one packet per 20 ms slot) sent by `sender` in the slots `slots` (ms = 20 × slot):
    /// the timestamp follows the slot, so the expected interval stays 20 ms across a hole.
    static func send(_ analyzer: StreamAnalyzer, slots: [Int]) {
        for (index, slot) in slots.enumerated() {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(truncatingIfNeeded: index), ts: UInt32(slot * 160)),
                              atMs: Double(slot * 20), process: sender)
        }
    }

    static func call(function: Int = 0, fromMs start: Double, toMs end: Double) -> CodecCallRecord {
        CodecCallRecord(pid: pid, function: function, start: StatsFixture.nanoseconds(ms: start),
                        end: StatsFixture.nanoseconds(ms: end))
    }

    static func stalls(_ analyzer: StreamAnalyzer) -> SendStallCounts? {
        analyzer.report().streams.first { $0.direction == .sent }?.sendStalls
    }

    /// Two 200 ms holes (slots 20→30 and 60→70: 400–600 ms and 1200–1400 ms). An encode call covers
    /// 180 of the first hole's 200 ms: a codec stall. The second has a 40 ms call only: other. A
    /// stall whose end is past what the codec side has delivered waits.
    @Test func aCallCoveringMostOfTheGapMakesACodecStall() {
        let analyzer = Self.analyzer()
        Self.send(analyzer, slots: Array(0...20) + Array(30...60) + Array(70...90))
        analyzer.recordCodecCall(Self.call(fromMs: 410, toMs: 590))
        analyzer.recordCodecCall(Self.call(fromMs: 1250, toMs: 1290))
        #expect(Self.stalls(analyzer) == SendStallCounts(codec: 0, other: 0, pending: 2))

        // Codec records delivered up to 1 s: the first stall (ends at 600 ms) is decided, the second waits.
        analyzer.classifyPendingStalls(codecHorizon: StatsFixture.nanoseconds(ms: 1000))
        #expect(Self.stalls(analyzer) == SendStallCounts(codec: 1, other: 0, pending: 1))

        analyzer.classifyPendingStalls(codecHorizon: StatsFixture.nanoseconds(ms: 2000))
        #expect(Self.stalls(analyzer) == SendStallCounts(codec: 1, other: 1, pending: 0))
    }

    /// A call of another process in the gap explains nothing; a forgotten process's calls neither.
    @Test func onlyTheSendingProcessesCallsCount() {
        let analyzer = Self.analyzer()
        Self.send(analyzer, slots: Array(0...20) + Array(30...50))
        analyzer.recordCodecCall(CodecCallRecord(pid: Self.pid + 1, function: 0, start: StatsFixture.nanoseconds(ms: 400),
                                                 end: StatsFixture.nanoseconds(ms: 600)))
        analyzer.recordCodecCall(Self.call(fromMs: 400, toMs: 600))
        #expect(Set(analyzer.codecProcesses) == [Self.pid, Self.pid + 1])
        analyzer.forgetCodecActivity(keeping: [Self.pid + 1])
        #expect(analyzer.codecProcesses == [Self.pid + 1])
        analyzer.classifyPendingStalls(codecHorizon: .max)
        #expect(Self.stalls(analyzer) == SendStallCounts(codec: 0, other: 1, pending: 0))
    }

    /// Fifteen seconds of 20 ms sends, each second with one hole of `holeMs` (its worst send
    /// interval) and one encode call of `latencyMs` (its worst latency). The report's correlation is
    /// Pearson's r of the two per-second series, calls under half the 20 ms interval counting as 0.
    @Test func reportCarriesPearsonsROfThePerSecondSeries() throws {
        let holeMs = [20, 100, 40, 200, 60, 20, 140, 80, 20, 300, 40, 120, 20, 60, 180]
        let latencyMs = [2.0, 70, 15, 150, 30, 5, 100, 40, 3, 250, 20, 90, 4, 45, 160]
        let analyzer = Self.analyzer()
        var slots: [Int] = []
        for (second, hole) in holeMs.enumerated() {
            // Slots 0…49 of the second, less the hole's (hole/20 − 1) slots after slot 10.
            let missing = 11..<(11 + hole / 20 - 1)
            slots += (0..<50).filter { !missing.contains($0) }.map { second * 50 + $0 }
            let end = Double(second * 1000 + 700)
            analyzer.recordCodecCall(Self.call(fromMs: end - latencyMs[second], toMs: end))
            // A cheap call of another function every second: under the floor, so always 0 → r = 0.
            analyzer.recordCodecCall(Self.call(function: 3, fromMs: end, toMs: end + 1))
        }
        Self.send(analyzer, slots: slots)

        // Pearson's r, written out: x the latency (0 under the 10 ms floor), y the worst interval.
        let x = latencyMs.map { $0 >= 10 ? $0 / 1000 : 0 }
        let y = holeMs.map { Double($0) / 1000 }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let syy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        let expected = sxy / (sxx * syy).squareRoot()

        let now = Self.base + 15 * 1_000_000_000 + 1   // seconds 0…14 are complete
        let stream = try #require(analyzer.report(codecCorrelationAt: now).streams.first)
        let correlation = try #require(stream.codecCorrelation)
        // Completed seconds are kept in half precision (three significant digits).
        #expect(abs(try #require(correlation["avcodec_send_frame"]) - expected) < 1e-3)
        #expect(correlation["avcodec_receive_frame"] == 0)
        #expect(expected > 0.9)

        // The scrape's path: the correlator copied from the analyzer gives the same figures.
        let snapshot = try #require(analyzer.streamSnapshots().first)
        #expect(analyzer.codecCorrelator.correlation(of: snapshot, now: now) == correlation)
        // Offline (no time given) and before ten seconds of sends, no correlation.
        #expect(analyzer.report().streams.first?.codecCorrelation == nil)
        #expect(analyzer.report(codecCorrelationAt: Self.base + 5 * 1_000_000_000).streams.first?.codecCorrelation == nil)
    }
}
