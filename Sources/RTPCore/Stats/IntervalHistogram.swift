/// Packet inter-arrival times of one stream, bucketed for a Prometheus histogram.
///
/// Buckets are stored non-cumulatively (one increment per packet); `cumulativeCounts` produces the
/// `le` series at scrape time. Storage is allocated once per stream, never per packet.
public struct IntervalHistogram: Sendable, Equatable {
    /// Upper bounds in seconds (the `le` labels); the implicit last bucket is +Inf.
    public static let bounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2, 0.5, 1]

    /// Per-bucket counts; `counts[bounds.count]` is the overflow (> 1 s) bucket.
    public private(set) var counts: [UInt64]
    /// Sum of all observed intervals, seconds.
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bounds.count + 1)
    }

    public mutating func observe(seconds: Double) {
        // Unrolled over `bounds` (kept in step with it; checked by the tests): no array walk per packet.
        let index: Int
        if seconds <= 0.02 {
            index = seconds <= 0.001 ? 0 : seconds <= 0.005 ? 1 : seconds <= 0.01 ? 2 : 3
        } else if seconds <= 0.05 {
            index = seconds <= 0.03 ? 4 : seconds <= 0.04 ? 5 : 6
        } else {
            index = seconds <= 0.1 ? 7 : seconds <= 0.2 ? 8 : seconds <= 0.5 ? 9 : seconds <= 1 ? 10 : 11
        }
        counts[index] &+= 1
        sum += seconds
        count &+= 1
    }

    /// Cumulative counts per bound (`le`), the last element being +Inf (== `count`).
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { running &+= $0; return running }
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
