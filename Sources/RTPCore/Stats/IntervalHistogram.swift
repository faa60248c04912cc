/// Packet inter-arrival times of one stream, bucketed for a Prometheus histogram.
///
/// Buckets are stored non-cumulatively (one increment per packet); `cumulativeCounts` produces the
/// `le` series at scrape time. The counts live inline in the value (a fixed tuple, not an array):
/// observed once per packet, an array's copy-on-write uniqueness check cost more than the bucketing.
public struct IntervalHistogram: Sendable, Equatable {
    /// Upper bounds in seconds (the `le` labels); the implicit last bucket is +Inf.
    public static let bounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2, 0.5, 1]

    private typealias Buckets = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private var buckets: Buckets = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Sum of all observed intervals, seconds.
    public private(set) var sum: Double = 0
    /// Observations (the buckets' total: not stored, one counter less per stream).
    public var count: UInt64 {
        let b = buckets
        return b.0 &+ b.1 &+ b.2 &+ b.3 &+ b.4 &+ b.5 &+ b.6 &+ b.7 &+ b.8 &+ b.9 &+ b.10 &+ b.11
    }

    public init() {}

    /// Per-bucket counts; `counts[bounds.count]` is the overflow (> 1 s) bucket.
    public var counts: [UInt64] {
        let b = buckets
        return [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7, b.8, b.9, b.10, b.11]
    }

    public mutating func observe(seconds: Double) {
        // Unrolled over `bounds` (kept in step with it; checked by the tests): no array walk per packet.
        if seconds <= 0.02 {
            if seconds <= 0.001 { buckets.0 &+= 1 }
            else if seconds <= 0.005 { buckets.1 &+= 1 }
            else if seconds <= 0.01 { buckets.2 &+= 1 }
            else { buckets.3 &+= 1 }
        } else if seconds <= 0.05 {
            if seconds <= 0.03 { buckets.4 &+= 1 }
            else if seconds <= 0.04 { buckets.5 &+= 1 }
            else { buckets.6 &+= 1 }
        } else {
            if seconds <= 0.1 { buckets.7 &+= 1 }
            else if seconds <= 0.2 { buckets.8 &+= 1 }
            else if seconds <= 0.5 { buckets.9 &+= 1 }
            else if seconds <= 1 { buckets.10 &+= 1 }
            else { buckets.11 &+= 1 }
        }
        sum += seconds
    }

    /// Cumulative counts per bound (`le`), the last element being +Inf (== `count`).
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { running &+= $0; return running }
    }

    public static func == (a: IntervalHistogram, b: IntervalHistogram) -> Bool {
        a.counts == b.counts && a.sum == b.sum && a.count == b.count
    }
}

/// Video frames: consecutive packets sharing an RTP timestamp form one frame (audio: one packet per
/// frame). Tracks how many, how many packets each, and feeds the first packet of each frame to a
/// jitter estimator (A.8 over frame starts: how evenly frames arrive, independent of packetisation).
public struct FrameTracker: Sendable {
    public private(set) var frames: UInt64 = 0
    public private(set) var packetsInFrames: UInt64 = 0
    private var currentTimestamp: UInt32 = 0

    public init() {}

    /// An in-order packet; returns true when it starts a new frame.
    public mutating func observe(timestamp: UInt32) -> Bool {
        packetsInFrames &+= 1
        if frames == 0 || timestamp != currentTimestamp {
            frames &+= 1
            currentTimestamp = timestamp
            return true
        }
        return false
    }

    public var meanPacketsPerFrame: Double? {
        frames > 0 ? Double(packetsInFrames) / Double(frames) : nil
    }
}
