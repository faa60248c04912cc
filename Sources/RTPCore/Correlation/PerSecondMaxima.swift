/// The largest value observed in each of the last `capacity` wall-clock seconds: the per-second
/// "worst" series that stall correlation compares (worst send interval, worst codec call).
///
/// A fixed ring indexed by epoch second, allocated once: recording is O(1) and never allocates.
public struct PerSecondMaxima: Sendable {
    public let capacity: Int
    private var seconds: [Int64]
    private var maxima: [Double]

    public init(capacity: Int = 60) {
        precondition(capacity > 0)
        self.capacity = capacity
        seconds = Array(repeating: .min, count: capacity)
        maxima = Array(repeating: 0, count: capacity)
    }

    /// Records `value` in the second containing `time` (epoch nanoseconds).
    public mutating func record(_ value: Double, at time: Nanoseconds) {
        let second = Self.second(of: time)
        let slot = Int(UInt64(bitPattern: second) % UInt64(capacity))
        if seconds[slot] != second {
            seconds[slot] = second
            maxima[slot] = value
        } else if value > maxima[slot] {
            maxima[slot] = value
        }
    }

    /// The maximum recorded in epoch second `second`, nil when nothing was (or it left the window).
    public func maximum(inSecond second: Int64) -> Double? {
        let slot = Int(UInt64(bitPattern: second) % UInt64(capacity))
        return seconds[slot] == second ? maxima[slot] : nil
    }

    public static func second(of time: Nanoseconds) -> Int64 {
        // Floor division without overflow at the ends of the range (times come from sources).
        time >= 0 ? time / 1_000_000_000 : (time + 1) / 1_000_000_000 - 1
    }
}

/// Pearson's correlation coefficient of paired samples.
public enum PearsonCorrelation {
    /// nil with fewer than `minimumPairs` pairs or when either side is constant (undefined).
    public static func coefficient(_ pairs: [(x: Double, y: Double)], minimumPairs: Int = 3) -> Double? {
        guard pairs.count >= max(2, minimumPairs) else { return nil }
        let n = Double(pairs.count)
        let meanX = pairs.reduce(0) { $0 + $1.x } / n
        let meanY = pairs.reduce(0) { $0 + $1.y } / n
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (x, y) in pairs {
            covariance += (x - meanX) * (y - meanY)
            varianceX += (x - meanX) * (x - meanX)
            varianceY += (y - meanY) * (y - meanY)
        }
        // Relative thresholds: a series constant up to rounding has no defined correlation.
        guard varianceX > 1e-18 * max(1, meanX * meanX) * n, varianceY > 1e-18 * max(1, meanY * meanY) * n else { return nil }
        return max(-1, min(1, covariance / (varianceX * varianceY).squareRoot()))
    }
}
