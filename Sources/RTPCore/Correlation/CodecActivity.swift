/// One probed codec call that returned (times in epoch nanoseconds).
public struct CodecCallRecord: Sendable, Equatable {
    public var pid: Int32
    /// The probed function's index (rtpscope_codec_function).
    public var function: Int
    public var start: Nanoseconds
    public var end: Nanoseconds

    public init(pid: Int32, function: Int, start: Nanoseconds, end: Nanoseconds) {
        self.pid = pid
        self.function = function
        self.start = start
        self.end = end
    }
}

/// Recent codec calls per process: how busy a process was in its codec during a given gap, and
/// the worst call latency of each recent second per function.
///
/// Bounded: per process the last `callsPerProcess` calls (a ring) — enough for several seconds of a
/// busy encoder; older calls only matter to gaps that were classified long ago.
public struct CodecActivity: Sendable {
    public let callsPerProcess: Int
    private var processesByPid: [Int32: ProcessActivity] = [:]

    public init(callsPerProcess: Int = 4096) {
        self.callsPerProcess = callsPerProcess
    }

    struct ProcessActivity: Sendable {
        var calls: [(start: Nanoseconds, end: Nanoseconds)] = []
        var next = 0
        var worstLatency: [Int: PerSecondMaxima] = [:]
    }

    public mutating func record(_ call: CodecCallRecord) {
        var activity = processesByPid.removeValue(forKey: call.pid) ?? ProcessActivity()
        if activity.calls.count < callsPerProcess {
            activity.calls.append((call.start, call.end))
        } else {
            activity.calls[activity.next] = (call.start, call.end)
            activity.next = (activity.next + 1) % callsPerProcess
        }
        activity.worstLatency[call.function, default: PerSecondMaxima()]
            .record(max(0, Self.span(from: call.start, to: call.end)) / 1e9, at: call.end)
        processesByPid[call.pid] = activity
    }

    /// The share (0…1) of [start, end] during which the process was inside at least one probed call.
    /// Nested and concurrent calls (several threads) are merged, never double-counted.
    public func busyFraction(pid: Int32, from start: Nanoseconds, to end: Nanoseconds) -> Double {
        guard end > start, let activity = processesByPid[pid] else { return 0 }
        let overlapping = activity.calls
            .filter { $0.end > start && $0.start < end }
            .map { (max($0.start, start), min($0.end, end)) }
            .sorted { $0.0 < $1.0 }
        var covered = 0.0
        var reach = start
        for (from, to) in overlapping where to > reach {
            covered += Self.span(from: max(from, reach), to: to)
            reach = to
        }
        return covered / Self.span(from: start, to: end)
    }

    /// Per-second worst latency (seconds) of one function of one process.
    public func worstLatency(pid: Int32, function: Int) -> PerSecondMaxima? {
        processesByPid[pid]?.worstLatency[function]
    }

    /// Functions of a process with latency records.
    public func functions(pid: Int32) -> [Int] {
        processesByPid[pid].map { $0.worstLatency.keys.sorted() } ?? []
    }

    /// `to − from` in nanoseconds: exact in Int64, or in Double when the bounds (which come from
    /// sources and may be anywhere in the range) are too far apart for Int64.
    static func span(from: Nanoseconds, to: Nanoseconds) -> Double {
        let (difference, overflow) = to.subtractingReportingOverflow(from)
        return overflow ? Double(to) - Double(from) : Double(difference)
    }

    public func hasActivity(pid: Int32) -> Bool { processesByPid[pid] != nil }

    /// Processes with records.
    public var processes: [Int32] { Array(processesByPid.keys) }

    public mutating func forget(pid: Int32) {
        processesByPid[pid] = nil
    }
}

/// Decides the cause of send stalls once the codec records that could explain them are in.
///
/// The datagram and codec records come through different ring buffers, so a stall can be seen
/// before the codec call that covered it. A stall is classified only when the codec side has been
/// drained past its end (`codecHorizon`); until then it waits (bounded: the oldest are classified
/// with what is known when the queue is full).
public struct StallClassifier: Sendable {
    /// A call covering more than this share of the gap makes it a codec stall ("most of its length").
    public let codecShare: Double
    public let capacity: Int
    private var pending: [(key: StreamKey, stall: SendStall)] = []

    public init(codecShare: Double = 0.5, capacity: Int = 4096) {
        self.codecShare = codecShare
        self.capacity = capacity
    }

    public var pendingCount: Int { pending.count }

    public mutating func enqueue(_ stalls: [(key: StreamKey, stall: SendStall)]) {
        pending.append(contentsOf: stalls)
    }

    /// Classifies every stall that ended at or before `codecHorizon` (and the oldest beyond the
    /// capacity); returns them with their cause, oldest first.
    public mutating func classify(activity: CodecActivity, codecHorizon: Nanoseconds)
        -> [(key: StreamKey, stall: SendStall, cause: StallCause)] {
        var decided: [(key: StreamKey, stall: SendStall, cause: StallCause)] = []
        var waiting: [(key: StreamKey, stall: SendStall)] = []
        let overflow = max(0, pending.count - capacity)
        for (index, entry) in pending.enumerated() {
            guard entry.stall.end <= codecHorizon || index < overflow else {
                waiting.append(entry)
                continue
            }
            let share = entry.key.pid.map {
                activity.busyFraction(pid: $0, from: entry.stall.start, to: entry.stall.end)
            } ?? 0
            decided.append((entry.key, entry.stall, share > codecShare ? .codec : .other))
        }
        pending = waiting
        return decided
    }
}

/// `rtpscope_codec_network_correlation`: Pearson's r between a process's per-second worst codec call
/// latency (one function) and an outgoing stream's per-second worst send interval, over the last
/// `window` complete seconds in which the stream sent. A second without a call counts as 0 latency.
///
/// Latencies below `latencyFloor` (half the stream's expected interval: a call that short cannot
/// hold a send back noticeably, and a preempted 0.3 ms call that took 4 ms is noise) count as 0. Without the floor, r is scale-free and finds the cache-cold
/// encode right after every pause (0.3 → 0.6 ms) "correlated" with 150 ms pauses that the codec
/// did not cause. When one side is then constant there is no linear relation: r is 0, not absent.
public enum CodecNetworkCorrelation {
    public static let minimumSeconds = 10
    public static let floorShareOfExpectedInterval = 0.5

    public static func coefficient(sendIntervals: PerSecondMaxima, codecLatency: PerSecondMaxima,
                                   now: Nanoseconds, window: Int = 60, latencyFloor: Double = 0) -> Double? {
        let current = PerSecondMaxima.second(of: now)
        let span = min(window, sendIntervals.capacity, codecLatency.capacity)
        var pairs: [(x: Double, y: Double)] = []
        // The current second is still filling: only complete ones.
        for second in (current - Int64(span))..<current {
            guard let interval = sendIntervals.maximum(inSecond: second) else { continue }
            let latency = codecLatency.maximum(inSecond: second) ?? 0
            pairs.append((latency >= latencyFloor ? latency : 0, interval))
        }
        guard pairs.count >= minimumSeconds else { return nil }
        return PearsonCorrelation.coefficient(pairs, minimumPairs: minimumSeconds) ?? 0
    }
}
