/// What a listener would have heard of a stream: RFC 3611 burst/gap loss, loss runs, the jitter-buffer
/// models' discards and the E-model (G.107) rating under each. Part of `StreamReport` (`quality`, with
/// the headline figures also written flat on the stream: `r_factor`, `mos`, `mos_min`…).
///
/// Ratios are fractions 0…1; durations in milliseconds. R and MOS are null for a codec whose E-model
/// values are not known (`VoiceCodec`), never a made-up number.
public struct StreamQuality: Codable, Sendable, Equatable {
    /// The codec the E-model rated (`G.711`…), nil when not rated.
    public var codec: String?
    /// The rating scale (`G.107`: narrowband R 0…100, MOS 1…4.5), nil when not rated.
    public var scale: String?
    /// R and MOS of the primary model (the adaptive buffer unless `--jitter-buffers` has none) over
    /// the whole stream.
    public var rFactor: Double?
    public var mos: Double?
    /// Lowest and time-weighted mean MOS over 10 s windows of the primary model: a MOS that moves
    /// when loss happens. Windows without packets are left out.
    public var mosMin: Double?
    public var mosMean: Double?
    /// RFC 3611 §4.7.2, Gmin 16, from the sequence numbers.
    public var burstDensity: Double
    public var gapDensity: Double
    public var burstDurationMs: Double?
    public var gapDurationMs: Double?
    public var bursts: UInt64
    /// Loss runs (consecutive lost sequence numbers) of length 1…9 and 10 or more, and the longest.
    public var lossRuns: [UInt64]
    public var maxLossRun: UInt64
    /// Packets whose transit exceeded the stream's transit floor by more than each bound.
    public var delayVariation: [DelayVariationBucket]
    public var jitterBuffers: [JitterBufferReport]
    /// Index of the primary model in `jitterBuffers`.
    public var primaryJitterBuffer: Int
    /// Video (90 kHz clock): frames with a missing packet, and freezes (a new frame later than 3 frame
    /// durations after the previous one). nil for other streams.
    public var framesDamaged: UInt64? = nil
    public var freezes: UInt64? = nil
    /// The RTCP round trip whose half was added to each model's delay (ms), nil when none was measured.
    public var roundTripMs: Double? = nil
    /// What an endpoint reported about the stream in RTCP XR (its own R, MOS, burst/gap…), if any.
    public var rtcpXR: ReportedQuality? = nil

    public var primary: JitterBufferReport? {
        jitterBuffers.indices.contains(primaryJitterBuffer) ? jitterBuffers[primaryJitterBuffer] : nil
    }
    /// The model named so (`F1`, `F2`, `adaptive`), if configured.
    public func jitterBuffer(named name: String) -> JitterBufferReport? { jitterBuffers.first { $0.name == name } }

    enum CodingKeys: String, CodingKey {
        case codec, scale, rFactor = "r_factor", mos, mosMin = "mos_min", mosMean = "mos_mean"
        case burstDensity = "burst_density", gapDensity = "gap_density"
        case burstDurationMs = "burst_duration_ms", gapDurationMs = "gap_duration_ms", bursts
        case lossRuns = "loss_runs", maxLossRun = "max_loss_run", delayVariation = "delay_variation"
        case jitterBuffers = "jitter_buffers", primaryJitterBuffer = "primary_jitter_buffer"
        case roundTripMs = "rtt_ms", rtcpXR = "rtcp_xr"
        case framesDamaged = "frames_damaged", freezes
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(codec, forKey: .codec)
        try c.encode(scale, forKey: .scale)
        try c.encode(rFactor, forKey: .rFactor)
        try c.encode(mos, forKey: .mos)
        try c.encode(mosMin, forKey: .mosMin)
        try c.encode(mosMean, forKey: .mosMean)
        try c.encode(burstDensity, forKey: .burstDensity)
        try c.encode(gapDensity, forKey: .gapDensity)
        try c.encode(burstDurationMs, forKey: .burstDurationMs)
        try c.encode(gapDurationMs, forKey: .gapDurationMs)
        try c.encode(bursts, forKey: .bursts)
        try c.encode(lossRuns, forKey: .lossRuns)
        try c.encode(maxLossRun, forKey: .maxLossRun)
        try c.encode(delayVariation, forKey: .delayVariation)
        try c.encode(jitterBuffers, forKey: .jitterBuffers)
        try c.encode(primaryJitterBuffer, forKey: .primaryJitterBuffer)
        try c.encodeIfPresent(framesDamaged, forKey: .framesDamaged)
        try c.encodeIfPresent(freezes, forKey: .freezes)
        try c.encode(roundTripMs, forKey: .roundTripMs)
        try c.encode(rtcpXR, forKey: .rtcpXR)
    }
}

public struct DelayVariationBucket: Codable, Sendable, Equatable {
    public var thresholdMs: Double
    public var packets: UInt64
    /// Of all the stream's packets.
    public var share: Double

    enum CodingKeys: String, CodingKey { case thresholdMs = "threshold_ms", packets, share }
}

/// One jitter-buffer model's outcome for a stream.
public struct JitterBufferReport: Codable, Sendable, Equatable {
    public var name: String
    public var kind: JitterBufferModel.Kind
    /// Fixed: the playout delay; adaptive: its maximum.
    public var delayMs: Double
    /// The delay the E-model was given: fixed, the delay; adaptive, its mean over the stream's packets.
    public var meanDelayMs: Double
    public var discarded: UInt64
    /// (lost + discarded) / expected, 0…1.
    public var effectiveLoss: Double
    /// G.107 BurstR from the runs of effective loss (1: random).
    public var burstRatio: Double
    public var rFactor: Double?
    public var mos: Double?

    enum CodingKeys: String, CodingKey {
        case name, kind, delayMs = "delay_ms", meanDelayMs = "mean_delay_ms", discarded
        case effectiveLoss = "effective_loss", burstRatio = "burst_ratio", rFactor = "r_factor", mos
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(delayMs, forKey: .delayMs)
        try c.encode(meanDelayMs, forKey: .meanDelayMs)
        try c.encode(discarded, forKey: .discarded)
        try c.encode(effectiveLoss, forKey: .effectiveLoss)
        try c.encode(burstRatio, forKey: .burstRatio)
        try c.encode(rFactor, forKey: .rFactor)
        try c.encode(mos, forKey: .mos)
    }
}

extension QualityTracker {
    /// The stream's quality at report time, from its counters (and the state, if it was impaired).
    /// `expected`/`lost`: A.3; `packets`: all the stream's packets; `rttMs`: an RTCP round trip for
    /// the stream, when known (half of it joins each model's delay).
    func report(settings: QualitySettings, expected: Int64, lost: Int64, packets: UInt64, firstTime: Nanoseconds,
                lastTime: Nanoseconds, encodingName: String?, rttMs: Double? = nil) -> StreamQuality {
        let codec = state.map { $0.codec } ?? VoiceCodec.identify(encodingName: encodingName)
        let networkLost = max(lost, 0)
        let expectedPositions = max(expected, 1)
        let networkDelayMs = (rttMs ?? 0) / 2
        var summary = BurstGapCounter.Summary(bursts: 0, burstPositions: 0, burstLosses: 0,
                                              gapPositions: UInt64(max(expected, 0)), gapLosses: UInt64(networkLost))
        var runs = LossRunHistogram()
        var delayOver = Self.noDelayCounts
        if let state {
            summary = state.burstGap.summary
            runs = state.lossRuns
            delayOver = state.delayOver
        }
        // Milliseconds per sequence position: the stream's mean packet spacing.
        let packetMs: Double? = expected > 1 && lastTime > firstTime
            ? Self.span(from: firstTime, to: lastTime) / 1e6 / Double(expected - 1) : nil

        var models: [JitterBufferReport] = []
        models.reserveCapacity(settings.models.count)
        for (index, model) in settings.models.enumerated() {
            let modelState = state?.models[index]
            let discarded = modelState?.discarded ?? 0
            var meanDelay = Double(model.initialDelay)
            if model.kind == .adaptive, let state, let modelState, state.packets > 0 {
                let before = packets > state.packets ? Double(packets - state.packets) : 0
                meanDelay = (modelState.delaySum + before * Double(model.initialDelay)) / (Double(state.packets) + before)
            }
            let effective = min(1, Double(networkLost + Int64(discarded)) / Double(expectedPositions))
            let burstRatio = modelState.map { StreamQualityState.burstRatio($0, positions: state!.burstGap.positions) } ?? 1
            var rating: Double?
            if let codec, effective == 0, networkDelayMs == 0, meanDelay == Double(model.initialDelay) {
                rating = settings.cleanRating(codec, model: index)
            } else if let codec, let parameters = codec.parameters(lossPercent: 100 * effective, burstRatio: burstRatio,
                                                                    oneWayDelayMs: meanDelay / 1e6 + networkDelayMs) {
                rating = EModel.rating(parameters)
            }
            models.append(JitterBufferReport(name: model.name, kind: model.kind, delayMs: Double(model.delay) / 1e6,
                                             meanDelayMs: meanDelay / 1e6, discarded: discarded, effectiveLoss: effective,
                                             burstRatio: burstRatio, rFactor: rating.map(Self.rounded),
                                             mos: rating.map { Self.rounded(EModel.mos(rating: $0)) }))
        }
        let primary = models[settings.primaryIndex]
        let (mosMin, mosMean) = intervalFigures(settings: settings, codec: codec, firstTime: firstTime, lastTime: lastTime,
                                                primaryMos: primary.mos)
        let total = Double(max(packets, 1))
        return StreamQuality(
            codec: codec?.name, scale: codec?.scale, rFactor: primary.rFactor, mos: primary.mos,
            mosMin: mosMin.map(Self.rounded), mosMean: mosMean.map(Self.rounded),
            burstDensity: summary.burstDensity, gapDensity: summary.gapDensity,
            burstDurationMs: packetMs.map { summary.meanBurstPackets * $0 },
            gapDurationMs: packetMs.map { summary.meanGapPackets * $0 },
            bursts: summary.bursts, lossRuns: runs.counts, maxLossRun: runs.longest,
            delayVariation: zip(QualitySettings.delayBuckets, delayOver).map {
                DelayVariationBucket(thresholdMs: Double($0) / 1e6, packets: $1, share: Double($1) / total)
            },
            jitterBuffers: models, primaryJitterBuffer: settings.primaryIndex, roundTripMs: rttMs)
    }

    /// The delay-variation counts of a stream never impaired: one shared array, not one per report.
    private static let noDelayCounts = [UInt64](repeating: 0, count: QualitySettings.delayBuckets.count)

    /// Lowest and time-weighted mean of the 10 s window MOS (primary model): clean time before the
    /// state existed at the clean MOS, closed windows as recorded, and the open window in the mean,
    /// and in the minimum if it is at least a quarter of a window long (a lone packet's window would
    /// swing it) or no window closed (a short stream: it is the only impaired one).
    private func intervalFigures(settings: QualitySettings, codec: VoiceCodec?, firstTime: Nanoseconds,
                                 lastTime: Nanoseconds, primaryMos: Double?) -> (Double?, Double?) {
        guard let codec else { return (nil, nil) }
        let clean = settings.cleanRating(codec, model: settings.primaryIndex).map { EModel.mos(rating: $0) }
        guard let state, let intervals = state.intervals else {
            // Never impaired: every window is clean.
            return (clean, clean)
        }
        var minimum = intervals.minimum, sum = intervals.weightedSum, seconds = intervals.seconds
        if let clean, state.createdAt > firstTime {
            let cleanSeconds = Self.span(from: firstTime, to: state.createdAt) / 1e9
            minimum = min(minimum, clean)
            sum += clean * cleanSeconds
            seconds += cleanSeconds
        }
        let openSeconds = max(Self.span(from: intervals.start, to: lastTime), 0) / 1e9
        if let mos = state.intervalMOS(intervals, settings: settings) {
            let window = Double(QualitySettings.interval) / 1e9
            if openSeconds >= window / 4 || intervals.seconds == 0 { minimum = min(minimum, mos) }
            sum += mos * openSeconds
            seconds += openSeconds
        }
        guard minimum != .infinity else { return (primaryMos, primaryMos) }
        return (minimum, seconds > 0 ? sum / seconds : minimum)
    }

    /// `to − from` in nanoseconds: exact whenever the Int64 difference exists (any real stream; a
    /// Double of an epoch time is only good to 256 ns), and in Double arithmetic instead of a trap for
    /// times that span more than an Int64 (a hostile kernel record, a corrupt capture).
    static func span(from: Nanoseconds, to: Nanoseconds) -> Double {
        let (difference, overflow) = to.subtractingReportingOverflow(from)
        return overflow ? Double(to) - Double(from) : Double(difference)
    }

    /// Two decimals for R and MOS: the model's precision is far coarser than a double's digits.
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

extension StreamQuality {
    /// The headline figures written flat on a stream (`analyze --format json`, `/streams`), null when
    /// unknown; derived from `quality`, which is what is read back.
    enum FlatKeys: String, CodingKey {
        case rFactor = "r_factor", mos, mosMin = "mos_min", mosF1 = "mos_f1", mosF2 = "mos_f2"
        case mosAdaptive = "mos_adaptive", burstDensity = "burst_density", gapDensity = "gap_density"
        case burstDurationMs = "burst_duration_ms", gapDurationMs = "gap_duration_ms"
        case maxLossRun = "max_loss_run", jbDiscarded = "jb_discarded", effectiveLoss = "effective_loss"
    }

    static func encodeFlat(_ quality: StreamQuality?, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: FlatKeys.self)
        try c.encode(quality?.rFactor, forKey: .rFactor)
        try c.encode(quality?.mos, forKey: .mos)
        try c.encode(quality?.mosMin, forKey: .mosMin)
        try c.encode(quality?.jitterBuffer(named: "F1")?.mos, forKey: .mosF1)
        try c.encode(quality?.jitterBuffer(named: "F2")?.mos, forKey: .mosF2)
        try c.encode(quality?.jitterBuffer(named: "adaptive")?.mos, forKey: .mosAdaptive)
        try c.encode(quality?.burstDensity, forKey: .burstDensity)
        try c.encode(quality?.gapDensity, forKey: .gapDensity)
        try c.encode(quality?.burstDurationMs, forKey: .burstDurationMs)
        try c.encode(quality?.gapDurationMs, forKey: .gapDurationMs)
        try c.encode(quality?.maxLossRun, forKey: .maxLossRun)
        try c.encode(quality?.primary?.discarded, forKey: .jbDiscarded)
        try c.encode(quality?.primary?.effectiveLoss, forKey: .effectiveLoss)
    }
}
