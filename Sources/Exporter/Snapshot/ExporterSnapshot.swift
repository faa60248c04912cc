import MetricCatalog
import RTPCore

/// Everything one scrape needs, taken at one instant so that every endpoint shows a consistent view.
///
/// The live engine fills this in (the CLI maps its state into these types); the exporter only reads it.
/// Contract for the cumulative fields (`packets`, `bytes`, `duplicates`, `reordered`, `seqResets`,
/// event counts, program run statistics, `streamsEvicted`, aggregate packets, discarded datagrams):
/// they must never decrease for a given series, because they are exported as Prometheus counters.
public struct ExporterSnapshot: Sendable {
    /// The streams whose per-stream series are exported (`--stream-metrics`). An evicted stream is
    /// simply absent: its series disappear.
    public var streams: [ExportedStream]
    /// Every stream currently tracked, exported or not.
    public var trackedStreamCount: Int
    /// How `streams` was chosen among them.
    public var streamMetrics: StreamMetricsMode
    /// Per-process and per-peer sums over every tracked stream.
    public var aggregates: StreamAggregates
    /// RTCP reporters seen on the traced sockets.
    public var rtcp: [ExportedRTCPReporter]
    public var health: MonitorHealth
    /// Codec probe statistics per (process, function); empty without codec probes.
    public var codec: [ExportedCodecSeries]
    /// SIP call counters per traced process (cumulative, plus the active gauge).
    public var callCounters: [ExportedCallCounters] = []
    /// Datagrams the engine counted in no stream or reporter, by reason (see `DiscardedDatagrams`).
    public var discardedDatagrams: [String: UInt64]
    /// How long taking this snapshot held the engine's lock; nil when not measured.
    public var lockHoldSeconds: Double?
    private var reportSource: @Sendable () -> AnalysisReport

    /// Served by `/streams`, in the shape of `analyze --format json`, with every stream. Built when
    /// read (a `/metrics` scrape never builds it): from the engine at that moment.
    public var report: AnalysisReport {
        get { reportSource() }
        set { reportSource = { newValue } }
    }

    public init(streams: [ExportedStream], trackedStreamCount: Int, streamMetrics: StreamMetricsMode,
                aggregates: StreamAggregates, rtcp: [ExportedRTCPReporter], health: MonitorHealth,
                codec: [ExportedCodecSeries] = [], discardedDatagrams: [String: UInt64] = [:],
                lockHoldSeconds: Double? = nil, report: @escaping @Sendable () -> AnalysisReport) {
        self.streams = streams
        self.trackedStreamCount = trackedStreamCount
        self.streamMetrics = streamMetrics
        self.aggregates = aggregates
        self.rtcp = rtcp
        self.health = health
        self.codec = codec
        self.discardedDatagrams = discardedDatagrams
        self.lockHoldSeconds = lockHoldSeconds
        self.reportSource = report
    }

    /// Every stream exported, aggregates summed from them, the report given.
    public init(streams: [ExportedStream], rtcp: [ExportedRTCPReporter], health: MonitorHealth,
                report: AnalysisReport, codec: [ExportedCodecSeries] = []) {
        self.init(streams: streams, trackedStreamCount: streams.count, streamMetrics: .all,
                  aggregates: StreamAggregates.summing(streams), rtcp: rtcp, health: health, codec: codec,
                  report: { report })
    }
}

/// Supplies snapshots to the HTTP server. Called once per request, possibly concurrently.
public protocol ExporterSnapshotProvider: Sendable {
    func snapshot() async -> ExporterSnapshot
    /// `/calls`: SIP calls with their streams. Only on request (placing streams in calls costs a
    /// report of every stream), never per scrape.
    func calls() async -> CallsDocument
}

extension ExporterSnapshotProvider {
    public func calls() async -> CallsDocument { CallsDocument() }
}

/// One RTP stream as the exporter labels it.
public struct ExportedStream: Sendable {
    public var report: StreamReport
    /// The traced process's side of the 5-tuple, `ip:port` (IPv6 `[addr]:port`).
    public var local: String
    /// The peer's side of the 5-tuple.
    public var remote: String
    public var intervalHistogram: ExportedHistogram

    public init(report: StreamReport, local: String, remote: String, intervalHistogram: ExportedHistogram) {
        self.report = report
        self.local = local
        self.remote = remote
        self.intervalHistogram = intervalHistogram
    }

    /// `local` and `remote` from the report's endpoints and direction (see `ProcessSide`).
    public init(report: StreamReport, intervalHistogram: ExportedHistogram) {
        let (local, remote) = ProcessSide.endpoints(src: report.src, dst: report.dst, direction: report.direction)
        self.init(report: report, local: local, remote: remote, intervalHistogram: intervalHistogram)
    }
}

/// One probed codec function of one process (cumulative values, straight from the kernel maps).
public struct ExportedCodecSeries: Sendable, Equatable {
    public var pid: Int32
    public var comm: String
    public var function: String
    public var library: String
    public var calls: UInt64
    public var errors: UInt64
    /// nil for the functions that take no AVPacket.
    public var packetBytes: UInt64?
    /// Call latency; nil for the count-only functions.
    public var duration: ExportedHistogram?
    /// Calls counted without a latency (nesting beyond the kernel's bound, a return without its
    /// entry); nil for the count-only functions.
    public var untimedCalls: UInt64? = nil

    public init(pid: Int32, comm: String, function: String, library: String, calls: UInt64, errors: UInt64,
                packetBytes: UInt64?, duration: ExportedHistogram?, untimedCalls: UInt64? = nil) {
        self.pid = pid
        self.comm = comm
        self.function = function
        self.library = library
        self.calls = calls
        self.errors = errors
        self.packetBytes = packetBytes
        self.duration = duration
        self.untimedCalls = untimedCalls
    }

    /// The kernel's log2 buckets (index i: [2^i, 2^(i+1)) ns, the last open-ended) as a histogram
    /// in seconds. Buckets below `firstBoundExponent` are folded into the first bound: no codec
    /// call takes under a microsecond, and 10 empty sub-microsecond buckets per series are noise.
    public static func histogram(log2NanosecondBuckets buckets: [UInt64], sumNanoseconds: UInt64,
                                 firstBoundExponent: Int = 10) -> ExportedHistogram {
        guard buckets.count > firstBoundExponent else { return .empty }
        var bounds: [Double] = []
        var counts: [UInt64] = []
        // Bucket i's values are all below 2^(i+1) ns: its upper bound.
        let folded = buckets[0..<firstBoundExponent].reduce(0, &+)
        for index in (firstBoundExponent - 1)..<(buckets.count - 1) {
            bounds.append(Double(UInt64(1) << UInt64(index + 1)) / 1e9)
            counts.append(index == firstBoundExponent - 1 ? folded : buckets[index])
        }
        return ExportedHistogram(upperBounds: bounds, bucketCounts: counts,
                                 sum: Double(sumNanoseconds) / 1e9, count: buckets.reduce(0, &+))
    }
}

/// One RTCP reporter (an SSRC sending SR/RR) with the endpoints seen from the traced process.
/// Process and direction come from `report.pid`, `report.comm` and `report.direction`.
public struct ExportedRTCPReporter: Sendable {
    public var report: RTCPReporterReport
    public var local: String
    public var remote: String

    public init(report: RTCPReporterReport, local: String, remote: String) {
        self.report = report
        self.local = local
        self.remote = remote
    }
}

/// A histogram as the data source keeps it: per-bucket (not cumulative) counts.
/// The exposition turns it into cumulative `le` buckets at scrape time, like ebpf_exporter does
/// with its kernel-side log2 histograms.
public struct ExportedHistogram: Sendable, Equatable {
    /// Finite upper bounds, seconds.
    public var upperBounds: [Double]
    /// `bucketCounts[i]` observations fell in (upperBounds[i-1], upperBounds[i]].
    /// Observations above the last bound are only in `count`.
    public var bucketCounts: [UInt64]
    /// Sum of all observations, seconds.
    public var sum: Double
    /// All observations, including those above the last bound.
    public var count: UInt64

    public init(upperBounds: [Double], bucketCounts: [UInt64], sum: Double, count: UInt64) {
        self.upperBounds = upperBounds
        self.bucketCounts = bucketCounts
        self.sum = sum
        self.count = count
    }

    public static let empty = ExportedHistogram(upperBounds: [], bucketCounts: [], sum: 0, count: 0)
}

/// The live monitor's own state: what is attached and whether events are being lost.
public struct MonitorHealth: Sendable, Equatable {
    /// Names of the BPF programs currently attached.
    public var attachedPrograms: [String]
    /// Events delivered by the ring buffer, per traced syscall (e.g. `sendmmsg`). Cumulative.
    public var eventsBySyscall: [String: UInt64]
    /// Recent event rate, for `/health` only (Prometheus computes rates itself from the counters).
    public var eventsPerSecond: Double
    /// Ring buffer reservation failures summed over CPUs. Cumulative.
    public var ringbufDroppedEvents: UInt64
    /// What the kernel side saw but could not report in full, by reason (bounds exceeded,
    /// unreadable memory, unresolved addresses). Cumulative. Never silent: exported as a counter.
    public var unreportedDatagrams: [String: UInt64]
    /// Per-program run statistics. Leave empty when the kernel's run-time statistics are off
    /// (`kernel.bpf_stats_enabled=0` and no `BPF_ENABLE_STATS` fd): the families are then omitted
    /// rather than exported as misleading zeros.
    public var programStats: [ProgramRunStats]
    /// Streams dropped by the idle timeout or the global cap. Cumulative.
    public var streamsEvicted: UInt64
    /// Codec probes; nil when they are off.
    public var codecProbes: CodecProbeHealth? = nil
    /// Kernel records that failed validation in user space (never expected; counted, not fatal). Cumulative.
    public var malformedRecords: UInt64 = 0
    /// `--interface` captures, in command-line order; empty without them.
    public var interfaces: [InterfaceHealth] = []

    public init(attachedPrograms: [String] = [], eventsBySyscall: [String: UInt64] = [:],
                eventsPerSecond: Double = 0, ringbufDroppedEvents: UInt64 = 0,
                unreportedDatagrams: [String: UInt64] = [:], programStats: [ProgramRunStats] = [], streamsEvicted: UInt64 = 0) {
        self.attachedPrograms = attachedPrograms
        self.eventsBySyscall = eventsBySyscall
        self.eventsPerSecond = eventsPerSecond
        self.ringbufDroppedEvents = ringbufDroppedEvents
        self.unreportedDatagrams = unreportedDatagrams
        self.programStats = programStats
        self.streamsEvicted = streamsEvicted
    }
}

/// One traced process's SIP call counters.
public struct ExportedCallCounters: Sendable, Equatable {
    public var pid: Int32
    public var comm: String
    public var counters: ProcessCallCounters

    public init(pid: Int32, comm: String, counters: ProcessCallCounters) {
        self.pid = pid
        self.comm = comm
        self.counters = counters
    }
}
