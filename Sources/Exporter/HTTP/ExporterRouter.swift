import Foundation
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
}

/// A complete response. `HEAD` gets the same headers and no body; the connection handler does that.
public struct ExporterResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var extraHeaders: [(String, String)]
    public var body: [UInt8]

    public init(status: HTTPResponseStatus, contentType: String, extraHeaders: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.extraHeaders = extraHeaders
        self.body = body
    }

    static func text(_ status: HTTPResponseStatus, _ message: String, extraHeaders: [(String, String)] = []) -> ExporterResponse {
        ExporterResponse(status: status, contentType: "text/plain; charset=utf-8", extraHeaders: extraHeaders,
                         body: Array((message + "\n").utf8))
    }
}

/// The endpoints. Everything else is 404.
enum ExporterRoute: String, CaseIterable {
    case index = "/"
    case metrics = "/metrics"
    case health = "/health"
    case streams = "/streams"
    case calls = "/calls"
}

/// Maps a request to a response. Free of networking so that every route is testable directly;
/// it never throws: failures become 500 responses, because a scrape must never crash the tool.
public struct ExporterRouter: Sendable {
    let provider: any ExporterSnapshotProvider
    let renderer: MetricsRenderer

    public init(provider: any ExporterSnapshotProvider, renderer: MetricsRenderer) {
        self.provider = provider
        self.renderer = renderer
    }

    public func respond(to request: ExporterRequest) async -> ExporterResponse {
        guard let route = ExporterRoute(rawValue: String(request.path)) else {
            return .text(.notFound, "not found")
        }
        guard request.method == .GET || request.method == .HEAD else {
            return .text(.methodNotAllowed, "method not allowed", extraHeaders: [("Allow", "GET, HEAD")])
        }
        switch route {
        case .index:
            return ExporterResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(IndexPage.html.utf8))
        case .metrics:
            return await metrics()
        case .health:
            let health = HealthDocument(await provider.snapshot())
            return json(health, status: health.isHealthy ? .ok : .serviceUnavailable)
        case .streams:
            return json(await provider.snapshot().report, status: .ok)
        case .calls:
            return json(await provider.calls(), status: .ok)
        }
    }

    private func metrics() async -> ExporterResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let snapshot = await provider.snapshot()
        let text = renderer.render(snapshot)
        renderer.processMetrics.recordScrape(duration: clock.now - start)
        return ExporterResponse(status: .ok, contentType: MetricsRenderer.contentType, body: Array(text.utf8))
    }

    private func json(_ value: some Encodable, status: HTTPResponseStatus) -> ExporterResponse {
        do {
            var body = Array(try ExporterJSON.makeEncoder().encode(value))
            body.append(UInt8(ascii: "\n"))
            return ExporterResponse(status: status, contentType: "application/json", body: body)
        } catch {
            return .text(.internalServerError, "could not encode the response: \(error)")
        }
    }
}

/// JSON as `analyze --format json` writes it (the Reporting module uses the same settings), so
/// `/streams` can be consumed by the same tools.
public enum ExporterJSON {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}
