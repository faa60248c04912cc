import MetricCatalog
import RTPCore

/// Every stream of one process in one direction.
public struct ProcessGroup: Hashable, Sendable {
    public var pid: Int32?
    public var comm: String?
    public var direction: Direction?

    public init(pid: Int32?, comm: String?, direction: Direction?) {
        self.pid = pid
        self.comm = comm
        self.direction = direction
    }
}

/// Every stream with one remote address (IP, any port) in one direction.
public struct PeerGroup: Hashable, Sendable {
    public var remote: IPAddress
    public var direction: Direction?

    public init(remote: IPAddress, direction: Direction?) {
        self.remote = remote
        self.direction = direction
    }
}

/// Sums over the streams of a group.
public struct AggregateFigures: Sendable, Equatable {
    /// Cumulative: the group's current streams plus those that ended while the group existed.
    public var packets: UInt64 = 0
    public var expected: Int64 = 0
    public var lost: Int64 = 0
    /// Current streams.
    public var streams: Int = 0
    /// Current jitter of the current streams whose clock rate is known, one observation per stream.
    public var jitter = ExportedHistogram(upperBounds: MetricCatalog.streamJitterBounds,
                                          bucketCounts: Array(repeating: 0, count: MetricCatalog.streamJitterBounds.count),
                                          sum: 0, count: 0)

    public init() {}

    mutating func add(_ figures: StreamFigures) {
        addStream(packets: figures.packets, expected: figures.expected, lost: figures.lost,
                  jitterSeconds: figures.jitterSeconds)
    }

    mutating func addStream(packets: UInt64, expected: Int64, lost: Int64, jitterSeconds: Double?) {
        addTotals(packets: packets, expected: expected, lost: lost)
        streams += 1
        if let jitterSeconds { observeJitter(jitterSeconds) }
    }

    mutating func addTotals(packets: UInt64, expected: Int64, lost: Int64) {
        self.packets &+= packets
        self.expected &+= expected
        self.lost &+= lost
    }

    private mutating func observeJitter(_ seconds: Double) {
        // Above the last bound: only in the count (the +Inf bucket), as ExportedHistogram defines it.
        if let bucket = jitter.upperBounds.firstIndex(where: { seconds <= $0 }) { jitter.bucketCounts[bucket] &+= 1 }
        jitter.sum += seconds
        jitter.count &+= 1
    }
}

/// The per-process and per-peer sums a scrape exports, exact whatever `--stream-metrics` leaves out.
public struct StreamAggregates: Sendable, Equatable {
    public var processes: [ProcessGroup: AggregateFigures] = [:]
    public var peers: [PeerGroup: AggregateFigures] = [:]

    public init(processes: [ProcessGroup: AggregateFigures] = [:], peers: [PeerGroup: AggregateFigures] = [:]) {
        self.processes = processes
        self.peers = peers
    }

    /// The groups of one stream.
    public static func groups(of key: StreamKey, processName: String?) -> (ProcessGroup, PeerGroup) {
        // The peer is the far end from the traced process: the source of what it received.
        let remote = key.direction == .received ? key.source.address : key.destination.address
        return (ProcessGroup(pid: key.pid, comm: processName, direction: key.direction),
                PeerGroup(remote: remote, direction: key.direction))
    }

    /// Sums of the streams given, with nothing carried over from ended streams.
    public static func summing(_ figures: [StreamFigures]) -> StreamAggregates {
        var aggregates = StreamAggregates()
        for stream in figures {
            let (process, peer) = groups(of: stream.key, processName: stream.processName)
            aggregates.processes[process, default: AggregateFigures()].add(stream)
            aggregates.peers[peer, default: AggregateFigures()].add(stream)
        }
        return aggregates
    }

    /// Sums of exported streams (snapshots built by hand: tests, fixtures). A stream whose `remote`
    /// is not `ip:port` counts for its process only.
    public static func summing(_ streams: [ExportedStream]) -> StreamAggregates {
        var aggregates = StreamAggregates()
        for stream in streams {
            let report = stream.report
            let clockKnown = report.clockRate != nil && report.clockRateSource != .unknown
            let jitter = clockKnown ? report.jitterMs.map { $0 / 1000 } : nil
            let process = ProcessGroup(pid: report.pid, comm: report.comm, direction: report.direction)
            aggregates.processes[process, default: AggregateFigures()]
                .addStream(packets: report.packets, expected: report.expected, lost: report.lost, jitterSeconds: jitter)
            if let remote = Endpoint(stream.remote) {
                aggregates.peers[PeerGroup(remote: remote.address, direction: report.direction), default: AggregateFigures()]
                    .addStream(packets: report.packets, expected: report.expected, lost: report.lost, jitterSeconds: jitter)
            }
        }
        return aggregates
    }
}

/// Sums the streams per process and per peer, scrape after scrape, keeping the packet counters
/// monotonic: when a stream ends (idle timeout, stream cap) its packets would leave a plain sum over
/// the current streams, which Prometheus would read as a counter reset. So each stream's figures at
/// the previous scrape are remembered, and those of a stream that is gone (or was replaced by a new
/// stream with the same key) stay in its groups' totals. A group disappears with its last stream, like
/// a stream's own series.
///
/// What it misses: packets a stream received between the last scrape and its end (none for an idle
/// timeout longer than the scrape interval). Memory: one 48-byte record per current stream, updated in
/// place (no second map per scrape).
public struct StreamAggregator: Sendable {
    private struct Contribution {
        var firstTime: Nanoseconds
        var packets: UInt64
        var expected: Int64
        var lost: Int64
        var process: UInt32
        var peer: UInt32
        /// The scrape that last saw the stream.
        var generation: UInt32
    }

    /// Each stream's contribution at its latest scrape, by its identity fingerprint.
    private var contributions: [Int: Contribution] = [:]
    private var generation: UInt32 = 0
    private var processIDs = GroupIDs<ProcessGroup>()
    private var peerIDs = GroupIDs<PeerGroup>()
    /// Totals of the streams that ended, per group id.
    private var ended: (processes: [UInt32: AggregateFigures], peers: [UInt32: AggregateFigures]) = ([:], [:])

    public init() {}

    /// The aggregates of the streams in `figures` (every tracked stream), plus the ended streams.
    public mutating func aggregate(_ figures: [StreamFigures]) -> StreamAggregates {
        generation &+= 1
        var aggregates = StreamAggregates()
        for stream in figures {
            let (process, peer) = StreamAggregates.groups(of: stream.key, processName: stream.processName)
            aggregates.processes[process, default: AggregateFigures()].add(stream)
            aggregates.peers[peer, default: AggregateFigures()].add(stream)
            let now = Contribution(firstTime: stream.firstTime, packets: stream.packets, expected: stream.expected,
                                   lost: stream.lost, process: processIDs.id(process), peer: peerIDs.id(peer),
                                   generation: generation)
            let identity = Self.identity(stream.key)
            if let before = contributions.updateValue(now, forKey: identity), before.firstTime != now.firstTime {
                end(before)  // the same key, a new stream: the old one ended
            }
        }
        var gone: [Int] = []
        for (identity, before) in contributions where before.generation != generation {
            end(before)
            gone.append(identity)
        }
        for identity in gone { contributions[identity] = nil }
        // Groups without streams disappear, and their ended totals with them.
        processIDs.keepOnly { aggregates.processes[$0] != nil }
        peerIDs.keepOnly { aggregates.peers[$0] != nil }
        ended.processes = ended.processes.filter { processIDs.group($0.key) != nil }
        ended.peers = ended.peers.filter { peerIDs.group($0.key) != nil }
        for (id, totals) in ended.processes {
            guard let group = processIDs.group(id) else { continue }
            aggregates.processes[group]?.addTotals(packets: totals.packets, expected: totals.expected, lost: totals.lost)
        }
        for (id, totals) in ended.peers {
            guard let group = peerIDs.group(id) else { continue }
            aggregates.peers[group]?.addTotals(packets: totals.packets, expected: totals.expected, lost: totals.lost)
        }
        return aggregates
    }

    private mutating func end(_ stream: Contribution) {
        ended.processes[stream.process, default: AggregateFigures()]
            .addTotals(packets: stream.packets, expected: stream.expected, lost: stream.lost)
        ended.peers[stream.peer, default: AggregateFigures()]
            .addTotals(packets: stream.packets, expected: stream.expected, lost: stream.lost)
    }

    /// A 64-bit fingerprint of the stream key (two keys colliding among 100,000 streams: ~3e-10).
    /// Kept instead of the key itself: a key is ~80 bytes, and this map has an entry per stream.
    private static func identity(_ key: StreamKey) -> Int { key.hashValue }
}

/// Small ids for groups, so per-stream records stay small; an id is reused only after its group is gone.
struct GroupIDs<Group: Hashable & Sendable>: Sendable {
    private var ids: [Group: UInt32] = [:]
    private var groups: [Group?] = []
    private var free: [UInt32] = []

    mutating func id(_ group: Group) -> UInt32 {
        if let id = ids[group] { return id }
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            groups[Int(id)] = group
        } else {
            id = UInt32(groups.count)
            groups.append(group)
        }
        ids[group] = id
        return id
    }

    func group(_ id: UInt32) -> Group? { Int(id) < groups.count ? groups[Int(id)] : nil }

    /// Releases the ids of the groups `keep` rejects.
    mutating func keepOnly(_ keep: (Group) -> Bool) {
        for (group, id) in ids where !keep(group) {
            ids[group] = nil
            groups[Int(id)] = nil
            free.append(id)
        }
    }
}
