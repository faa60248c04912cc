/// RFC 3550 A.8 interarrival jitter, in RTP timestamp units of one clock rate.
///
///     D(i-1, i) = (R_i − R_{i−1}) − (S_i − S_{i−1})     (arrival and timestamp, both in clock units)
///     J += (|D| − J) / 16
///
/// Arrival and timestamp differences are taken between consecutive packets rather than as absolute
/// transits, so nothing grows with the capture's length (no precision loss on long streams) and RTP
/// timestamp wrap-around is a plain 32-bit wrapping subtraction.
///
/// A timestamp jump (|D| more than one second of media time: a sender that restarted its timestamp,
/// spliced streams) is counted and not folded into J — otherwise a single discontinuity would report
/// ~60 ms of "jitter" for the next hundred packets.
public struct JitterEstimator: Sendable {
    /// Current J, in timestamp units.
    public private(set) var jitter: Double = 0
    public private(set) var maxJitter: Double = 0
    /// Smallest J after an update (nil-like `.infinity` before the first update).
    public private(set) var minJitter: Double = .infinity
    private var jitterSum: Double = 0
    /// Number of J updates (packets after the first).
    public private(set) var updates: UInt64 = 0
    public private(set) var timestampJumps: UInt64 = 0
    // Readable (not settable) by the frame-freeze check, which compares consecutive frame starts.
    private(set) var lastArrival: Nanoseconds = 0
    private(set) var lastTimestamp: UInt32 = 0
    // The clock is stored as 32 bits and its derived constants are recomputed per packet (the same
    // operations, so the same values): one estimator per stream, two per stream when frames are
    // tracked, six of each while a clock is being inferred — bytes here count per stream.
    private var rate: UInt32
    private(set) var hasPrevious = false

    public var clockRate: Int { Int(rate) }

    public init(clockRate: Int) {
        rate = UInt32(clamping: clockRate)
    }

    /// One packet: its arrival time and RTP timestamp.
    public mutating func update(arrival: Nanoseconds, timestamp: UInt32) {
        defer { lastArrival = arrival; lastTimestamp = timestamp; hasPrevious = true }
        guard hasPrevious else { return }
        // Clock ticks per nanosecond of arrival time; one second of media in ticks is the jump limit.
        let oneSecond = Double(rate)
        let arrivalDelta = Double(arrival &- lastArrival) * (oneSecond / 1e9)
        let timestampDelta = Double(Int32(bitPattern: timestamp &- lastTimestamp))
        let d = abs(arrivalDelta - timestampDelta)
        if d > oneSecond {
            timestampJumps &+= 1
            return
        }
        jitter += (d - jitter) / 16
        if jitter > maxJitter { maxJitter = jitter }
        if jitter < minJitter { minJitter = jitter }
        jitterSum += jitter
        updates &+= 1
    }

    /// Forget the previous packet (after a sender restart the next D would compare unrelated clocks).
    public mutating func resynchronize() {
        hasPrevious = false
    }

    /// Mean of J over all updates, in timestamp units; nil before the second packet.
    public var meanJitter: Double? { updates > 0 ? jitterSum / Double(updates) : nil }

    /// Converts timestamp units to milliseconds at this estimator's clock.
    public func milliseconds(_ units: Double) -> Double { units * 1000 / Double(clockRate) }
}

/// Jitter for a stream whose clock may not be known yet: one estimator per candidate rate runs in
/// parallel until `ClockRateEstimator` decides, then only the chosen one is kept. This way an inferred
/// clock still yields jitter over the *whole* stream, including the packets seen before the decision.
///
/// The chosen estimator is stored inline, not in the candidates' array: with a known clock (static
/// payload types, SDP — most streams) a packet then costs one estimator update with no array
/// uniqueness or bounds checks. The candidates' storage is allocated once, and freed on decision.
public struct MultiRateJitter: Sendable {
    /// The estimator that counts; meaningless while `candidates` is not empty.
    private var chosen: JitterEstimator
    /// One estimator per `ClockRateEstimator.candidates` entry while the clock is unknown, else empty.
    private var candidates: [JitterEstimator]

    /// A known clock: a single estimator.
    public init(clockRate: Int) {
        chosen = JitterEstimator(clockRate: clockRate)
        candidates = []
    }

    /// Unknown clock: one estimator per `ClockRateEstimator.candidates` entry.
    public init(candidates rates: [Int]) {
        chosen = JitterEstimator(clockRate: rates.first ?? 1)
        candidates = rates.map { JitterEstimator(clockRate: $0) }
    }

    private var isDecided: Bool { candidates.isEmpty }

    public mutating func update(arrival: Nanoseconds, timestamp: UInt32) {
        if isDecided {
            chosen.update(arrival: arrival, timestamp: timestamp)
        } else {
            for index in candidates.indices {
                candidates[index].update(arrival: arrival, timestamp: timestamp)
            }
        }
    }

    public mutating func resynchronize() {
        chosen.resynchronize()
        for index in candidates.indices { candidates[index].resynchronize() }
    }

    /// Keeps the estimator for candidate `index` (of the list given at init) and drops the others.
    public mutating func select(_ index: Int) {
        guard !isDecided, candidates.indices.contains(index) else { return }
        chosen = candidates[index]
        candidates = []
    }

    /// The estimator that counts, nil while the clock is unknown.
    public var current: JitterEstimator? { isDecided ? chosen : nil }

    /// Heap bytes of the candidate bank (none once decided).
    var heapBytes: Int { HeapSize.array(count: candidates.count, stride: MemoryLayout<JitterEstimator>.stride) }
}
