import Foundation
import Reporting
import NIOHTTP1
import RTPCore

/// A request as far as routing cares: the method and the target.
public struct ExporterRequest: Sendable, Equatable {
    public var method: HTTPMethod
    public var uri: String

    public init(method: HTTPMethod, uri: String) {
        self.method = method
        self.uri = uri
    }

    /// The path without query or fragment: scrapers may add parameters we do not use.
    var path: Substring {
        uri.prefix { $0 != "?" && $0 != "#" }
    }

    /// The query's `name=value` pairs, percent-decoded (`+` is not a space here: no endpoint takes text).
    var queryItems: [(name: String, value: String)] {
        guard let question = uri.firstIndex(of: "?") else { return [] }
        let query = uri[uri.index(after: question)...].prefix { $0 != "#" }
        return query.split(separator: "&").map { item in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
            let value = pair.count > 1 ? (String(pair[1]).removingPercentEncoding ?? String(pair[1])) : ""
            return (name, value)
        }
    }
}

/// A response: status, headers and a body that is either bytes in hand or pulled piece by piece
/// (`ResponseChunks`) while the connection can take it. `HEAD` gets the same headers and no body;
/// the connection handler does that.
public struct ExporterResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var extraHeaders: [(String, String)]
    var body: Body

    enum Body: Sendable {
        case bytes([UInt8])
        /// Length unknown until the last piece: sent with chunked transfer encoding.
        case chunks(any ResponseChunks)
    }

    public init(status: HTTPResponseStatus, contentType: String, extraHeaders: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.extraHeaders = extraHeaders
        self.body = .bytes(body)
    }

    public init(status: HTTPResponseStatus, contentType: String, extraHeaders: [(String, String)] = [],
                chunks: any ResponseChunks) {
        self.status = status
        self.contentType = contentType
        self.extraHeaders = extraHeaders
        self.body = .chunks(chunks)
    }

    static func text(_ status: HTTPResponseStatus, _ message: String, extraHeaders: [(String, String)] = []) -> ExporterResponse {
        ExporterResponse(status: status, contentType: "text/plain; charset=utf-8", extraHeaders: extraHeaders,
                         body: Array((message + "\n").utf8))
    }
}

/// The endpoints. Everything else is 404.
enum ExporterRoute: Equatable {
    case index
    case metrics
    case health
    case streams
    /// SIP calls: from the provider's `calls()`, not from a snapshot.
    case calls
}

/// Maps a request to a response. Free of networking so that every route is testable directly;
/// it never throws: failures become 500 responses, because a scrape must never crash the tool.
public struct ExporterRouter: Sendable {
    let provider: any ExporterSnapshotProvider
    let renderer: MetricsRenderer
    /// `--web.telemetry-path`.
    let telemetryPath: String

    public init(provider: any ExporterSnapshotProvider, renderer: MetricsRenderer, telemetryPath: String = "/metrics") {
        self.provider = provider
        self.renderer = renderer
        self.telemetryPath = telemetryPath
    }

    /// What a request asks for: a response that needs no snapshot, or a route that does.
    enum Resolution {
        case response(ExporterResponse)
        case route(ExporterRoute)
    }

    func resolve(_ request: ExporterRequest) -> Resolution {
        let route: ExporterRoute
        switch request.path {
        case Substring(telemetryPath): route = .metrics
        case "/": route = .index
        case "/health": route = .health
        case "/streams": route = .streams
        case "/calls": route = .calls
        default: return .response(.text(.notFound, "not found"))
        }
        guard request.method == .GET || request.method == .HEAD else {
            return .response(.text(.methodNotAllowed, "method not allowed", extraHeaders: [("Allow", "GET, HEAD")]))
        }
        switch route {
        case .index:
            return .response(ExporterResponse(status: .ok, contentType: "text/html; charset=utf-8",
                                              body: Array(IndexPage.html(telemetryPath: telemetryPath).utf8)))
        case .streams:
            if case .failure(let error) = StreamsPage.Window.parse(request.queryItems) {
                return .response(.text(.badRequest, error.description))
            }
            return .route(route)
        case .metrics, .health, .calls:
            return .route(route)
        }
    }

    public func respond(to request: ExporterRequest) async -> ExporterResponse {
        switch resolve(request) {
        case .response(let response):
            return response
        case .route(.calls):
            return calls(await provider.calls())
        case .route(let route):
            let clock = ContinuousClock()
            let start = clock.now
            let snapshot = await provider.snapshot()
            return response(route, request: request, snapshot: snapshot, scrapeStart: (clock, start))
        }
    }

    /// The response of a route that needs a snapshot. `scrapeStart` times `/metrics` from the moment
    /// the snapshot was asked for until its last piece is rendered.
    func response(_ route: ExporterRoute, request: ExporterRequest, snapshot: ExporterSnapshot,
                  scrapeStart: (ContinuousClock, ContinuousClock.Instant)? = nil) -> ExporterResponse {
        switch route {
        case .index:
            return ExporterResponse(status: .ok, contentType: "text/html; charset=utf-8",
                                    body: Array(IndexPage.html(telemetryPath: telemetryPath).utf8))
        case .metrics:
            let (clock, start) = scrapeStart ?? (ContinuousClock(), ContinuousClock().now)
            let processMetrics = renderer.processMetrics
            let chunks = TimedChunks(renderer.chunks(snapshot)) { processMetrics.recordScrape(duration: clock.now - start) }
            return ExporterResponse(status: .ok, contentType: MetricsRenderer.contentType, chunks: chunks)
        case .health:
            let health = HealthDocument(snapshot)
            return json(health, status: health.isHealthy ? .ok : .serviceUnavailable)
        case .streams:
            switch StreamsPage.Window.parse(request.queryItems) {
            case .success(let window):
                return ExporterResponse(status: .ok, contentType: "application/json",
                                        chunks: StreamsPage(report: snapshot.report, window: window).chunks())
            case .failure(let error):
                return .text(.badRequest, error.description)
            }
        case .calls:
            // A snapshot carries no calls (placing streams in calls is done per /calls request only):
            // answered from the provider in `respond(to:)`; a caller with only a snapshot gets none.
            return calls(CallsDocument())
        }
    }

    func calls(_ document: CallsDocument) -> ExporterResponse {
        json(document, status: .ok)
    }

    /// `/health` and `/calls`: encoded with `analyze --format json`'s settings, as `/streams` is
    /// written, so the same tools read all three.
    private func json(_ value: some Encodable, status: HTTPResponseStatus) -> ExporterResponse {
        do {
            var body = Array(try JSONReport.makeEncoder().encode(value))
            body.append(UInt8(ascii: "\n"))
            return ExporterResponse(status: status, contentType: "application/json", body: body)
        } catch {
            return .text(.internalServerError, "could not encode the response: \(error)")
        }
    }
}

/// A body whose completion is timed: `done` runs once, when the last piece has been produced.
final class TimedChunks: ResponseChunks, @unchecked Sendable {
    private let inner: any ResponseChunks
    private var done: (() -> Void)?

    init(_ inner: any ResponseChunks, done: @escaping () -> Void) {
        self.inner = inner
        self.done = done
    }

    func next() -> [UInt8]? {
        if let chunk = inner.next() { return chunk }
        done?()
        done = nil
        return nil
    }
}
