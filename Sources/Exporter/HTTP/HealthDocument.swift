import MetricCatalog

/// The `/health` body: is the monitor attached, and is it keeping up?
struct HealthDocument: Encodable, Equatable {
    let status: String
    let attachedPrograms: [String]
    let eventsPerSecond: Double
    let eventsBySyscall: [String: UInt64]
    let ringbufDroppedEvents: UInt64
    let streams: Int
    /// `--stream-metrics`, and how many tracked streams it left without per-stream series.
    let streamMetrics: String
    let streamsExported: Int
    let streamsLeftOut: Int
    let streamsEvicted: UInt64
    let malformedRecords: UInt64
    /// Every codec probe counter, absent when the probes are off.
    let codecProbes: CodecProbeHealth?
    /// `--interface` captures and their libpcap counters; absent without them.
    let interfaces: [InterfaceHealth]?

    /// Without an attached program or an interface capture the monitor sees nothing: report it as
    /// unhealthy (503) so a readiness probe notices, while the process itself stays up.
    var isHealthy: Bool { !attachedPrograms.isEmpty || interfaces != nil }

    init(_ snapshot: ExporterSnapshot) {
        let health = snapshot.health
        attachedPrograms = health.attachedPrograms.sorted()
        interfaces = health.interfaces.isEmpty ? nil : health.interfaces
        status = attachedPrograms.isEmpty && interfaces == nil ? "no_programs_attached" : "ok"
        eventsPerSecond = health.eventsPerSecond
        eventsBySyscall = health.eventsBySyscall
        ringbufDroppedEvents = health.ringbufDroppedEvents
        streams = snapshot.trackedStreamCount
        streamMetrics = snapshot.streamMetrics.description
        streamsExported = snapshot.streams.count
        streamsLeftOut = max(0, snapshot.trackedStreamCount - snapshot.streams.count)
        streamsEvicted = health.streamsEvicted
        malformedRecords = health.malformedRecords
        codecProbes = health.codecProbes
    }

    enum CodingKeys: String, CodingKey {
        case status, attachedPrograms = "attached_programs", eventsPerSecond = "events_per_second"
        case eventsBySyscall = "events_by_syscall", ringbufDroppedEvents = "ringbuf_dropped_events"
        case streams, streamMetrics = "stream_metrics", streamsExported = "streams_exported"
        case streamsLeftOut = "streams_left_out", streamsEvicted = "streams_evicted"
        case malformedRecords = "malformed_records", codecProbes = "codec_probes"
        case interfaces
    }
}
