/// Every metric family rtpscope exports, with its help text, and the label sets they carry: the one
/// definition that the live exposition (Exporter) and the OpenMetrics backfill (Reporting) both use.
///
/// Label vocabulary: sockets are described from the traced process's side (`local`, `remote`); a
/// stream's identity adds `ssrc` (`0x` + 8 lowercase hex digits, `SSRCText.hex`), `direction`
/// (`sent`/`received`), the process (`pid`, `comm`), `payload_type`, the socket's container
/// (`container`, `pod`, `namespace`) and, for streams captured on a network interface instead of a
/// process's socket, `interface` (local/remote then as a receiver at the capture point sees them).
public enum MetricCatalog {
    // MARK: - Per stream

    public static let rtpPackets = MetricFamily(
        name: "rtpscope_rtp_packets_total", type: .counter,
        help: "RTP packets seen on the stream (packets).", unit: "packets")
    public static let rtpBytes = MetricFamily(
        name: "rtpscope_rtp_bytes_total", type: .counter,
        help: "RTP bytes seen on the stream, header and payload (bytes).", unit: "bytes")
    public static let rtpExpected = MetricFamily(
        name: "rtpscope_rtp_expected_packets", type: .gauge,
        help: "Packets expected from the extended highest sequence number, RFC 3550 A.3 (packets).", unit: "packets")
    public static let rtpLost = MetricFamily(
        name: "rtpscope_rtp_lost_packets", type: .gauge,
        help: "Cumulative packets lost, RFC 3550 A.3: expected minus received; decreases when late packets arrive and is negative with duplicates (packets).",
        unit: "packets")
    public static let rtpDuplicates = MetricFamily(
        name: "rtpscope_rtp_duplicate_packets_total", type: .counter,
        help: "Packets whose sequence number had already been received (packets).", unit: "packets")
    public static let rtpReordered = MetricFamily(
        name: "rtpscope_rtp_reordered_packets_total", type: .counter,
        help: "Packets that arrived after a higher sequence number (packets).", unit: "packets")
    public static let rtpSequenceResets = MetricFamily(
        name: "rtpscope_rtp_sequence_resets_total", type: .counter,
        help: "Sender restarts detected by RFC 3550 A.1 sequence validation (resets).")
    public static let rtpJitter = MetricFamily(
        name: "rtpscope_rtp_jitter_seconds", type: .gauge,
        help: "Interarrival jitter, RFC 3550 A.8, converted with the stream's clock rate (seconds). Absent while the clock rate is unknown.",
        unit: "seconds")
    public static let rtpMaxJitter = MetricFamily(
        name: "rtpscope_rtp_max_jitter_seconds", type: .gauge,
        help: "Largest interarrival jitter seen on the stream (seconds). Absent while the clock rate is unknown.",
        unit: "seconds")
    public static let rtpByeTimestamp = MetricFamily(
        name: "rtpscope_rtp_bye_timestamp_seconds", type: .gauge,
        help: "When an RTCP BYE naming the stream's SSRC arrived after its last packet: the source ended the stream (seconds since the Unix epoch). Absent until then.",
        unit: "seconds")
    public static let rtpPacketInterval = MetricFamily(
        name: "rtpscope_rtp_packet_interval_seconds", type: .histogram,
        help: "Time between consecutive packets of the stream (seconds).", unit: "seconds")
    public static let rtpClockRate = MetricFamily(
        name: "rtpscope_rtp_clock_rate_hertz", type: .gauge,
        help: "RTP timestamp clock rate used for the stream (hertz). Absent while unknown.", unit: "hertz")
    public static let rtpSendStalls = MetricFamily(
        name: "rtpscope_rtp_send_stalls_total", type: .counter,
        help: "Gaps between sends of an outgoing stream longer than k times its expected interval, by cause: codec when a codec call of the process covered most of the gap, other otherwise (stalls).")
    public static let codecNetworkCorrelation = MetricFamily(
        name: "rtpscope_codec_network_correlation", type: .gauge,
        help: "Pearson correlation, over the last 60 one-second buckets, between the per-second worst call latency of a codec function (calls under half the stream's expected interval count as 0) and the per-second worst send interval of the process's outgoing stream; 0 when either side is constant (ratio, -1..1). Absent with fewer than 10 seconds of sends.")

    /// The per-stream families, in exposition order.
    public static let streamFamilies: [MetricFamily] = [
        rtpPackets, rtpBytes, rtpExpected, rtpLost, rtpDuplicates, rtpReordered, rtpSequenceResets, rtpJitter,
        rtpMaxJitter, rtpByeTimestamp, rtpPacketInterval, rtpClockRate,
    ]

    // MARK: - Aggregates over every stream (exact whatever `--stream-metrics` leaves out)

    public static let process = GroupFamilies(scope: "process", streams: "of the process")
    public static let peer = GroupFamilies(scope: "peer", streams: "to or from this remote address")

    /// Bounds of the stream-jitter histograms (seconds): around the 30 ms the shipped alert uses.
    public static let streamJitterBounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25]

    // MARK: - RTCP

    public static let rtcpReportedJitter = MetricFamily(
        name: "rtpscope_rtcp_reported_jitter_seconds", type: .gauge,
        help: "Interarrival jitter reported in the latest RTCP report block (seconds). Absent while the media clock rate is unknown.",
        unit: "seconds")
    public static let rtcpReportedFractionLost = MetricFamily(
        name: "rtpscope_rtcp_reported_fraction_lost_ratio", type: .gauge,
        help: "Fraction lost since the previous report, from the latest RTCP report block (ratio 0-1).", unit: "ratio")
    public static let rtcpReportedLost = MetricFamily(
        name: "rtpscope_rtcp_reported_lost_packets", type: .gauge,
        help: "Cumulative number of packets lost reported in the latest RTCP report block; can decrease (packets).",
        unit: "packets")
    public static let rtcpRoundTripTime = MetricFamily(
        name: "rtpscope_rtcp_round_trip_time_seconds", type: .gauge,
        help: "Round-trip time from LSR/DLSR of the latest RTCP report block (seconds). Absent when no matching sender report was seen.",
        unit: "seconds")

    // MARK: - Codec probes

    public static let codecCalls = MetricFamily(
        name: "rtpscope_codec_calls_total", type: .counter,
        help: "Calls of a probed libavcodec/libavformat function (calls).")
    public static let codecErrors = MetricFamily(
        name: "rtpscope_codec_errors_total", type: .counter,
        help: "Calls that returned an error; AVERROR(EAGAIN) and AVERROR_EOF are normal flow and not counted (calls).")
    public static let codecPacketBytes = MetricFamily(
        name: "rtpscope_codec_packet_bytes_total", type: .counter,
        help: "AVPacket bytes passed to or returned by the functions that take a packet (bytes).", unit: "bytes")
    public static let codecCallDuration = MetricFamily(
        name: "rtpscope_codec_call_duration_seconds", type: .histogram,
        help: "Duration of probed codec calls, from the kernel's log2 histogram (seconds).", unit: "seconds")
    public static let codecUntimedCalls = MetricFamily(
        name: "rtpscope_codec_untimed_calls_total", type: .counter,
        help: "Calls counted without a duration: nested deeper than the kernel keeps entry times for, or returning without a recorded entry (calls).")

    // MARK: - The monitor itself

    public static let events = MetricFamily(
        name: "rtpscope_events_total", type: .counter,
        help: "Events received from the kernel ring buffer, by traced syscall (events).")
    public static let ringbufDropped = MetricFamily(
        name: "rtpscope_ringbuf_dropped_events_total", type: .counter,
        help: "Events lost because the ring buffer was full, summed over CPUs (events).")
    public static let unreportedDatagrams = MetricFamily(
        name: "rtpscope_unreported_datagrams_total", type: .counter,
        help: "Datagrams or events the kernel side saw but could not report in full, by reason: iovec_bound and message_bound (beyond the fixed walk bounds), stash_full, payload_unreadable, socket_unreadable, unresolved_address (datagrams).")
    public static let datagramsDiscarded = MetricFamily(
        name: "rtpscope_datagrams_discarded_total", type: .counter,
        help: "Datagrams delivered to the engine but not counted in any RTP stream or RTCP reporter, by reason: malformed RTP/RTCP (rtp_*, rtcp_*, udp_* and the other decoders' reasons), not_rtp, the RFC 7983 demultiplexed protocols stun, dtls, zrtp, turn_channel, ip_fragment, truncated_header and rtcp_truncated_undecodable (cut by the capture's copy), rtp_unconfirmed (packets of candidate streams that never passed RFC 3550 probation), rtp_candidate_evicted (candidates dropped because candidate memory was full), and srtcp (encrypted RTCP, recognised but not readable) (datagrams).")
    public static let bpfProgramRunTime = MetricFamily(
        name: "rtpscope_bpf_program_run_seconds_total", type: .counter,
        help: "Time spent running each BPF program, from kernel run-time statistics (seconds).", unit: "seconds")
    public static let bpfProgramRuns = MetricFamily(
        name: "rtpscope_bpf_program_runs_total", type: .counter,
        help: "Times each BPF program ran, from kernel run-time statistics (runs).")
    public static let streams = MetricFamily(
        name: "rtpscope_streams", type: .gauge,
        help: "RTP streams currently tracked, whether or not --stream-metrics exports their series (streams).")
    public static let streamsExported = MetricFamily(
        name: "rtpscope_streams_exported", type: .gauge,
        help: "Streams whose per-stream series this scrape contains, as --stream-metrics selects them; rtpscope_streams minus this were left out (streams).")
    public static let streamsEvicted = MetricFamily(
        name: "rtpscope_streams_evicted_total", type: .counter,
        help: "Streams dropped by the idle timeout or the stream cap (streams).")
    public static let codecProbedProcesses = MetricFamily(
        name: "rtpscope_codec_probed_processes", type: .gauge,
        help: "Processes with codec uprobes attached (processes).")
    public static let codecProbes = MetricFamily(
        name: "rtpscope_codec_probes", type: .gauge,
        help: "Codec uprobes and uretprobes attached, over all processes (probes).")
    public static let codecDroppedRecords = MetricFamily(
        name: "rtpscope_codec_call_records_dropped_total", type: .counter,
        help: "Codec call records lost because their ring buffer was full; the codec counters still include those calls (records).")
    public static let codecAttachFailures = MetricFamily(
        name: "rtpscope_codec_probe_attach_failures_total", type: .counter,
        help: "Codec probes that failed to attach for a reason other than a missing symbol (probes).")
    public static let codecNestingExceeded = MetricFamily(
        name: "rtpscope_codec_nesting_exceeded_total", type: .counter,
        help: "Probed codec calls nested deeper than the kernel keeps entry times for (8 per thread); counted, not timed (calls).")
    public static let codecStackMismatches = MetricFamily(
        name: "rtpscope_codec_stack_mismatches_total", type: .counter,
        help: "Probed codec returns without their entry, as when a probe attaches mid-call (calls).")
    public static let codecStatisticsTableFull = MetricFamily(
        name: "rtpscope_codec_statistics_table_full_total", type: .counter,
        help: "Probed codec calls not counted per process and function because the kernel's statistics table was full (calls).")
    public static let malformedRecords = MetricFamily(
        name: "rtpscope_malformed_records_total", type: .counter,
        help: "Kernel ring-buffer records that failed validation in user space and were skipped; never expected (records).")
    public static let snapshotLockSeconds = MetricFamily(
        name: "rtpscope_exporter_snapshot_lock_seconds", type: .gauge,
        help: "Time this scrape's snapshot held the engine lock, during which the capture loop waits (seconds).",
        unit: "seconds")
    public static let httpConnectionsDropped = MetricFamily(
        name: "rtpscope_exporter_connections_dropped_total", type: .counter,
        help: "HTTP connections closed by the exporter: evicted at the connection limit, refused, request timeout, write stalled, pipelining limit.")
    public static let httpResponses = MetricFamily(
        name: "rtpscope_exporter_http_responses_total", type: .counter,
        help: "HTTP responses sent by the exporter, by status code.")
    public static let httpConnections = MetricFamily(
        name: "rtpscope_exporter_http_connections", type: .gauge,
        help: "HTTP connections currently open to the exporter.")
    // MARK: - SIP calls, per traced process (calls themselves are served by /calls, never labels)

    public static let sipCallsStarted = MetricFamily(
        name: "rtpscope_sip_calls_started_total", type: .counter,
        help: "SIP calls (Call-IDs with an INVITE) whose signalling the process sent or received (calls).")
    public static let sipCallsAnswered = MetricFamily(
        name: "rtpscope_sip_calls_answered_total", type: .counter,
        help: "Calls answered with a 2xx; answered / started is the answer-seizure ratio (calls).")
    public static let sipCallsEnded = MetricFamily(
        name: "rtpscope_sip_calls_ended_total", type: .counter,
        help: "Calls that ended, by outcome: completed (answered, then BYE), cancelled (CANCEL before an answer), failed (a final 3xx-6xx), expired (dropped unfinished after a timeout or at the call cap) (calls).")
    public static let sipCallsActive = MetricFamily(
        name: "rtpscope_sip_calls_active", type: .gauge,
        help: "Calls started and not yet ended: trying, ringing or answered (calls).")

    public static let buildInfo = MetricFamily(
        name: "rtpscope_build_info", type: .gauge,
        help: "Build of the running rtpscope; the value is always 1.")
    public static let scrapeDuration = MetricFamily(
        name: "rtpscope_exporter_scrape_duration_seconds", type: .histogram,
        help: "Time taken to take a snapshot and render /metrics (seconds).", unit: "seconds")

    // MARK: - The standard process metrics (client_golang's process collector names and help)

    public static let processCPUSeconds = MetricFamily(
        name: "process_cpu_seconds_total", type: .counter,
        help: "Total user and system CPU time spent in seconds.", unit: "seconds")
    public static let processOpenFDs = MetricFamily(
        name: "process_open_fds", type: .gauge, help: "Number of open file descriptors.")
    public static let processMaxFDs = MetricFamily(
        name: "process_max_fds", type: .gauge, help: "Maximum number of open file descriptors.")
    public static let processVirtualMemory = MetricFamily(
        name: "process_virtual_memory_bytes", type: .gauge, help: "Virtual memory size in bytes.", unit: "bytes")
    public static let processVirtualMemoryMax = MetricFamily(
        name: "process_virtual_memory_max_bytes", type: .gauge,
        help: "Maximum amount of virtual memory available in bytes.", unit: "bytes")
    public static let processResidentMemory = MetricFamily(
        name: "process_resident_memory_bytes", type: .gauge, help: "Resident memory size in bytes.", unit: "bytes")
    public static let processStartTime = MetricFamily(
        name: "process_start_time_seconds", type: .gauge,
        help: "Start time of the process since unix epoch in seconds.", unit: "seconds")
}

/// The five families summing every stream of a group (a process, a peer), in each direction.
public struct GroupFamilies: Sendable {
    public let packets: MetricFamily
    public let expected: MetricFamily
    public let lost: MetricFamily
    public let streams: MetricFamily
    public let jitter: MetricFamily

    /// `rtpscope_<scope>_…`, help texts about the streams `streams` describes ("of the process").
    init(scope: String, streams description: String) {
        let every = "every stream \(description) in this direction"
        packets = MetricFamily(
            name: "rtpscope_\(scope)_rtp_packets_total", type: .counter,
            help: "RTP packets of \(every), ended streams included (packets).", unit: "packets")
        expected = MetricFamily(
            name: "rtpscope_\(scope)_rtp_expected_packets", type: .gauge,
            help: "RFC 3550 A.3 expected packets summed over \(every), ended streams included (packets).",
            unit: "packets")
        lost = MetricFamily(
            name: "rtpscope_\(scope)_rtp_lost_packets", type: .gauge,
            help: "RFC 3550 A.3 cumulative lost packets summed over \(every), ended streams included; can decrease (packets).",
            unit: "packets")
        streams = MetricFamily(
            name: "rtpscope_\(scope)_streams", type: .gauge,
            help: "Streams \(description) in this direction currently tracked (streams).")
        jitter = MetricFamily(
            name: "rtpscope_\(scope)_stream_jitter_seconds", type: .histogram,
            help: "Current RFC 3550 jitter of the streams \(description) in this direction, one observation per stream with a known clock rate: a gauge histogram, read it directly (histogram_quantile), not with rate() (seconds).",
            unit: "seconds")
    }
}

/// The label names of each kind of series, in exposition order.
public enum MetricLabels {
    /// One live RTP stream: its identity, then the container of its socket (`container`, `pod`,
    /// `namespace`: empty where not applicable), then the interface it was captured on (`interface`:
    /// `monitor --interface` streams, which have no `pid`/`comm`; empty for process streams).
    public static let stream = ["ssrc", "direction", "local", "remote", "pid", "comm", "payload_type",
                                "container", "pod", "namespace", "interface"]
    /// One stream of a capture (`analyze --openmetrics`): the live names where a capture has the value
    /// (no process), plus the capture file. Offline streams are seen at the capture point as a
    /// receiver sees them: `direction="received"`, `local` the destination, `remote` the source.
    public static let captureStream = ["ssrc", "direction", "local", "remote", "payload_type", "capture"]
    /// Added after the stream's labels on `rtpscope_rtp_send_stalls_total`.
    public static let stallCause = "cause"
    /// One (reporter, reported source) pair of RTCP report blocks.
    public static let rtcpBlock = ["reporter_ssrc", "ssrc", "direction", "local", "remote", "pid", "comm"]
    /// One probed codec function of one process.
    public static let codecFunction = ["pid", "comm", "function", "library"]
    /// One probed codec function against one outgoing stream.
    public static let codecCorrelation = ["pid", "comm", "function", "ssrc"]
    /// Every stream of one process in one direction.
    public static let process = ["pid", "comm", "direction"]
    /// Every stream with one remote IP address (no port) in one direction.
    public static let peer = ["remote_ip", "direction"]
    /// One process's SIP calls (`rtpscope_sip_calls_*`).
    public static let callProcess = ["pid", "comm"]
    /// Added before the process's labels on `rtpscope_sip_calls_ended_total`.
    public static let callOutcome = "outcome"
    /// `rtpscope_build_info`, as Prometheus' own `*_build_info` (with `goversion` → `swiftversion`).
    public static let buildInfo = ["version", "revision", "swiftversion"]
    /// `rtpscope_exporter_http_responses_total`: the status code, or `other`.
    public static let code = "code"
    public static let syscall = "syscall"
    public static let reason = "reason"
    public static let program = "program"
}
