/// The monitor's self-metrics that are read from the kernel side at scrape time (ring buffer,
/// program statistics, event counts), in the spirit of ebpf_exporter reading maps on scrape.
enum MonitorFamilies {
    static let eventsBySyscall = ScalarFamily<UInt64>(
        name: "rtpscope_events_total", type: .counter,
        help: "Events received from the kernel ring buffer, by traced syscall (events)."
    ) { .unsigned($0) }

    static let ringbufDropped = ScalarFamily<UInt64>(
        name: "rtpscope_ringbuf_dropped_events_total", type: .counter,
        help: "Events lost because the ring buffer was full, summed over CPUs (events)."
    ) { .unsigned($0) }

    static let unreported = ScalarFamily<UInt64>(
        name: "rtpscope_unreported_datagrams_total", type: .counter,
        help: "Datagrams or events the kernel side saw but could not report in full, by reason: iovec_bound and message_bound (beyond the fixed walk bounds), stash_full, payload_unreadable, socket_unreadable, unresolved_address (datagrams)."
    ) { .unsigned($0) }

    static let programRunTime = ScalarFamily<ProgramRunStats>(
        name: "rtpscope_bpf_program_run_seconds_total", type: .counter,
        help: "Time spent running each BPF program, from kernel run-time statistics (seconds)."
    ) { .real(Double($0.runTimeNanoseconds) / 1e9) }

    static let programRuns = ScalarFamily<ProgramRunStats>(
        name: "rtpscope_bpf_program_runs_total", type: .counter,
        help: "Times each BPF program ran, from kernel run-time statistics (runs)."
    ) { .unsigned($0.runCount) }

    static let streams = ScalarFamily<Int>(
        name: "rtpscope_streams", type: .gauge,
        help: "RTP streams currently tracked and exported (streams)."
    ) { .signed(Int64($0)) }

    static let streamsEvicted = ScalarFamily<UInt64>(
        name: "rtpscope_streams_evicted_total", type: .counter,
        help: "Streams dropped by the idle timeout or the stream cap (streams)."
    ) { .unsigned($0) }

    static let codecProcesses = ScalarFamily<CodecProbeStatus>(
        name: "rtpscope_codec_probed_processes", type: .gauge,
        help: "Processes with codec uprobes attached (processes)."
    ) { .signed(Int64($0.attachedProcesses)) }

    static let codecProbes = ScalarFamily<CodecProbeStatus>(
        name: "rtpscope_codec_probes", type: .gauge,
        help: "Codec uprobes and uretprobes attached, over all processes (probes)."
    ) { .signed(Int64($0.attachedProbes)) }

    static let codecDroppedRecords = ScalarFamily<CodecProbeStatus>(
        name: "rtpscope_codec_call_records_dropped_total", type: .counter,
        help: "Codec call records lost because their ring buffer was full; the codec counters still include those calls (records)."
    ) { .unsigned($0.droppedCallRecords) }

    static let codecAttachFailures = ScalarFamily<CodecProbeStatus>(
        name: "rtpscope_codec_probe_attach_failures_total", type: .counter,
        help: "Codec probes that failed to attach for a reason other than a missing symbol (probes)."
    ) { .unsigned($0.attachFailures) }

    static func write(_ health: MonitorHealth, streamCount: Int, into writer: inout ExpositionWriter) {
        writer.write(eventsBySyscall, for: SeriesOrdering.sortedUnique(
            health.eventsBySyscall.map { (labels: LabelSet(["syscall": $0.key]), subject: $0.value) }))
        writer.write(ringbufDropped, for: [(labels: .none, subject: health.ringbufDroppedEvents)])
        writer.write(unreported, for: SeriesOrdering.sortedUnique(
            health.unreportedDatagrams.map { (labels: LabelSet(["reason": $0.key]), subject: $0.value) }))
        let programs = SeriesOrdering.sortedUnique(
            health.programStats.map { (labels: LabelSet(["program": $0.name]), subject: $0) })
        writer.write(programRunTime, for: programs)
        writer.write(programRuns, for: programs)
        writer.write(streams, for: [(labels: .none, subject: streamCount)])
        writer.write(streamsEvicted, for: [(labels: .none, subject: health.streamsEvicted)])
        if let codec = health.codecProbes {
            writer.write(codecProcesses, for: [(labels: .none, subject: codec)])
            writer.write(codecProbes, for: [(labels: .none, subject: codec)])
            writer.write(codecDroppedRecords, for: [(labels: .none, subject: codec)])
            writer.write(codecAttachFailures, for: [(labels: .none, subject: codec)])
        }
    }
}
