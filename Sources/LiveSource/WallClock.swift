import Glibc
import RTPCore

/// Converts the kernel's event times (bpf_ktime_get_ns: CLOCK_MONOTONIC) to wall-clock
/// nanoseconds since the epoch, which is what `Datagram.time` carries.
///
/// The offset REALTIME − MONOTONIC changes when the wall clock is stepped or slewed (NTP), so it
/// is re-sampled periodically rather than once.
struct MonotonicToWallClock {
    private(set) var offset: Int64
    private var sampledAt: Int64
    private let refreshInterval: Int64

    init(refreshIntervalNanoseconds: Int64 = 1_000_000_000) {
        refreshInterval = refreshIntervalNanoseconds
        (offset, sampledAt) = Self.sample()
    }

    /// Re-samples the offset when it is older than the refresh interval.
    mutating func refreshIfDue() {
        if Self.now(CLOCK_MONOTONIC) - sampledAt >= refreshInterval {
            (offset, sampledAt) = Self.sample()
        }
    }

    func wallTime(monotonic nanoseconds: UInt64) -> Nanoseconds {
        Int64(truncatingIfNeeded: nanoseconds) &+ offset
    }

    /// Brackets one REALTIME reading between two MONOTONIC ones and uses their midpoint, so the
    /// error is at most half the bracket (tens of nanoseconds).
    private static func sample() -> (offset: Int64, at: Int64) {
        let before = now(CLOCK_MONOTONIC)
        let wall = now(CLOCK_REALTIME)
        let after = now(CLOCK_MONOTONIC)
        let monotonic = before + (after - before) / 2
        return (wall - monotonic, monotonic)
    }

    static func now(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
