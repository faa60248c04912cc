/// One RTP stream as the analyzer holds it: its key, its measurements (and, live, the process name).
/// A struct kept in `StreamTable`'s array, so the per-packet update mutates it in place (no reference
/// counting, no allocation per packet). The key comes first: the lookup compares it in the cache line
/// the update touches next.
struct StreamStatistics {
    let key: PackedStreamKey
    /// Live: the process's name, or for `monitor --interface` the interface's (a key has a pid or
    /// an interface, never both, so one field serves both: 16 bytes per stream less).
    private let originName: String?
    /// Live: the socket's container (fixed per stream, like the process), shared by its streams.
    let container: SharedContainer?
    /// When the table last moved this entry in its recency list: the tick, and the table's append
    /// count then (`StreamTable.touch`).
    var recencyTick: UInt32 = 0
    var recencySequence: UInt32 = 0
    var measurements: StreamMeasurements

    init(key: PackedStreamKey, processName: String?, container: SharedContainer? = nil, interfaceName: String? = nil,
         measurements: StreamMeasurements) {
        self.key = key
        originName = key.hasInterface ? interfaceName : processName
        self.container = container
        self.measurements = measurements
        recencyTick = StreamTable.recencyTick(measurements.lastTime)
    }

    var processName: String? { key.hasInterface ? nil : originName }
    var interfaceName: String? { key.hasInterface ? originName : nil }

    var isConfirmed: Bool { measurements.isConfirmed }
    var firstTime: Nanoseconds { measurements.firstTime }
    var lastTime: Nanoseconds { measurements.lastTime }
    var packets: UInt64 { measurements.packets }

    func report(key: StreamKey, mode: AnalyzerConfiguration.Mode) -> StreamReport {
        var report = measurements.report(key: key, processName: processName, mode: mode)
        report.setContainer(container?.context)
        report.interface = interfaceName
        return report
    }
}

/// Everything measured about one RTP stream.
///
/// Strict (RFC 3550) statistics are kept inline; state only some streams need lives in separately
/// allocated boxes that other streams do not pay for: the Wireshark-compatible model (`--compat
/// wireshark` only), clock inference (dynamic payload types without a known clock, until decided),
/// send pacing (live outgoing streams) and quality (burst/gap loss, jitter-buffer models, interval MOS:
/// from the stream's first loss or late packet on, see `QualityTracker`). `AnalyzerConfiguration.mode` chooses which statistics a report
/// shows in the columns they share (packets, expected, lost, deltas, jitter).
///
/// Memory (steady state, measured by `MemoryLayout` and the tests): ~540 bytes inline per stream, plus
/// ~420 for an outgoing live stream's pacing box; a stream whose clock is still being inferred holds
/// two candidate jitter banks and the estimator (~1.4 KB) until the clock is decided.
public struct StreamMeasurements {
    // Identity and volume
    public private(set) var firstTime: Nanoseconds
    public private(set) var lastTime: Nanoseconds
    public private(set) var packets: UInt64 = 0
    /// UDP payload bytes (RTP header + payload + padding) as they were on the wire.
    public private(set) var bytes: UInt64 = 0
    public private(set) var markers: UInt64 = 0
    public private(set) var payloadTypeChanges: UInt64 = 0
    private var payloadTypesSeen: (UInt64, UInt64) = (0, 0)
    /// SDP's encoding names for this stream's payload types as they were when each type first
    /// appeared: a capture reuses a dynamic type for other codecs in later calls, and the name is the
    /// one negotiated for this stream. nil (no allocation) while SDP named none of its types.
    private var sdpEncodingNames: [UInt8: String]?

    // Stored properties are laid out in declaration order: what every packet touches comes first, so
    // that a packet touches few cache lines (streams take turns, so their state rarely stays in L1).

    // Arrival deltas in capture order, every packet after the first (strict mode's min/mean/max delta:
    // plain statistics of the inter-arrival times, nothing excluded). Their count is `packets − 1`.
    private var minDelta: Nanoseconds = .max
    private var maxDelta: Nanoseconds = .min
    private var deltaSum: Double = 0
    public private(set) var intervals = IntervalHistogram()

    /// The first payload type seen: the stream's media. Jitter, frames and clock inference use only its
    /// packets, so an RFC 4733 telephone-event (whose timestamp stands still for an event) or comfort noise
    /// mixed into the same SSRC does not distort them. A stream that starts with comfort noise adopts its
    /// first non-CN payload type instead.
    public private(set) var primaryPayloadType: UInt8
    public private(set) var lastPayloadType: UInt8
    /// Heuristic detection: a stream is reported only once confirmed.
    public private(set) var isConfirmed: Bool
    public private(set) var clockRateSource: ClockRateSource
    /// The media clock in Hz, 0 while unknown (see `clockRate`).
    private var knownClockRate: UInt32

    // RFC 3550
    public private(set) var sequence = SequenceTracker()
    /// RFC 3550 A.8 over packets and over frame starts, at the known clock (meaningless while
    /// `clockInference` runs: its candidate banks hold the jitter then).
    private var packetJitter: JitterEstimator
    private var frameStartJitter: JitterEstimator
    public private(set) var frames = FrameTracker()
    /// Clock inference while the clock is unknown (nil otherwise, and once decided).
    private var clockInference: ClockInference?
    /// Outgoing live streams only (nil otherwise: one branch per packet).
    private var pacingState: PacingState?
    /// `--compat wireshark` only: tshark's model of the stream.
    private var wiresharkState: WiresharkState?
    /// Burst/gap loss, jitter-buffer models, E-model (Quality/): a nil box until the first impairment.
    private var quality = QualityTracker()

    /// Separately allocated: a stream with a known clock (most) carries neither the estimator nor
    /// the two candidate jitter banks (one estimator per candidate rate, until the rate is decided).
    // The boxes' properties skip Swift's dynamic exclusivity checks (begin/end access per packet were
    // ~5 % of the live consumer's profile): a box belongs to one stream, which the single-threaded
    // analyzer updates one packet at a time.
    private final class ClockInference {
        @exclusivity(unchecked) var estimator = ClockRateEstimator()
        @exclusivity(unchecked) var jitter = MultiRateJitter(candidates: ClockRateEstimator.candidates)
        @exclusivity(unchecked) var frameJitter = MultiRateJitter(candidates: ClockRateEstimator.candidates)
    }

    private final class PacingState {
        @exclusivity(unchecked) var pacing: SendPacing
        /// The stall the latest packet ended, until the analyzer takes it.
        @exclusivity(unchecked) var newStall: SendStall?
        init(stallFactor: Double) { pacing = SendPacing(stallFactor: stallFactor) }

        // Called through the optional (`pacingState?.observe`), not after an `if let`: a bound copy
        // of the reference costs a retain and a release per packet.
        func observe(time: Nanoseconds, timestamp: UInt32, clockRate: Int?) {
            newStall = pacing.observe(time: time, timestamp: timestamp, clockRate: clockRate)
        }

        func takeNewStall() -> SendStall? {
            defer { newStall = nil }
            return newStall
        }
    }

    private final class WiresharkState {
        @exclusivity(unchecked) var statistics = WiresharkRTPStatistics()
        /// tshark's clock for the last payload type, recomputed only when the payload type changes.
        @exclusivity(unchecked) var clockPayloadType: UInt8
        @exclusivity(unchecked) var clock: UInt32
        init(payloadType: UInt8, clock: UInt32) {
            clockPayloadType = payloadType
            self.clock = clock
        }
    }

    public var clockRate: Int? { knownClockRate == 0 ? nil : Int(knownClockRate) }
    /// Packet jitter at the stream's clock; nil while the clock is unknown.
    public var jitter: JitterEstimator? { clockInference == nil ? packetJitter : nil }
    /// Jitter of frame starts at the stream's clock; nil while the clock is unknown.
    public var frameJitter: JitterEstimator? { clockInference == nil ? frameStartJitter : nil }
    /// Outgoing live streams: send pacing and stalls.
    public var pacing: SendPacing? { pacingState?.pacing }
    /// tshark's model (a fresh, empty one when the stream does not keep it).
    public var wireshark: WiresharkRTPStatistics { wiresharkState?.statistics ?? WiresharkRTPStatistics() }

    init(firstTime: Nanoseconds, payloadType: UInt8, resolver: ClockRateResolver, confirmed: Bool,
         tracksWireshark: Bool, pacingStallFactor: Double? = nil) {
        pacingState = pacingStallFactor.map { PacingState(stallFactor: $0) }
        self.firstTime = firstTime
        self.lastTime = firstTime
        self.primaryPayloadType = payloadType
        self.lastPayloadType = payloadType
        self.isConfirmed = confirmed
        if tracksWireshark {
            wiresharkState = WiresharkState(payloadType: payloadType,
                                            clock: UInt32(clamping: resolver.wiresharkRate(payloadType)))
        }
        (knownClockRate, clockRateSource, packetJitter, frameStartJitter, clockInference) = Self.clock(for: payloadType, resolver)
    }

    /// The clock of the stream's media and the jitter machinery it implies: a single estimator for a
    /// known clock, or the candidate bank plus inference for an unknown one.
    private static func clock(for payloadType: UInt8, _ resolver: ClockRateResolver)
        -> (UInt32, ClockRateSource, JitterEstimator, JitterEstimator, ClockInference?) {
        if let (rate, source) = resolver.resolve(payloadType) {
            return (UInt32(clamping: rate), source, JitterEstimator(clockRate: rate), JitterEstimator(clockRate: rate), nil)
        }
        return (0, .unknown, JitterEstimator(clockRate: 1), JitterEstimator(clockRate: 1), ClockInference())
    }

    /// Accounts one RTP packet of this stream. `relativeMilliseconds` is the arrival relative to the
    /// capture's first frame (tshark's time base); `resolver` gives clocks (a stream that starts with
    /// comfort noise, tshark's clock on a payload-type change). Returns true if this packet confirmed
    /// the stream.
    @discardableResult
    mutating func ingest(_ header: RTPHeader, time: Nanoseconds, wireLength: Int, relativeMilliseconds: Double,
                         resolver: SharedClockRateResolver, quality settings: QualitySettings = .standard) -> Bool {
        ingest(payloadType: header.payloadType, marker: header.marker, sequenceNumber: header.sequenceNumber,
               timestamp: header.timestamp, time: time, wireLength: wireLength,
               relativeMilliseconds: relativeMilliseconds, resolver: resolver, quality: settings)
    }

    @discardableResult
    mutating func ingest(payloadType pt: UInt8, marker: Bool, sequenceNumber: UInt16, timestamp: UInt32,
                         time: Nanoseconds, wireLength: Int, relativeMilliseconds: Double,
                         resolver: SharedClockRateResolver, quality settings: QualitySettings = .standard) -> Bool {
        let previousTime = lastTime
        if packets > 0 {
            let delta = time &- lastTime
            if delta < minDelta { minDelta = delta }
            if delta > maxDelta { maxDelta = delta }
            deltaSum += Double(delta)
            // Capture time can step back (merged files, clock adjustments): a Prometheus histogram must
            // not see negative observations, so such an interval counts as 0.
            intervals.observe(seconds: Double(max(delta, 0)) * 1e-9)
            if pt != lastPayloadType { payloadTypeChanges &+= 1 }
        }
        packets &+= 1
        bytes &+= UInt64(clamping: wireLength)
        if marker { markers &+= 1 }
        lastTime = time
        lastPayloadType = pt
        let bit: UInt64 = 1 << UInt64(pt & 63)
        let seenBefore = (pt < 64 ? payloadTypesSeen.0 : payloadTypesSeen.1) & bit != 0
        if !seenBefore {
            if pt < 64 { payloadTypesSeen.0 |= bit } else { payloadTypesSeen.1 |= bit }
            if let name = resolver.resolver.sdpEncodingNames[pt] { sdpEncodingNames = (sdpEncodingNames ?? [:]).merging([pt: name]) { $1 } }
        }

        if StaticClockRates.isComfortNoise(primaryPayloadType) && !StaticClockRates.isComfortNoise(pt) {
            // Started in silence: the media proper decides the clock (CN's 8 kHz may not be the codec's).
            primaryPayloadType = pt
            (knownClockRate, clockRateSource, packetJitter, frameStartJitter, clockInference) = Self.clock(for: pt, resolver.resolver)
        }
        let maxBefore = sequence.extendedMax
        let framesBefore = frames.frames
        let previousFrame = frameStartJitter.hasPrevious && clockInference == nil
            ? (arrival: frameStartJitter.lastArrival, timestamp: frameStartJitter.lastTimestamp) : nil
        let outcome = sequence.update(sequenceNumber)
        measureTiming(payloadType: pt, timestamp: timestamp, time: time, outcome: outcome)
        // Sequence numbers this packet skipped (a forward step of less than MAX_DROPOUT).
        var gap: UInt64 = 0
        if (outcome == .inOrder || outcome == .probation) && packets > 1 {
            let advance = Int64(sequence.extendedMax) &- Int64(maxBefore)
            if advance > 1 && advance < Int64(SequenceTracker.maxDropout) { gap = UInt64(advance - 1) }
        }
        let timingClock = clockInference == nil ? knownClockRate : 0
        let deviation = quality.deviation(outcome: outcome, timed: pt == primaryPayloadType, timestamp: timestamp,
                                          time: time, previousTime: previousTime, clockRate: timingClock)
        // Video (90 kHz): a frame start arriving more than 3 frame durations after the previous one.
        var freeze = false
        if knownClockRate == 90000, frames.frames > framesBefore, let previousFrame {
            freeze = quality.frameStarted(step: timestamp &- previousFrame.timestamp,
                                          arrivalGap: time &- previousFrame.arrival, clockRate: knownClockRate)
        }
        if freeze || quality.needsState(gap: gap, deviation: deviation, settings: settings) {
            if quality.state == nil {
                quality.allocate(gap: gap, outcome: outcome, time: time, expected: sequence.expected, settings: settings,
                                 codec: VoiceCodec.identify(encodingName: mediaEncodingName))
            }
            if freeze { quality.state?.freezes &+= 1 }
        }
        quality.state?.observe(gap: gap, outcome: outcome, deviation: deviation, time: time, settings: settings)
        if gap > 0 { quality.state?.frameDamaged(timestamp: timestamp) }   // reported for video only

        if let wiresharkState {
            if pt != wiresharkState.clockPayloadType {
                wiresharkState.clockPayloadType = pt
                wiresharkState.clock = UInt32(clamping: resolver.resolver.wiresharkRate(pt))
            }
            wiresharkState.statistics.analyse(currentTime: relativeMilliseconds, sequence: sequenceNumber,
                                              timestamp: timestamp, payloadType: pt, marker: marker,
                                              clockRate: wiresharkState.clock)
        }

        if !isConfirmed && sequence.isValidated {
            isConfirmed = true
            return true
        }
        return false
    }

    private mutating func measureTiming(payloadType: UInt8, timestamp: UInt32, time: Nanoseconds,
                                        outcome: SequenceTracker.Outcome) {
        switch outcome {
        case .badJump:
            return   // a lone jumped packet may be garbage: its timing must not touch J
        case .restarted:
            packetJitter.resynchronize()
            frameStartJitter.resynchronize()
            if let clockInference {
                clockInference.jitter.resynchronize()
                clockInference.frameJitter.resynchronize()
            }
        case .probation, .inOrder, .reordered, .duplicate:
            break
        }
        guard payloadType == primaryPayloadType else { return }
        // A.8 runs on every packet in arrival order, late and duplicated ones included (as the RFC's
        // sample code and tshark do): a copy delivered late is real delay variation seen by a receiver.
        guard let clockInference else {
            packetJitter.update(arrival: time, timestamp: timestamp)
            guard outcome != .reordered && outcome != .duplicate else { return }
            pacingState?.observe(time: time, timestamp: timestamp, clockRate: clockRate)
            if frames.observe(timestamp: timestamp) {
                frameStartJitter.update(arrival: time, timestamp: timestamp)
            }
            return
        }
        clockInference.jitter.update(arrival: time, timestamp: timestamp)
        guard outcome != .reordered && outcome != .duplicate else { return }
        pacingState?.observe(time: time, timestamp: timestamp, clockRate: nil)
        if frames.observe(timestamp: timestamp) {
            clockInference.frameJitter.update(arrival: time, timestamp: timestamp)
        }
        if let index = clockInference.estimator.observe(time: time, timestamp: timestamp) {
            // The clock is decided: keep the chosen rate's estimators (they ran from the first packet).
            clockInference.jitter.select(index)
            clockInference.frameJitter.select(index)
            packetJitter = clockInference.jitter.current ?? packetJitter
            frameStartJitter = clockInference.frameJitter.current ?? frameStartJitter
            self.clockInference = nil
            knownClockRate = UInt32(ClockRateEstimator.candidates[index])
            clockRateSource = .inferred
        }
    }

    /// Heap bytes this stream holds beyond its inline storage (boxes and banks), for the engine's
    /// memory accounting.
    var heapBytes: Int {
        var total = 0
        if let clockInference {
            total += HeapSize.object(MemoryLayout<ClockRateEstimator>.stride + 2 * MemoryLayout<MultiRateJitter>.stride)
                + ClockRateEstimator.heapBytes + clockInference.jitter.heapBytes + clockInference.frameJitter.heapBytes
        }
        if let pacingState {
            total += HeapSize.object(MemoryLayout<SendPacing>.stride + MemoryLayout<SendStall?>.stride)
                + pacingState.pacing.heapBytes
        }
        if wiresharkState != nil { total += HeapSize.object(MemoryLayout<WiresharkRTPStatistics>.stride + 8) }
        return total + quality.heapBytes
    }

    /// The send stall the latest packet ended, once.
    mutating func takeNewStall() -> SendStall? {
        pacingState?.takeNewStall()
    }

    mutating func classifyStall(_ cause: StallCause) { pacingState?.pacing.classify(cause) }

    /// Payload types seen, ascending.
    public var payloadTypes: [UInt8] {
        let (low, high) = payloadTypesSeen
        if let single = singlePayloadType { return ReportConstants.payloadTypeArrays[Int(single)] }
        var types: [UInt8] = []
        for pt in 0..<64 where low & (1 << UInt64(pt)) != 0 { types.append(UInt8(pt)) }
        for pt in 0..<64 where high & (1 << UInt64(pt)) != 0 { types.append(UInt8(64 + pt)) }
        return types
    }

    /// The payload type when the stream used exactly one (most do), else nil.
    private var singlePayloadType: UInt8? {
        let (low, high) = payloadTypesSeen
        guard low.nonzeroBitCount + high.nonzeroBitCount == 1 else { return nil }
        return UInt8(low != 0 ? low.trailingZeroBitCount : 64 + high.trailingZeroBitCount)
    }

    /// Burst/gap loss, jitter-buffer models and E-model ratings (strict A.3 counts in every mode).
    func qualityReport(settings: QualitySettings, rttMs: Double? = nil) -> StreamQuality {
        var report = quality.report(settings: settings, expected: sequence.expected, lost: sequence.lost,
                                    packets: packets, firstTime: firstTime, lastTime: lastTime,
                                    encodingName: mediaEncodingName, rttMs: rttMs)
        if clockInference == nil && knownClockRate == 90000 {
            report.framesDamaged = quality.state?.damagedFrames ?? 0
            report.freezes = quality.state?.freezes ?? 0
        }
        return report
    }

    /// The encoding name of the stream's media: SDP's, else RFC 3551's for a static type.
    private var mediaEncodingName: String? {
        sdpEncodingNames?[primaryPayloadType] ?? StaticEncodingNames.name(for: primaryPayloadType)
    }

    /// A.3 fraction lost since the previous call (for RTCP-like interval reporting).
    public mutating func takeIntervalFractionLost() -> UInt8 { sequence.takeIntervalFractionLost() }

    // MARK: - Reports

    func report(key: StreamKey, processName: String?, mode: AnalyzerConfiguration.Mode) -> StreamReport {
        let packetJitter = jitter
        func ms(_ value: Double?, _ estimator: JitterEstimator?) -> Double? {
            guard let value, let estimator else { return nil }
            return estimator.milliseconds(value)
        }
        var report = StreamReport(
            ssrc: key.ssrc, src: key.source.description, dst: key.destination.description,
            transport: key.transport.description, payloadType: primaryPayloadType, payloadTypes: payloadTypes,
            clockRate: clockRate, clockRateSource: clockRateSource,
            packets: packets, bytes: bytes, expected: sequence.expected, lost: sequence.lost,
            duplicates: sequence.duplicates, reordered: sequence.reordered, seqResets: sequence.restarts,
            timestampJumps: packetJitter?.timestampJumps ?? 0, payloadTypeChanges: payloadTypeChanges,
            markers: markers,
            jitterMs: ms(packetJitter?.jitter, packetJitter),
            maxJitterMs: ms(packetJitter?.maxJitter, packetJitter),
            meanJitterMs: ms(packetJitter?.meanJitter, packetJitter),
            minDeltaMs: packets > 1 ? Double(minDelta) / 1e6 : nil,
            meanDeltaMs: packets > 1 ? deltaSum / Double(packets - 1) / 1e6 : nil,
            maxDeltaMs: packets > 1 ? Double(maxDelta) / 1e6 : nil,
            frames: frames.frames, meanPacketsPerFrame: frames.meanPacketsPerFrame,
            frameJitterMs: ms(frameJitter?.jitter, frameJitter),
            startTime: Double(firstTime) / 1e9, endTime: Double(lastTime) / 1e9,
            pid: key.pid, comm: processName, direction: key.direction, mode: mode.rawValue)
        report.sendStalls = pacing?.counts
        if sdpEncodingNames == nil, let single = singlePayloadType {
            report.encodingNames = ReportConstants.staticEncodingNames[Int(single)]
        } else {
            var names: [UInt8: String] = [:]
            for pt in report.payloadTypes { names[pt] = sdpEncodingNames?[pt] ?? StaticEncodingNames.name(for: pt) }
            report.encodingNames = EncodingNames(names)
        }
        if let estimator = packetJitter, estimator.updates > 0 {
            report.minJitterMs = estimator.milliseconds(estimator.minJitter)
        }
        if mode == .wireshark {
            let wireshark = self.wireshark
            // The clock shown is the one tshark used (it never infers): none means no jitter columns.
            if !wireshark.hasJitter {
                report.clockRate = nil
                report.clockRateSource = .unknown
            } else if report.clockRate != Int(wireshark.clockRate) {
                report.clockRate = Int(wireshark.clockRate)
                report.clockRateSource = lastPayloadType < 96 ? .static : .sdp
            }
            report.packets = UInt64(wireshark.totalPackets)
            report.expected = wireshark.expected
            report.lost = wireshark.lost
            report.minDeltaMs = wireshark.minDeltaMs
            report.meanDeltaMs = wireshark.meanDeltaMs
            report.maxDeltaMs = wireshark.maxDeltaMs
            report.jitterMs = wireshark.jitterMs
            report.minJitterMs = wireshark.minJitterMs
            report.meanJitterMs = wireshark.meanJitterMs
            report.maxJitterMs = wireshark.maxJitterMs
        }
        return report
    }
}

/// Report values shared by every stream with one payload type and no SDP names (most streams): built
/// once, so a report of 100,000 streams does not allocate 200,000 one-element collections.
enum ReportConstants {
    static let payloadTypeArrays: [[UInt8]] = (0..<128).map { [UInt8($0)] }
    static let staticEncodingNames: [EncodingNames] = (0..<128).map { pt in
        EncodingNames(StaticEncodingNames.name(for: UInt8(pt)).map { [UInt8(pt): $0] } ?? [:])
    }
}

/// One container's labels, held once by reference for all of its streams: inline, the four strings
/// would cost each stream 65 bytes of its 1 KiB.
final class SharedContainer {
    let context: ContainerContext
    init(_ context: ContainerContext) { self.context = context }
}
