/// A stream's quality measurement (burst/gap loss, jitter-buffer models, per-interval MOS), kept inline
/// in `StreamMeasurements` as 24 bytes: the reference to the quality state, nil until the stream's
/// first impairment, and the transit floor the jitter-buffer models play against.
///
/// Memory: a live stream must stay under 1 KiB. A clean stream — no sequence gap, no packet deviating
/// from the transit floor by more than the smallest buffer or delay bucket (50 ms by default) — never
/// allocates: every model would have played every packet on time and there is no loss to describe, so
/// its figures follow from the counters at report time. The first impairment allocates the state
/// (`StreamQualityState`), which from then on sees every packet.
struct QualityTracker {
    private(set) var state: StreamQualityState?
    /// The transit floor, as the arrival time a packet with `floorTimestamp` would have had at it.
    /// `.min`: none yet (no packet with a known clock).
    private var floorArrival: Nanoseconds = .min
    private var floorTimestamp: UInt32 = 0
    /// Video: the frame duration freezes are measured against, in timestamp units: a running mean
    /// (1/16 per frame) of the steps between frame starts (0: none yet). Encoders' steps wander
    /// (2671…3240 at ~30 fps in a shared capture), so neither the shortest nor the last will do. Fits
    /// the padding after `floorTimestamp`.
    private var frameStep: UInt32 = 0

    /// A deviation beyond this is a discontinuity of the timestamps (a sender that restarted its
    /// clock), not delay: the floor restarts at the packet.
    static let discontinuity: Nanoseconds = 5_000_000_000
    /// The most the floor rises per nanosecond elapsed: 200 ppm (1/5000).
    static let driftDivisor: Nanoseconds = 5000

    /// One packet's transit deviation from the floor (≥ 0), moving the floor; −1 when its timing does
    /// not count (`timed` false: another payload type; clock unknown (0); a duplicate or a lone jump).
    mutating func deviation(outcome: SequenceTracker.Outcome, timed: Bool, timestamp: UInt32, time: Nanoseconds,
                            previousTime: Nanoseconds, clockRate: UInt32) -> Nanoseconds {
        guard timed && clockRate != 0 && outcome != .duplicate && outcome != .badJump else { return -1 }
        return transitDeviation(timestamp: timestamp, time: time, previousTime: previousTime,
                                clockRate: clockRate, restart: outcome == .restarted)
    }

    /// A video frame started `arrivalGap` after the previous one, `step` timestamp units later: true if
    /// it ends a freeze, a wait longer than 3 frame durations for a new frame.
    mutating func frameStarted(step: UInt32, arrivalGap: Nanoseconds, clockRate: UInt32) -> Bool {
        let forward = Int64(Int32(bitPattern: step))
        // Backward steps (B-frames) and jumps of over a second (a restart) say nothing of the rate.
        guard forward > 0, forward <= Int64(clockRate) else { return false }
        if frameStep == 0 { frameStep = UInt32(forward) }
        let frameDuration = Int64(frameStep) * 1_000_000_000 / Int64(clockRate)
        frameStep = UInt32(Int64(frameStep) + (forward - Int64(frameStep)) / 16)
        return arrivalGap > 3 * frameDuration
    }

    /// Whether this packet is the stream's first impairment: a sequence gap, or a deviation some model
    /// or delay bucket would notice (the state must then be allocated with `allocate`).
    func needsState(gap: UInt64, deviation: Nanoseconds, settings: QualitySettings) -> Bool {
        state == nil && (gap > 0 || deviation > settings.triggerThreshold)
    }

    /// Allocates the state at the first impairment. `expected`: A.3 expected after this packet.
    mutating func allocate(gap: UInt64, outcome: SequenceTracker.Outcome, time: Nanoseconds, expected: Int64,
                           settings: QualitySettings, codec: VoiceCodec?) {
        let inOrder = outcome == .inOrder || outcome == .probation
        let before = max(expected - (inOrder ? Int64(gap) + 1 : 0), 0)
        state = StreamQualityState(settings: settings, positionsBefore: UInt64(before), time: time, codec: codec)
    }

    /// How much later than the floor this packet arrived (≥ 0), moving the floor: down to a packet
    /// that came earlier than it, up by the drift allowance otherwise.
    private mutating func transitDeviation(timestamp: UInt32, time: Nanoseconds, previousTime: Nanoseconds,
                                           clockRate: UInt32, restart: Bool) -> Nanoseconds {
        guard floorArrival != .min, !restart else {
            floorArrival = time
            floorTimestamp = timestamp
            return 0
        }
        let ticks = Int64(Int32(bitPattern: timestamp &- floorTimestamp))
        let media = ticks * 1_000_000_000 / Int64(clockRate)
        let deviation = (time &- floorArrival) &- media
        if deviation <= 0 || deviation > Self.discontinuity {
            floorArrival = time
            floorTimestamp = timestamp
            return 0
        }
        // Re-expressed at this packet's timestamp (the difference never grows with the stream's age).
        let shift = min(deviation, max(time &- previousTime, 0) / Self.driftDivisor)
        floorArrival = floorArrival &+ media &+ shift
        floorTimestamp = timestamp
        return deviation
    }

    var heapBytes: Int { state?.heapBytes ?? 0 }
}

/// The quality state of a stream that had an impairment (see `QualityTracker`).
final class StreamQualityState {
    struct ModelState: Sendable {
        var delay: Nanoseconds
        var discarded: UInt64 = 0
        /// Adaptive: sum of the delay over the packets seen here (their mean is the model's delay).
        var delaySum: Double = 0
        /// Runs of effective loss (network loss and discards, in sequence order), for BurstR.
        var run: UInt64 = 0
        var runs: UInt64 = 0
        var runLosses: UInt64 = 0
    }

    /// Per-interval MOS of the primary model: the open interval's start and its counters then, and
    /// the lowest and time-weighted sum over closed intervals.
    struct Intervals: Sendable {
        var start: Nanoseconds
        var startPositions: UInt64
        var startLost: Int64
        var startDiscarded: UInt64
        var minimum: Double = .infinity
        var weightedSum: Double = 0
        var seconds: Double = 0
    }

    // @exclusivity(unchecked) as the other per-stream boxes: one stream's, updated by one thread.
    @exclusivity(unchecked) var burstGap: BurstGapCounter
    @exclusivity(unchecked) var lossRuns = LossRunHistogram()
    /// Network loss seen here: sequence gaps, less late packets that filled one.
    @exclusivity(unchecked) var networkLost: Int64 = 0
    @exclusivity(unchecked) var delayOver: [UInt64]
    @exclusivity(unchecked) var models: [ModelState]
    /// Packets seen here (each model's delay sum is over them) and positions before the state existed.
    @exclusivity(unchecked) var packets: UInt64 = 0
    let positionsBefore: UInt64
    /// When the state was allocated: the stream was clean before.
    let createdAt: Nanoseconds
    let codec: VoiceCodec?
    @exclusivity(unchecked) var intervals: Intervals?
    /// Video: freezes (see `QualityTracker.frameStarted`), and frames a sequence gap damaged (each
    /// gap counts against the frame of the packet after it, once per frame).
    @exclusivity(unchecked) var freezes: UInt64 = 0
    @exclusivity(unchecked) var damagedFrames: UInt64 = 0
    @exclusivity(unchecked) var lastDamagedFrame: UInt32?

    func frameDamaged(timestamp: UInt32) {
        guard lastDamagedFrame != timestamp else { return }
        lastDamagedFrame = timestamp
        damagedFrames &+= 1
    }

    init(settings: QualitySettings, positionsBefore: UInt64, time: Nanoseconds, codec: VoiceCodec?) {
        burstGap = BurstGapCounter(receivedBefore: positionsBefore)
        delayOver = Array(repeating: 0, count: QualitySettings.delayBuckets.count)
        models = settings.models.map { ModelState(delay: $0.initialDelay) }
        self.positionsBefore = positionsBefore
        createdAt = time
        self.codec = codec
        if codec != nil {
            intervals = Intervals(start: time, startPositions: positionsBefore, startLost: 0, startDiscarded: 0)
        }
    }

    var heapBytes: Int {
        HeapSize.object(MemoryLayout<BurstGapCounter>.stride + 3 * 8 + 8 + 8 + 8 + MemoryLayout<VoiceCodec?>.stride
                        + MemoryLayout<Intervals?>.stride + MemoryLayout<LossRunHistogram>.stride)
            + HeapSize.array(count: 10, stride: 8) + HeapSize.array(count: delayOver.count, stride: 8)
            + HeapSize.array(count: models.count, stride: MemoryLayout<ModelState>.stride)
    }

    /// `deviation` < 0: the packet's timing does not count (unknown clock, another payload type).
    func observe(gap: UInt64, outcome: SequenceTracker.Outcome, deviation: Nanoseconds, time: Nanoseconds,
                 settings: QualitySettings) {
        switch outcome {
        case .duplicate, .badJump:
            return   // a copy is not played twice; a lone jump may be garbage
        case .reordered:
            // Filled a hole counted lost; played if still in time, else discarded.
            networkLost &-= 1
            for index in models.indices where deviation > models[index].delay { models[index].discarded &+= 1 }
            return
        case .inOrder, .probation, .restarted:
            break
        }
        if gap > 0 {
            burstGap.lost(gap)
            lossRuns.record(gap)
            networkLost &+= Int64(gap)
        }
        burstGap.received()
        packets &+= 1
        // Through buffer pointers: one uniqueness check for the whole loop rather than one per
        // model written back (the models were made from `settings.models`: same count, same order).
        settings.models.withUnsafeBufferPointer { specifications in
            models.withUnsafeMutableBufferPointer { states in
                for index in states.indices {
                    let late = deviation > states[index].delay
                    var model = states[index]
                    if late { model.discarded &+= 1 }
                    model.run &+= gap
                    if late {
                        model.run &+= 1
                    } else if model.run > 0 {
                        model.runs &+= 1
                        model.runLosses &+= model.run
                        model.run = 0
                    }
                    if specifications[index].kind == .adaptive {
                        let needed = deviation + JitterBufferModel.adaptiveMargin
                        if late {
                            model.delay = min(specifications[index].delay, needed)
                        } else {
                            let target = max(specifications[index].initialDelay, needed)
                            if target < model.delay { model.delay -= (model.delay - target) / 512 }
                        }
                        model.delaySum += Double(model.delay)
                    }
                    states[index] = model
                }
            }
        }
        if deviation > QualitySettings.delayBuckets[0] {
            for (index, bound) in QualitySettings.delayBuckets.enumerated() where deviation > bound { delayOver[index] &+= 1 }
        }
        if let current = intervals, time &- current.start >= QualitySettings.interval {
            closeInterval(at: time, settings: settings)
        }
    }

    /// Closes the open interval (a whole window of `QualitySettings.interval`) at `time`'s window.
    private func closeInterval(at time: Nanoseconds, settings: QualitySettings) {
        guard var current = intervals else { return }
        if let mos = intervalMOS(current, settings: settings) {
            current.minimum = min(current.minimum, mos)
            current.weightedSum += mos * Double(QualitySettings.interval) / 1e9
            current.seconds += Double(QualitySettings.interval) / 1e9
        }
        // Windows without packets (silence) are skipped: no media, nothing heard or lost.
        let windows = (time &- current.start) / QualitySettings.interval
        current.start &+= windows * QualitySettings.interval
        current.startPositions = burstGap.positions
        current.startLost = networkLost
        current.startDiscarded = models[settings.primaryIndex].discarded
        intervals = current
    }

    /// The primary model's MOS over the open interval, nil without positions.
    func intervalMOS(_ interval: Intervals, settings: QualitySettings) -> Double? {
        guard let codec else { return nil }
        let positions = burstGap.positions &- interval.startPositions
        guard positions > 0 else { return nil }
        let model = models[settings.primaryIndex]
        let lost = max(networkLost - interval.startLost, 0) + Int64(model.discarded &- interval.startDiscarded)
        let lossPercent = min(100, 100 * Double(lost) / Double(positions))
        let burstRatio = Self.burstRatio(model, positions: burstGap.positions)
        guard let parameters = codec.parameters(lossPercent: lossPercent, burstRatio: burstRatio,
                                                oneWayDelayMs: Double(model.delay) / 1e6) else { return nil }
        return EModel.mos(rating: EModel.rating(parameters))
    }

    /// G.107 §7.4 BurstR from the observed runs of effective loss: the mean run length over the one
    /// random loss of the same rate would give (1/(1−p)). 1 without loss.
    static func burstRatio(_ model: ModelState, positions: UInt64) -> Double {
        let runs = model.runs + (model.run > 0 ? 1 : 0)
        let losses = model.runLosses + model.run
        guard runs > 0, positions > 0 else { return 1 }
        let p = min(Double(losses) / Double(positions), 0.999)
        return Double(losses) / Double(runs) * (1 - p)
    }
}
