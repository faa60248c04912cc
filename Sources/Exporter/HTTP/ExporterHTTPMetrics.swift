import Prometheus

/// The HTTP server's own accounting, in the process registry next to the scrape duration: every
/// connection the server drops and every response it sends are counted, so an attack (or a
/// misconfigured scraper getting 401s) shows up on /metrics instead of passing silently.
final class ExporterHTTPMetrics: Sendable {
    /// Why the server, not the client, ended a connection.
    enum DropReason: String, CaseIterable, Sendable {
        /// Closed to make room for a new connection at `maxConnections`.
        case evicted
        /// Refused at accept: every slot was answering a request.
        case refused
        /// A request did not arrive completely within the request timeout.
        case requestTimeout = "request_timeout"
        /// A response could not be written (client not reading) for the write-stall timeout.
        case writeStalled = "write_stalled"
        /// More pipelined requests than the server queues.
        case pipeliningLimit = "pipelining_limit"
    }

    private let dropped: [DropReason: Counter]
    private let responses: [Int: Counter]
    private let otherResponses: Counter
    private let connections: Gauge

    private static var droppedName: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "rtpscope", subsystem: "exporter", metricName: "connections_dropped", unitName: "total",
        helpText: "HTTP connections closed by the exporter: evicted at the connection limit, refused, request timeout, write stalled, pipelining limit.") }
    private static var responsesName: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "rtpscope", subsystem: "exporter", metricName: "http_responses", unitName: "total",
        helpText: "HTTP responses sent by the exporter, by status code.") }

    /// Status codes this server sends, pre-registered so their series exist from the start.
    static let statusCodes = [200, 304, 400, 401, 404, 405, 408, 429, 431, 500, 503]

    init(registry: PrometheusCollectorRegistry) {
        var dropped: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = registry.makeCounter(descriptor: Self.droppedName, labels: [("reason", reason.rawValue)])
        }
        self.dropped = dropped
        var responses: [Int: Counter] = [:]
        for code in Self.statusCodes {
            responses[code] = registry.makeCounter(descriptor: Self.responsesName, labels: [("code", String(code))])
        }
        self.responses = responses
        otherResponses = registry.makeCounter(descriptor: Self.responsesName, labels: [("code", "other")])
        connections = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "rtpscope", subsystem: "exporter", metricName: "http", unitName: "connections",
            helpText: "HTTP connections currently open to the exporter."))
    }

    func connectionDropped(_ reason: DropReason) {
        dropped[reason]?.increment()
    }

    func responseSent(status code: Int) {
        (responses[code] ?? otherResponses).increment()
    }

    func connectionOpened() { connections.increment() }
    func connectionClosed() { connections.decrement() }
}
