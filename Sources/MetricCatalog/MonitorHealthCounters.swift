/// The codec probes' own state: counted by the kernel side and the probe manager (LiveSource),
/// served as is by /metrics (each counter has its `MetricCatalog.codec…` family) and /health (the
/// JSON keys below). Defined once, here, so that no mapping in between can drop a counter.
public struct CodecProbeHealth: Sendable, Equatable, Encodable {
    public var attachedProcesses = 0
    public var attachedProbes = 0
    /// Call records lost because the codec ring buffer was full (the kernel statistics still
    /// count those calls; only stall classification and correlation miss them). Cumulative.
    public var callRecordDrops: UInt64 = 0
    /// Calls nested deeper than the kernel keeps entry times for (counted, untimed). Cumulative.
    public var nestingExceeded: UInt64 = 0
    /// Returns without their entry (a probe attached mid-call). Cumulative.
    public var stackMismatches: UInt64 = 0
    /// Calls not counted per (process, function) because the kernel's table was full. Cumulative.
    public var statisticsTableFull: UInt64 = 0
    /// Probes that failed to attach for a reason other than a missing symbol. Cumulative.
    public var attachFailures: UInt64 = 0

    public init() {}

    /// `/health`'s `codec_probes` object.
    enum CodingKeys: String, CodingKey {
        case attachedProcesses = "attached_processes", attachedProbes = "attached_probes"
        case callRecordDrops = "call_records_dropped", attachFailures = "attach_failures"
        case nestingExceeded = "nesting_exceeded", stackMismatches = "stack_mismatches"
        case statisticsTableFull = "statistics_table_full"
    }
}

/// `bpf_prog_get_info_by_fd` run statistics of one program (cumulative while stats are enabled):
/// the capture's and the codec probes' programs alike.
public struct ProgramRunStats: Sendable, Equatable {
    public var name: String
    public var runTimeNanoseconds: UInt64
    public var runCount: UInt64

    public init(name: String, runTimeNanoseconds: UInt64, runCount: UInt64) {
        self.name = name
        self.runTimeNanoseconds = runTimeNanoseconds
        self.runCount = runCount
    }
}
