/// Infers a stream's media clock rate from how its RTP timestamps advance against arrival time.
///
/// Method: for each candidate rate r, the transit time `arrival − timestamp / r` of the right rate
/// stays within a bounded band for the whole stream — the band is network jitter, sender pacing and,
/// for video with B-frames, the presentation-order reordering of a few frames — while for a wrong
/// rate it drifts without bound (by |1 − r'/r| of the elapsed time). So every candidate keeps the
/// minimum and maximum transit seen, and the rate whose spread is clearly the smallest wins.
///
/// Why not vote on Δts/Δt between nearby packets: an encoder that sends in decode order (x264 with
/// B-frames, FFmpeg's `-f rtp`) moves timestamps back and forth by several frames, so short-span
/// ratios scatter by ±30 % and rarely land near any candidate, while the transit band stays a few
/// frames wide however long the stream runs. Silence suppression does not disturb the band either
/// (timestamps advance with wall time across the gap). The state is a few numbers per candidate,
/// updated only until the rate is decided.
public struct ClockRateEstimator: Sendable {
    /// The rates a dynamic payload type realistically uses: narrow/wide/super-wide band speech,
    /// CD and Opus/WebRTC audio, and the 90 kHz video clock.
    public static let candidates: [Int] = [8000, 16000, 32000, 44100, 48000, 90000]
    /// Evidence needed before deciding: this much arrival time and this many packets.
    public static let minimumObservation: Nanoseconds = 1_000_000_000
    public static let minimumPackets = 8
    /// The winner's transit band must be at most this fraction of the time observed …
    public static let maximumBandFraction = 0.2
    /// … and every other candidate's band this many times wider (44.1 vs 48 kHz drift apart by
    /// 8.8 % of the elapsed time, which takes a second or two to dominate ordinary jitter).
    public static let requiredSeparation = 3.0

    private var anchorTime: Nanoseconds = 0
    private var lastTimestamp: UInt32 = 0
    /// Timestamp advance since the anchor, unwrapped (signed steps absorb reordering and the 32-bit wrap).
    private var extendedAdvance: Int64 = 0
    private var packets = 0
    private var minimumTransit: [Double]
    private var maximumTransit: [Double]
    /// Index into `candidates` once decided.
    public private(set) var decidedIndex: Int?

    /// Heap bytes of one estimator's two per-candidate arrays.
    static var heapBytes: Int { 2 * HeapSize.array(count: candidates.count, stride: MemoryLayout<Double>.stride) }

    public init() {
        minimumTransit = Array(repeating: .infinity, count: Self.candidates.count)
        maximumTransit = Array(repeating: -.infinity, count: Self.candidates.count)
    }

    public var decidedRate: Int? { decidedIndex.map { Self.candidates[$0] } }

    /// Feeds one packet (arrival order). Returns the candidate index when this packet decided the rate.
    @discardableResult
    public mutating func observe(time: Nanoseconds, timestamp: UInt32) -> Int? {
        guard decidedIndex == nil else { return nil }
        if packets == 0 || time < anchorTime {
            // First packet, or capture time went backwards (merged files): start over from here.
            restart(time: time, timestamp: timestamp)
            return nil
        }
        extendedAdvance &+= Int64(Int32(bitPattern: timestamp &- lastTimestamp))
        lastTimestamp = timestamp
        packets += 1
        let elapsed = Double(time &- anchorTime) / 1e9
        let advance = Double(extendedAdvance)
        for index in Self.candidates.indices {
            let transit = elapsed - advance / Double(Self.candidates[index])
            minimumTransit[index] = min(minimumTransit[index], transit)
            maximumTransit[index] = max(maximumTransit[index], transit)
        }
        guard time &- anchorTime >= Self.minimumObservation, packets >= Self.minimumPackets,
              extendedAdvance > 0 else { return nil }
        return decide(elapsed: elapsed)
    }

    private mutating func decide(elapsed: Double) -> Int? {
        var best = 0
        for index in Self.candidates.indices where band(index) < band(best) { best = index }
        let bestBand = band(best)
        guard bestBand <= Self.maximumBandFraction * elapsed else { return nil }
        for index in Self.candidates.indices where index != best {
            guard band(index) >= Self.requiredSeparation * bestBand else { return nil }
        }
        decidedIndex = best
        return best
    }

    private func band(_ index: Int) -> Double { maximumTransit[index] - minimumTransit[index] }

    private mutating func restart(time: Nanoseconds, timestamp: UInt32) {
        anchorTime = time
        lastTimestamp = timestamp
        extendedAdvance = 0
        packets = 1
        for index in Self.candidates.indices {
            minimumTransit[index] = 0
            maximumTransit[index] = 0
        }
    }
}
