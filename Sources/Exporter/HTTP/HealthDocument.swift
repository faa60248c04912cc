/// The `/health` body: is the monitor attached, and is it keeping up?
struct HealthDocument: Encodable, Equatable {
    let status: String
    let attachedPrograms: [String]
    let eventsPerSecond: Double
    let eventsBySyscall: [String: UInt64]
    let ringbufDroppedEvents: UInt64
    let streams: Int
    let streamsEvicted: UInt64

    /// Without an attached program the monitor sees nothing: report it as unhealthy (503) so a
    /// readiness probe notices, while the process itself stays up.
    var isHealthy: Bool { !attachedPrograms.isEmpty }

    init(_ snapshot: ExporterSnapshot) {
        let health = snapshot.health
        attachedPrograms = health.attachedPrograms.sorted()
        status = attachedPrograms.isEmpty ? "no_programs_attached" : "ok"
        eventsPerSecond = health.eventsPerSecond
        eventsBySyscall = health.eventsBySyscall
        ringbufDroppedEvents = health.ringbufDroppedEvents
        streams = snapshot.streams.count
        streamsEvicted = health.streamsEvicted
    }

    enum CodingKeys: String, CodingKey {
        case status, attachedPrograms = "attached_programs", eventsPerSecond = "events_per_second"
        case eventsBySyscall = "events_by_syscall", ringbufDroppedEvents = "ringbuf_dropped_events"
        case streams, streamsEvicted = "streams_evicted"
    }
}
