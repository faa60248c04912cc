/// The largest value observed in each of the last `capacity` wall-clock seconds: the per-second
/// "worst" series that stall correlation compares (worst send interval, worst codec call).
///
/// A window ending at the latest second recorded, stored inline (every outgoing live stream carries
/// one, so its bytes count per stream): recording is O(1) and never allocates. Values are kept as
/// IEEE half-precision floats (120 bytes for the minute instead of 960 as two arrays): three
/// significant digits from 60 ns to 65,000 s, plenty for a correlation of per-second maxima; the
/// current second is kept exact.
/// A time older than the window is ignored rather than allowed to overwrite a newer second.
public struct PerSecondMaxima: Sendable {
    public static let maximumCapacity = 60
    public let capacity: Int
    /// The latest second recorded (`Int64.min` before the first), and its maximum so far at full
    /// precision: a value is converted to half precision once, when its second is over, not per call.
    private var latestSecond: Int64 = .min
    private var latestMaximum: Double = 0
    /// Slot `second % maximumCapacity` for the seconds before the latest; NaN when nothing was
    /// recorded in that second of the window.
    private var maxima = InlineArray<60, Float16>(repeating: .nan)

    public init(capacity: Int = 60) {
        precondition(capacity > 0 && capacity <= Self.maximumCapacity)
        self.capacity = capacity
    }

    /// Records `value` in the second containing `time` (epoch nanoseconds).
    public mutating func record(_ value: Double, at time: Nanoseconds) {
        let second = Self.second(of: time)
        if second == latestSecond {
            if value > latestMaximum { latestMaximum = value }
            return
        }
        if latestSecond == .min || second > latestSecond {
            // The window moves forward: the latest second is stored, the seconds skipped are empty.
            let advance = latestSecond == .min ? Int64(Self.maximumCapacity) : second &- latestSecond
            if advance >= Int64(Self.maximumCapacity) || advance < 0 {
                for slot in maxima.indices { maxima[slot] = .nan }
            } else {
                maxima[Self.slot(latestSecond)] = Float16(latestMaximum)
                var cleared = latestSecond &+ 1
                while cleared < second {
                    maxima[Self.slot(cleared)] = .nan
                    cleared &+= 1
                }
            }
            latestSecond = second
            latestMaximum = value
            return
        }
        guard second > latestSecond &- Int64(capacity) else { return }
        // A late value for an earlier second of the window.
        let slot = Self.slot(second)
        let current = maxima[slot]
        let half = Float16(value)
        if current.isNaN || half > current { maxima[slot] = half }
    }

    /// The maximum recorded in epoch second `second`, nil when nothing was (or it left the window).
    public func maximum(inSecond second: Int64) -> Double? {
        guard latestSecond != .min, second <= latestSecond, second > latestSecond &- Int64(capacity) else { return nil }
        if second == latestSecond { return latestMaximum }
        let value = maxima[Self.slot(second)]
        return value.isNaN ? nil : Double(value)
    }

    private static func slot(_ second: Int64) -> Int {
        Int(UInt64(bitPattern: second) % UInt64(maximumCapacity))
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
