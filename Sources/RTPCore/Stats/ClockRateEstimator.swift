/// Infers a stream's media clock rate from how fast its RTP timestamps advance against arrival time.
///
/// Why voting rather than a running ratio: a single Δts/Δt ratio is wrecked by network jitter on short
/// spans, by silence suppression and by timestamp jumps. Instead every sufficiently long span
/// (≥ `minimumSpan`, so ±10 ms of jitter is a few percent) between packets with different timestamps
/// votes for the nearest candidate rate, if it is within `tolerance` of it; spans that fit nothing
/// (a jump, a burst after a stall) simply do not vote. A rate is decided once it has `requiredVotes`
/// votes and at least 3/4 of all votes cast — the mode of the ratio distribution, robust like a median,
/// and it needs only a few counters (no per-packet storage or allocation).
public struct ClockRateEstimator: Sendable {
    /// The rates a dynamic payload type realistically uses: narrow/wide/super-wide band speech,
    /// CD and Opus/WebRTC audio, and the 90 kHz video clock.
    public static let candidates: [Int] = [8000, 16000, 32000, 44100, 48000, 90000]
    /// 44100 vs 48000 differ by 8.8 %: a tolerance under half of that keeps them apart.
    public static let tolerance = 0.04
    public static let minimumSpan: Nanoseconds = 200_000_000
    public static let requiredVotes: UInt32 = 4

    private var anchorTime: Nanoseconds = 0
    private var anchorTimestamp: UInt32 = 0
    private var hasAnchor = false
    private var votes: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0)
    private var totalVotes: UInt32 = 0
    /// Index into `candidates` once decided.
    public private(set) var decidedIndex: Int?

    public init() {}

    public var decidedRate: Int? { decidedIndex.map { Self.candidates[$0] } }

    /// Feeds one in-order packet. Returns the candidate index when this packet decided the rate.
    @discardableResult
    public mutating func observe(time: Nanoseconds, timestamp: UInt32) -> Int? {
        guard decidedIndex == nil else { return nil }
        guard hasAnchor else {
            anchorTime = time; anchorTimestamp = timestamp; hasAnchor = true
            return nil
        }
        let span = time &- anchorTime
        if span < 0 {
            // Capture time went backwards (merged files): start over from here.
            anchorTime = time; anchorTimestamp = timestamp
            return nil
        }
        guard span >= Self.minimumSpan else { return nil }
        let advance = Int32(bitPattern: timestamp &- anchorTimestamp)
        anchorTime = time; anchorTimestamp = timestamp
        // Same timestamp (a video frame's packets, repeated DTMF end packets) or going backwards says
        // nothing about the clock.
        guard advance > 0 else { return nil }
        let ratio = Double(advance) / (Double(span) / 1e9)
        guard let index = Self.nearestCandidate(to: ratio) else { return nil }
        totalVotes &+= 1
        let count = incrementVote(index)
        if count >= Self.requiredVotes && UInt64(count) * 4 >= UInt64(totalVotes) * 3 {
            decidedIndex = index
            return index
        }
        return nil
    }

    /// The candidate within `tolerance` of `ratio`, if any.
    static func nearestCandidate(to ratio: Double) -> Int? {
        for (index, rate) in candidates.enumerated() {
            let relative = abs(ratio - Double(rate)) / Double(rate)
            if relative <= tolerance { return index }
        }
        return nil
    }

    private mutating func incrementVote(_ index: Int) -> UInt32 {
        switch index {
        case 0: votes.0 &+= 1; return votes.0
        case 1: votes.1 &+= 1; return votes.1
        case 2: votes.2 &+= 1; return votes.2
        case 3: votes.3 &+= 1; return votes.3
        case 4: votes.4 &+= 1; return votes.4
        default: votes.5 &+= 1; return votes.5
        }
    }
}
