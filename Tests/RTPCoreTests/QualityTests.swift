import Testing
@testable import RTPCore

@Suite("E-model (ITU-T G.107)")
struct EModelTests {
    @Test func elementaryFunctionsMatchKnownValues() {
        #expect(abs(ElementaryMath.exp(1) - 2.718281828459045) < 1e-14)
        #expect(abs(ElementaryMath.exp(-3.5) - 0.0301973834223185) < 1e-16)
        #expect(abs(ElementaryMath.log(10) - 2.302585092994046) < 1e-14)
        #expect(abs(ElementaryMath.log(0.001) - (-6.907755278982137)) < 1e-13)
        #expect(abs(ElementaryMath.log(1234.5) - 7.118421308785234) < 1e-13)
        #expect(ElementaryMath.exp(-800) == 0)
    }

    /// G.107 §7 with every Table 3 default: Ro 94.77, Is 1.41, Id 0.15, R 93.2; MOS 4.41 (Annex B).
    @Test func defaultsGiveRating93Point2() {
        let p = EModel.Parameters()
        let (ro, no) = EModel.basicSignalToNoise(p)
        #expect(abs(ro - 94.77) < 0.005)
        #expect(abs(no - (-61.18)) < 0.005)
        #expect(abs(EModel.simultaneousImpairment(p, ro: ro, no: no) - 1.41) < 0.005)
        #expect(abs(EModel.delayImpairment(p, ro: ro, no: no) - 0.15) < 0.005)
        let r = EModel.rating(p)
        #expect(abs(r - 93.2) < 0.02)
        #expect(abs(EModel.mos(rating: r) - 4.41) < 0.005)
    }

    /// G.711 with PLC (Ie 0, Bpl 25.1) and 5 % random loss: Ie,eff = 95·5/(5 + 25.1) = 15.78,
    /// R = 93.2 − 15.78 = 77.4, MOS = 1 + 0.035R + R(R − 60)(100 − R)·7e−6 = 3.92.
    @Test func g711WithFivePercentRandomLoss() throws {
        let parameters = try #require(VoiceCodec.g711.parameters(lossPercent: 5, burstRatio: 1, oneWayDelayMs: 0))
        #expect(abs(EModel.effectiveEquipmentImpairment(parameters) - 15.78) < 0.005)
        let r = EModel.rating(parameters)
        #expect(abs(r - 77.4) < 0.05)
        #expect(abs(EModel.mos(rating: r) - 3.92) < 0.005)
    }

    /// Ta = 200 ms: X = log2(2) = 1, Idd = 25·((2)^(1/6) − 3(1 + 3^−6)^(1/6) + 2) = 3.044 (eq. 7-27).
    @Test func absoluteDelayImpairment() {
        var p = EModel.Parameters()
        let (ro, no) = EModel.basicSignalToNoise(p)
        let base = EModel.delayImpairment(p, ro: ro, no: no)
        p.absoluteDelay = 200
        #expect(abs(EModel.delayImpairment(p, ro: ro, no: no) - base - 3.044) < 0.001)
        p.absoluteDelay = 100
        #expect(abs(EModel.delayImpairment(p, ro: ro, no: no) - base) < 1e-12)
    }

    @Test func mosMappingEnds() {
        #expect(EModel.mos(rating: -5) == 1)
        #expect(EModel.mos(rating: 120) == 4.5)
        #expect(abs(EModel.mos(rating: 50) - (1 + 1.75 + 50 * -10 * 50 * 7e-6)) < 1e-12)
    }

    @Test func codecsByEncodingName() {
        #expect(VoiceCodec.identify(encodingName: "PCMU") == .g711)
        #expect(VoiceCodec.identify(encodingName: "pcma") == .g711)
        #expect(VoiceCodec.identify(encodingName: "G729") == .g729)
        #expect(VoiceCodec.identify(encodingName: "opus") == nil)
        #expect(VoiceCodec.identify(encodingName: "H264") == nil)
        #expect(VoiceCodec.identify(encodingName: nil) == nil)
        // No Bpl tabulated: rated without loss only.
        #expect(VoiceCodec.g726_32.parameters(lossPercent: 1, burstRatio: 1, oneWayDelayMs: 0) == nil)
        #expect(VoiceCodec.g726_32.parameters(lossPercent: 0, burstRatio: 1, oneWayDelayMs: 0)?.equipmentImpairment == 7)
    }
}

@Suite("RFC 3611 burst/gap (Gmin 16)")
struct BurstGapTests {
    /// 20 received, 1 lost, 20 received, 1 lost, 3 received, 2 lost, 20 received, 1 lost, 20 received:
    /// 88 positions. Losses 2 and 3 are 3 apart and 3 and 4 adjacent (fewer than 16 received between):
    /// one burst from the 2nd to the 4th loss, 1 + 3 + 2 = 6 positions with 3 losses. The 1st and 5th
    /// losses have ≥ 16 received on both sides: isolated, gap losses. Gap: 82 positions, 2 lost.
    @Test func handCountedPattern() {
        var counter = BurstGapCounter()
        func receive(_ n: Int) { for _ in 0..<n { counter.received() } }
        receive(20); counter.lost(1); receive(20); counter.lost(1); receive(3); counter.lost(2)
        receive(20); counter.lost(1); receive(20)
        let summary = counter.summary
        #expect(summary == BurstGapCounter.Summary(bursts: 1, burstPositions: 6, burstLosses: 3, gapPositions: 82, gapLosses: 2))
        #expect(summary.burstDensity == 0.5)
        #expect(summary.gapDensity == 2.0 / 82)
        #expect(summary.meanBurstPackets == 6)
        #expect(summary.meanGapPackets == 41)
    }

    /// Exactly Gmin (16) received between two losses ends the cluster: two isolated losses, no burst;
    /// 15 keeps them in one burst of 17 positions.
    @Test func gMinBoundary() {
        var apart = BurstGapCounter(receivedBefore: 30)
        apart.lost(1); for _ in 0..<16 { apart.received() }; apart.lost(1); for _ in 0..<30 { apart.received() }
        #expect(apart.summary.bursts == 0)
        #expect(apart.summary.gapLosses == 2)
        var close = BurstGapCounter(receivedBefore: 30)
        close.lost(1); for _ in 0..<15 { close.received() }; close.lost(1); for _ in 0..<30 { close.received() }
        #expect(close.summary == BurstGapCounter.Summary(bursts: 1, burstPositions: 17, burstLosses: 2, gapPositions: 60, gapLosses: 0))
    }

    /// The same pattern through the analyzer as sequence gaps (PCMU, 20 ms): the JSON's figures.
    @Test func sequenceGapsThroughTheAnalyzer() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let lost: Set<Int> = [20, 41, 45, 46, 67]
        for position in 0..<88 where !lost.contains(position) {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(1000 + position), ts: UInt32(position * 160)),
                              atMs: Double(position) * 20)
        }
        let stream = try #require(analyzer.report().streams.first)
        let quality = try #require(stream.quality)
        #expect(stream.lost == 5)
        #expect(quality.bursts == 1)
        #expect(quality.burstDensity == 0.5)
        #expect(quality.gapDensity == 2.0 / 82)
        // 20 ms per position (87 intervals over 1.74 s): bursts 6 positions, gaps 41.
        #expect(abs((quality.burstDurationMs ?? 0) - 120) < 1e-9)
        #expect(abs((quality.gapDurationMs ?? 0) - 820) < 1e-9)
        #expect(quality.maxLossRun == 2)
        #expect(quality.lossRuns == [3, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        // No late packet: every model's effective loss is the network's.
        #expect(quality.jitterBuffers.allSatisfy { $0.discarded == 0 && $0.effectiveLoss == 5.0 / 88 })
    }
}

@Suite("Jitter-buffer models")
struct JitterBufferTests {
    /// 500 PCMU packets every 20 ms; packets 100…104 arrive 60 ms late (a delay step: still in order).
    /// F1 (50 ms) discards all 5; F2 (200 ms) none; the adaptive buffer discards the first, grows to
    /// 70 ms and plays the other four.
    static func delayStep() -> StreamAnalyzer {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<500 {
            let late = (100...104).contains(i) ? 60.0 : 0
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160)), atMs: Double(i) * 20 + late)
        }
        return analyzer
    }

    @Test func discardsPerModel() throws {
        let stream = try #require(Self.delayStep().report().streams.first)
        let quality = try #require(stream.quality)
        #expect(stream.lost == 0)
        #expect(quality.jitterBuffers.map(\.name) == ["F1", "F2", "adaptive"])
        #expect(quality.jitterBuffers.map(\.discarded) == [5, 0, 1])
        #expect(quality.jitterBuffers.map(\.effectiveLoss) == [5.0 / 500, 0, 1.0 / 500])
        // F1 lost one run of 5 at p = 1 %: BurstR = 5 · (1 − 0.01) = 4.95; adaptive one of 1: 0.998.
        #expect(abs(quality.jitterBuffers[0].burstRatio - 4.95) < 1e-12)
        #expect(abs(quality.jitterBuffers[2].burstRatio - 0.998) < 1e-12)
        #expect(quality.primary?.name == "adaptive")
        // Delay buckets: the 5 packets deviate by 60 ms (> 50, not > 70).
        #expect(quality.delayVariation.map(\.packets) == [5, 0, 0, 0, 0, 0, 0])
        #expect(quality.delayVariation[0].share == 5.0 / 500)
        // The adaptive buffer's mean delay is above where it started, below its peak (70 ms).
        let adaptive = quality.jitterBuffers[2]
        #expect(adaptive.meanDelayMs > 50 && adaptive.meanDelayMs < 70)
        // G.711 rated on every model; F1, with 1 % bursty loss, worst.
        let mos = quality.jitterBuffers.compactMap(\.mos)
        #expect(mos.count == 3)
        #expect(mos[0] < mos[2])
        #expect(quality.codec == "G.711" && quality.scale == "G.107")
    }

    /// F1's R from G.107 by hand: Ppl 1, BurstR 4.95, Bpl 25.1 → Ie,eff = 95/(1/4.95 + 25.1), delay 50 ms.
    @Test func fixedModelRatingFollowsG107() throws {
        let quality = try #require(Self.delayStep().report().streams.first?.quality)
        var p = EModel.Parameters()
        p.packetLossPercent = 1; p.burstRatio = 4.95; p.packetLossRobustness = 25.1
        p.meanOneWayDelay = 50; p.absoluteDelay = 50; p.roundTripDelay = 100
        #expect(abs(EModel.effectiveEquipmentImpairment(p) - 95 / (1 / 4.95 + 25.1)) < 1e-12)
        #expect(quality.jitterBuffers[0].rFactor == (EModel.rating(p) * 100).rounded() / 100)
    }

    /// A stream whose times span more than an Int64 of nanoseconds (a hostile kernel record or a
    /// corrupt capture: the fuzzer's FuzzKernelEvent-quality-time-span input) is rated, not trapped
    /// on an overflowing subtraction: the report's time differences are taken in Double.
    @Test func timesSpanningMoreThanAnInt64AreRated() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let times: [Nanoseconds] = [.min + 1, .min + 2, 0, .max - 1]
        for (index, time) in times.enumerated() {
            // Sequence 0, 1, 3, 4: one loss, so the stream has quality state.
            let seq = UInt16(index < 2 ? index : index + 1)
            StatsFixture.rtp(seq: seq, ts: UInt32(seq) * 160).withUnsafeBytes { buffer in
                analyzer.ingest(Datagram(time: time, transport: .udp, source: StatsFixture.sender,
                                         destination: StatsFixture.receiver, payload: buffer))
            }
        }
        let stream = try #require(analyzer.report().streams.first)
        #expect(stream.packets == 4 && stream.lost == 1)
        let quality = try #require(stream.quality)
        #expect(quality.mos.map { (1...4.5).contains($0) } == true)
        #expect(quality.mosMin.map { $0.isFinite } == true && quality.mosMean.map { $0.isFinite } == true)
    }

    @Test func parsesTheOption() throws {
        let models = try JitterBufferModel.parseList("fixed:40,adaptive:300,fixed:120").get()
        #expect(models.map(\.name) == ["F1", "adaptive", "F2"])
        #expect(models.map(\.delay) == [40_000_000, 300_000_000, 120_000_000])
        #expect(QualitySettings(models: models).primaryIndex == 1)
        #expect(QualitySettings(models: models).triggerThreshold == 40_000_000)
        for bad in ["", "fixed", "fixed:0", "adaptive:x", "elastic:50", "fixed:50,,fixed:60"] {
            #expect(throws: JitterBufferSpecError.self) { try JitterBufferModel.parseList(bad).get() }
        }
    }
}

@Suite("Stream quality")
struct StreamQualityTests {
    /// A clean stream allocates no quality state; its MOS is the codec's with the buffer's delay.
    @Test func cleanStreamAllocatesNothing() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<200 {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160), pt: 8), atMs: Double(i) * 20)
        }
        let stream = try #require(analyzer.report().streams.first)
        let quality = try #require(stream.quality)
        #expect(analyzer.streams.entries.allSatisfy { $0.measurements.heapBytes == 0 })
        let expected = EModel.mos(rating: EModel.rating(VoiceCodec.g711.parameters(lossPercent: 0, burstRatio: 1, oneWayDelayMs: 50)!))
        #expect(quality.mos == (expected * 100).rounded() / 100)
        #expect(quality.mosMin == quality.mos)
        #expect(quality.mosMean == quality.mos)
        #expect(quality.burstDensity == 0 && quality.gapDensity == 0 && quality.maxLossRun == 0)
        // F2 plays 200 ms later: G.107's delay impairment (Ta > 100 ms) lowers its R.
        #expect((quality.jitterBuffer(named: "F2")?.rFactor ?? 100) < (quality.jitterBuffer(named: "F1")?.rFactor ?? 0))
    }

    /// A dynamic payload type nothing names: no codec, so no R or MOS (never a made-up number).
    @Test func unknownCodecHasNoMOS() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<100 where i != 50 {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160), pt: 111), atMs: Double(i) * 20)
        }
        let quality = try #require(analyzer.report().streams.first?.quality)
        #expect(quality.codec == nil && quality.rFactor == nil && quality.mos == nil && quality.mosMin == nil)
        #expect(quality.jitterBuffers.allSatisfy { $0.mos == nil })
        #expect(quality.maxLossRun == 1)
    }

    /// 60 s of PCMU with 50 packets (1 s) lost at 32 s: the 10 s window holding the loss has the lowest
    /// MOS; the time-weighted mean sits between it and a clean window's; the whole-stream MOS (1/60 of
    /// the loss) is above the window minimum.
    @Test func intervalMOSMovesWithLoss() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<3000 where !(1600..<1650).contains(i) {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160)), atMs: Double(i) * 20)
        }
        let quality = try #require(analyzer.report().streams.first?.quality)
        let clean = EModel.mos(rating: EModel.rating(VoiceCodec.g711.parameters(lossPercent: 0, burstRatio: 1, oneWayDelayMs: 50)!))
        let minimum = try #require(quality.mosMin), mean = try #require(quality.mosMean), whole = try #require(quality.mos)
        #expect(minimum < mean && mean < clean)
        #expect(minimum < whole)
        #expect(quality.maxLossRun == 50 && quality.lossRuns[9] == 1)
    }
}

@Suite("RTCP XR beside our quality")
struct ReportedQualityTests {
    /// An XR with a VoIP-metrics block (RFC 3611 §4.7) about the stream's SSRC: loss 12/256, R 80,
    /// external R unavailable (127), MOS-LQ unavailable, MOS-CQ 38 (3.8), adaptive buffer (JBA 3).
    static func voipMetricsXR(about source: UInt32) -> [UInt8] {
        var block: [UInt8] = [7, 0, 0, 8] + StatsFixture.withBigEndian(source)
        block += [12, 3, 64, 2]                       // loss, discard, burst density, gap density
        block += [0, 120, 1, 44]                      // burst duration 120 ms, gap duration 300 ms
        block += [0, 90, 0, 40]                       // round trip 90 ms, end system delay 40 ms
        block += [UInt8(bitPattern: -20), UInt8(bitPattern: -60), 127, 16]  // signal, noise, RERL n/a, Gmin
        block += [80, 127, 127, 38]                   // R, external R, MOS-LQ, MOS-CQ
        block += [0x30, 0, 0, 60, 0, 120, 0, 200]     // RX config JBA adaptive, JB nominal/max/abs max
        #expect(block.count == 36)
        return [0x80, 207, 0, 10] + StatsFixture.withBigEndian(0xFEED) + block
    }

    @Test func reportedValuesSitBesideOurs() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<50 {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160)), atMs: Double(i) * 20)
        }
        StatsFixture.feed(analyzer, Self.voipMetricsXR(about: 0x1234_5678), atMs: 1000,
                          from: StatsFixture.receiver, to: StatsFixture.sender)
        let quality = try #require(analyzer.report().streams.first?.quality)
        let reported = try #require(quality.rtcpXR)
        #expect(reported.reporterSSRC == 0xFEED)
        let metrics = try #require(reported.voipMetrics)
        #expect(metrics.lossRate == 12.0 / 256 && metrics.burstDensity == 0.25)
        #expect(metrics.burstDurationMs == 120 && metrics.gapDurationMs == 300 && metrics.roundTripDelayMs == 90)
        #expect(metrics.signalLevelDBm == -20 && metrics.noiseLevelDBm == -60 && metrics.residualEchoReturnLossDB == nil)
        #expect(metrics.rFactor == 80 && metrics.externalRFactor == nil && metrics.mosLQ == nil && metrics.mosCQ == 3.8)
        #expect(metrics.jitterBufferAdaptive == true && metrics.jitterBufferAbsoluteMaximumMs == 200)
        #expect(reported.statisticsSummary == nil)
        // Ours, for the same stream: clean G.711.
        #expect(quality.mos != nil && quality.roundTripMs == nil)
    }
}

@Suite("Video frames")
struct VideoQualityTests {
    /// H.264-like 90 kHz stream, 25 fps (3600 units, 40 ms), 3 packets per frame, 100 frames. Frame 30
    /// loses its middle packet and frame 60 its first (two damaged frames); frame 80 arrives 200 ms after
    /// frame 79 (> 3 × 40 ms: a freeze) and frames 81… keep their media pace after it.
    @Test func damagedFramesAndAFreeze() throws {
        var configuration = AnalyzerConfiguration()
        configuration.explicitClockRates = [96: 90000]
        let analyzer = StreamAnalyzer(configuration: configuration)
        var sequence: UInt16 = 0
        for frame in 0..<100 {
            let late: Double = frame >= 80 ? 160 : 0
            for packet in 0..<3 {
                defer { sequence &+= 1 }
                if (frame == 30 && packet == 1) || (frame == 60 && packet == 0) { continue }
                StatsFixture.feed(analyzer, StatsFixture.rtp(seq: sequence, ts: UInt32(frame * 3600), pt: 96,
                                                             marker: packet == 2, payloadBytes: 1000),
                                  atMs: Double(frame) * 40 + Double(packet) + late)
            }
        }
        let quality = try #require(analyzer.report().streams.first?.quality)
        #expect(quality.framesDamaged == 2)
        #expect(quality.freezes == 1)
        #expect(quality.mos == nil)
    }

    @Test func audioHasNoVideoFields() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<50 {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160)), atMs: Double(i) * 20)
        }
        let quality = try #require(analyzer.report().streams.first?.quality)
        #expect(quality.framesDamaged == nil && quality.freezes == nil)
    }
}

@Suite("E-model bounds and short streams")
struct EModelBoundsTests {
    /// 60 % loss in bursts (BurstR 8): eq. 7-29 gives Ie,eff = 95·60/(60/8 + 25.1) = 174.8 > 95 and R
    /// far below 0; R is reported as 0 (MOS 1).
    @Test func heavyBurstyLossBottomsOut() throws {
        let parameters = try #require(VoiceCodec.g711.parameters(lossPercent: 60, burstRatio: 8, oneWayDelayMs: 0))
        #expect(abs(EModel.effectiveEquipmentImpairment(parameters) - 95 * 60 / (60.0 / 8 + 25.1)) < 1e-9)
        #expect(EModel.rating(parameters) == 0)
        #expect(EModel.mos(rating: EModel.rating(parameters)) == 1)
    }

    /// A 4 s stream with one loss: its only (open) window is the impaired one, so mos_min is not above
    /// the whole-stream MOS.
    @Test func shortStreamMinimumIsItsImpairedWindow() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<200 where i != 150 {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160)), atMs: Double(i) * 20)
        }
        let quality = try #require(analyzer.report().streams.first?.quality)
        let minimum = try #require(quality.mosMin), whole = try #require(quality.mos)
        #expect(minimum < whole)
    }
}
