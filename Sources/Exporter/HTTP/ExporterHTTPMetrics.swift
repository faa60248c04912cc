import MetricCatalog
import NIOConcurrencyHelpers

/// The HTTP server's own accounting, exported beside the scrape duration: every connection the
/// server drops and every response it sends are counted, so an attack (or a misconfigured scraper
/// getting 401s) shows up on /metrics instead of passing silently. Names and help come from
/// `MetricCatalog`; `writers()` renders them with the rest of the exposition.
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

    /// Status codes this server sends, exported from the start (0 until sent); any other is `other`.
    static let statusCodes = [200, 304, 400, 401, 404, 405, 408, 429, 431, 500, 503]

    private struct Counts {
        var dropped: [DropReason: UInt64] = [:]
        /// Indexed like `statusCodes`, plus one for any other code.
        var responses = [UInt64](repeating: 0, count: ExporterHTTPMetrics.statusCodes.count + 1)
        var connections: Int64 = 0
    }

    private let counts = NIOLockedValueBox(Counts())

    init() {}

    func connectionDropped(_ reason: DropReason) {
        counts.withLockedValue { $0.dropped[reason, default: 0] &+= 1 }
    }

    func responseSent(status code: Int) {
        let index = Self.statusCodes.firstIndex(of: code) ?? Self.statusCodes.count
        counts.withLockedValue { $0.responses[index] &+= 1 }
    }

    func connectionOpened() { counts.withLockedValue { $0.connections += 1 } }
    func connectionClosed() { counts.withLockedValue { $0.connections -= 1 } }

    /// The three families as they stand now, every reason and status code included.
    func writers() -> [FamilyWriter] {
        let now = counts.withLockedValue { $0 }
        let dropped = DropReason.allCases.map { reason in
            (labels: LabelSet(MetricLabels.reason, reason.rawValue), subject: now.dropped[reason] ?? 0)
        }
        let codes = Self.statusCodes.map(String.init) + ["other"]
        let responses = zip(codes, now.responses).map { code, count in
            (labels: LabelSet(MetricLabels.code, code), subject: count)
        }
        let counter = { (family: MetricFamily) in ScalarFamily<UInt64>(family) { .unsigned($0) } }
        return [
            FamilyWriter.scalar(counter(MetricCatalog.httpConnectionsDropped), SeriesOrdering.sortedUnique(dropped)),
            FamilyWriter.single(MetricCatalog.httpConnections, .signed(now.connections)),
            FamilyWriter.scalar(counter(MetricCatalog.httpResponses), SeriesOrdering.sortedUnique(responses)),
        ]
    }
}
