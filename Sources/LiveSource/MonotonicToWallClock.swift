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
        if SystemClock.now(CLOCK_MONOTONIC) - sampledAt >= refreshInterval {
            (offset, sampledAt) = Self.sample()
        }
    }

    func wallTime(monotonic nanoseconds: UInt64) -> Nanoseconds {
        Int64(truncatingIfNeeded: nanoseconds) &+ offset
    }

    /// Brackets one REALTIME reading between two MONOTONIC ones and uses their midpoint, so the
    /// error is at most half the bracket (tens of nanoseconds).
    private static func sample() -> (offset: Int64, at: Int64) {
        let before = SystemClock.now(CLOCK_MONOTONIC)
        let wall = SystemClock.wallNow()
        let after = SystemClock.now(CLOCK_MONOTONIC)
        let monotonic = before + (after - before) / 2
        return (wall - monotonic, monotonic)
    }
}

/// Reading the system clocks: the one clock_gettime helper of the live path (capture, codec probes,
/// the CLI's engine).
public enum SystemClock {
    /// Nanoseconds on `clock` (CLOCK_MONOTONIC for the kernel's event times, CLOCK_REALTIME for the epoch).
    public static func now(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Wall-clock nanoseconds since the epoch: the time base of `Datagram.time`.
    public static func wallNow() -> Nanoseconds { now(CLOCK_REALTIME) }
}
