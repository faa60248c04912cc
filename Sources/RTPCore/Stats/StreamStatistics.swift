/// One RTP stream as the analyzer holds it: identity plus measurements. A struct kept in
/// `StreamTable`'s array, so the per-packet update mutates it in place (no reference counting, no
/// allocation per packet).
struct StreamStatistics {
    let key: StreamKey
    let processName: String?
    /// Live: the socket's container (fixed per stream, like the process).
    let container: ContainerContext?
    var measurements: StreamMeasurements

    init(key: StreamKey, processName: String?, container: ContainerContext? = nil, measurements: StreamMeasurements) {
        self.key = key
        self.processName = processName
        self.container = container
        self.measurements = measurements
    }

    var isConfirmed: Bool { measurements.isConfirmed }
    var firstTime: Nanoseconds { measurements.firstTime }
    var lastTime: Nanoseconds { measurements.lastTime }
    var packets: UInt64 { measurements.packets }

    func report(mode: AnalyzerConfiguration.Mode) -> StreamReport {
        var report = measurements.report(key: key, processName: processName, mode: mode)
        report.setContainer(container)
        return report
    }
}

/// Everything measured about one RTP stream.
///
/// Strict (RFC 3550) and Wireshark-compatible statistics are both kept — the compat model costs a few
/// arithmetic operations — and `AnalyzerConfiguration.mode` only chooses which of them a report shows
/// in the columns they share (packets, expected, lost, deltas, jitter).
public struct StreamMeasurements {
    // Identity and volume
    public private(set) var firstTime: Nanoseconds
    public private(set) var lastTime: Nanoseconds
    public private(set) var packets: UInt64 = 0
    /// UDP payload bytes (RTP header + payload + padding) as they were on the wire.
    public private(set) var bytes: UInt64 = 0
    public private(set) var markers: UInt64 = 0
    /// The first payload type seen: the stream's media. Jitter, frames and clock inference use only its
    /// packets, so an RFC 4733 telephone-event (whose timestamp stands still for an event) or comfort noise
    /// mixed into the same SSRC does not distort them. A stream that starts with comfort noise adopts its
    /// first non-CN payload type instead.
    public private(set) var primaryPayloadType: UInt8
    public private(set) var lastPayloadType: UInt8
    public private(set) var payloadTypeChanges: UInt64 = 0
    private var payloadTypesSeen: (UInt64, UInt64) = (0, 0)

    // Stored properties are laid out in declaration order: what every packet touches comes first, so
    // that a packet touches few cache lines (streams take turns, so their state rarely stays in L1).

    // Arrival deltas in capture order, every packet after the first (strict mode's min/mean/max delta:
    // plain statistics of the inter-arrival times, nothing excluded)
    private var minDelta: Nanoseconds = .max
    private var maxDelta: Nanoseconds = .min
    private var deltaSum: Double = 0
    private var deltaCount: UInt64 = 0
    public private(set) var intervals = IntervalHistogram()

    /// Heuristic detection: a stream is reported only once confirmed.
    public private(set) var isConfirmed: Bool
    /// Whether `wireshark` is kept (`--compat wireshark` only: strict mode does not pay for it).
    private let tracksWireshark: Bool

    // RFC 3550
    public private(set) var sequence = SequenceTracker()
    public private(set) var clockRate: Int?
    public private(set) var clockRateSource: ClockRateSource
    private var clockEstimator: ClockRateEstimator?
    public private(set) var jitter: MultiRateJitter
    public private(set) var frameJitter: MultiRateJitter
    public private(set) var frames = FrameTracker()
    /// Outgoing live streams only (nil otherwise: one branch per packet).
    public private(set) var pacing: SendPacing?
    /// The stall the latest packet ended, until the analyzer takes it.
    private var newStall: SendStall?

    // tshark model
    public private(set) var wireshark = WiresharkRTPStatistics()
    private let resolver: ClockRateResolver
    /// tshark's clock for the last payload type, recomputed only when the payload type changes.
    private var wiresharkClockPayloadType: UInt8
    private var wiresharkClock: UInt32

    init(firstTime: Nanoseconds, payloadType: UInt8, resolver: ClockRateResolver, confirmed: Bool,
         tracksWireshark: Bool, pacingStallFactor: Double? = nil) {
        self.pacing = pacingStallFactor.map { SendPacing(stallFactor: $0) }
        self.firstTime = firstTime
        self.lastTime = firstTime
        self.primaryPayloadType = payloadType
        self.lastPayloadType = payloadType
        self.isConfirmed = confirmed
        self.tracksWireshark = tracksWireshark
        self.resolver = resolver
        self.wiresharkClockPayloadType = payloadType
        self.wiresharkClock = UInt32(clamping: resolver.wiresharkRate(payloadType))
        (clockRate, clockRateSource, jitter, frameJitter, clockEstimator) = Self.clock(for: payloadType, resolver)
    }

    /// The clock of the stream's media and the jitter machinery it implies: a single estimator for a
    /// known clock, or the candidate bank plus inference for an unknown one.
    private static func clock(for payloadType: UInt8, _ resolver: ClockRateResolver)
        -> (Int?, ClockRateSource, MultiRateJitter, MultiRateJitter, ClockRateEstimator?) {
        if let (rate, source) = resolver.resolve(payloadType) {
            return (rate, source, MultiRateJitter(clockRate: rate), MultiRateJitter(clockRate: rate), nil)
        }
        let candidates = ClockRateEstimator.candidates
        return (nil, .unknown, MultiRateJitter(candidates: candidates), MultiRateJitter(candidates: candidates),
                ClockRateEstimator())
    }

    /// Accounts one RTP packet of this stream. `relativeMilliseconds` is the arrival relative to the
    /// capture's first frame (tshark's time base). Returns true if this packet confirmed the stream.
    @discardableResult
    mutating func ingest(_ header: RTPHeader, time: Nanoseconds, wireLength: Int, relativeMilliseconds: Double) -> Bool {
        let pt = header.payloadType
        if packets > 0 {
            let delta = time &- lastTime
            if delta < minDelta { minDelta = delta }
            if delta > maxDelta { maxDelta = delta }
            deltaSum += Double(delta)
            deltaCount &+= 1
            // Capture time can step back (merged files, clock adjustments): a Prometheus histogram must
            // not see negative observations, so such an interval counts as 0.
            intervals.observe(seconds: Double(max(delta, 0)) * 1e-9)
            if pt != lastPayloadType { payloadTypeChanges &+= 1 }
        }
        packets &+= 1
        bytes &+= UInt64(clamping: wireLength)
        if header.marker { markers &+= 1 }
        lastTime = time
        lastPayloadType = pt
        if pt < 64 { payloadTypesSeen.0 |= 1 << UInt64(pt) } else { payloadTypesSeen.1 |= 1 << UInt64(pt - 64) }

        if StaticClockRates.isComfortNoise(primaryPayloadType) && !StaticClockRates.isComfortNoise(pt) {
            // Started in silence: the media proper decides the clock (CN's 8 kHz may not be the codec's).
            primaryPayloadType = pt
            (clockRate, clockRateSource, jitter, frameJitter, clockEstimator) = Self.clock(for: pt, resolver)
        }
        let outcome = sequence.update(header.sequenceNumber)
        measureTiming(header, time: time, outcome: outcome)

        if tracksWireshark {
            if pt != wiresharkClockPayloadType {
                wiresharkClockPayloadType = pt
                wiresharkClock = UInt32(clamping: resolver.wiresharkRate(pt))
            }
            wireshark.analyse(currentTime: relativeMilliseconds, sequence: header.sequenceNumber,
                              timestamp: header.timestamp, payloadType: pt, marker: header.marker,
                              clockRate: wiresharkClock)
        }

        if !isConfirmed && sequence.isValidated {
            isConfirmed = true
            return true
        }
        return false
    }

    private mutating func measureTiming(_ header: RTPHeader, time: Nanoseconds, outcome: SequenceTracker.Outcome) {
        switch outcome {
        case .badJump:
            return   // a lone jumped packet may be garbage: its timing must not touch J
        case .restarted:
            jitter.resynchronize()
            frameJitter.resynchronize()
        case .probation, .inOrder, .reordered, .duplicate:
            break
        }
        guard header.payloadType == primaryPayloadType else { return }
        // A.8 runs on every packet in arrival order, late and duplicated ones included (as the RFC's
        // sample code and tshark do): a copy delivered late is real delay variation seen by a receiver.
        jitter.update(arrival: time, timestamp: header.timestamp)
        guard outcome != .reordered && outcome != .duplicate else { return }
        if pacing != nil {
            newStall = pacing!.observe(time: time, timestamp: header.timestamp, clockRate: clockRate)
        }
        if frames.observe(timestamp: header.timestamp) {
            frameJitter.update(arrival: time, timestamp: header.timestamp)
        }
        if clockEstimator != nil, let index = clockEstimator?.observe(time: time, timestamp: header.timestamp) {
            clockEstimator = nil
            clockRate = ClockRateEstimator.candidates[index]
            clockRateSource = .inferred
            jitter.select(index)
            frameJitter.select(index)
        }
    }

    /// The send stall the latest packet ended, once.
    mutating func takeNewStall() -> SendStall? {
        defer { newStall = nil }
        return newStall
    }

    mutating func classifyStall(_ cause: StallCause) { pacing?.classify(cause) }

    /// Payload types seen, ascending.
    public var payloadTypes: [UInt8] {
        (0..<128).compactMap { (pt: Int) -> UInt8? in
            let seen = pt < 64 ? payloadTypesSeen.0 & (1 << UInt64(pt)) : payloadTypesSeen.1 & (1 << UInt64(pt - 64))
            return seen != 0 ? UInt8(pt) : nil
        }
    }

    /// A.3 fraction lost since the previous call (for RTCP-like interval reporting).
    public mutating func takeIntervalFractionLost() -> UInt8 { sequence.takeIntervalFractionLost() }

    // MARK: - Reports

    func report(key: StreamKey, processName: String?, mode: AnalyzerConfiguration.Mode) -> StreamReport {
        let packetJitter = jitter.current
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
            minDeltaMs: deltaCount > 0 ? Double(minDelta) / 1e6 : nil,
            meanDeltaMs: deltaCount > 0 ? deltaSum / Double(deltaCount) / 1e6 : nil,
            maxDeltaMs: deltaCount > 0 ? Double(maxDelta) / 1e6 : nil,
            frames: frames.frames, meanPacketsPerFrame: frames.meanPacketsPerFrame,
            frameJitterMs: ms(frameJitter.current?.jitter, frameJitter.current),
            startTime: Double(firstTime) / 1e9, endTime: Double(lastTime) / 1e9,
            pid: key.pid, comm: processName, direction: key.direction, mode: mode.rawValue)
        report.sendStalls = pacing?.counts
        if let estimator = packetJitter, estimator.updates > 0 {
            report.minJitterMs = estimator.milliseconds(estimator.minJitter)
        }
        if mode == .wireshark {
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
