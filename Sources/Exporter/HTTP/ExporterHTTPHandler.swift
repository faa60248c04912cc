import Logging
import NIOCore
import NIOHTTP1

/// Produces the response to a request on the connection's event loop: the server asks the router
/// off the loop (`RouterResponder`); the fuzzer answers from a fixed snapshot synchronously.
protocol ExporterResponder: Sendable {
    func respond(to request: ExporterRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ExporterResponse>
}

struct RouterResponder: ExporterResponder {
    let router: ExporterRouter

    func respond(to request: ExporterRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ExporterResponse> {
        if case .response(let response) = router.resolve(request) {
            return eventLoop.makeSucceededFuture(response)
        }
        let router = self.router
        let promise = eventLoop.makePromise(of: ExporterResponse.self)
        promise.completeWithTask { await router.respond(to: request) }
        return promise.futureResult
    }
}

/// How responses are dressed: the web config's headers, its basic-auth users, gzip.
struct ResponsePolicy: Sendable {
    var headers: [(String, String)] = []
    var authenticator: BasicAuthenticator?
    /// Bodies of 200 responses are gzipped when the client accepts it.
    var gzip = true
}

/// Serves one connection: collects a request, authenticates it, asks the responder and streams
/// the response. `HTTPServerPipelineHandler` in front of it delivers pipelined requests one at a
/// time, so at most one request is in flight here.
///
/// The body is pulled from its `ResponseChunks` only while the channel is writable, and the next
/// piece waits for `channelWritabilityChanged`: a client that stops reading stops the rendering,
/// and what the server buffers for it is bounded by the channel's write watermark plus one piece.
/// The response to the next pipelined request only starts once this one is complete.
final class ExporterHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: any ExporterResponder
    private let policy: ResponsePolicy
    private let metrics: ExporterHTTPMetrics
    private let logger: Logger
    private var pendingHead: HTTPRequestHead?
    private var body: BodyWriter?

    init(responder: any ExporterResponder, policy: ResponsePolicy, metrics: ExporterHTTPMetrics, logger: Logger) {
        self.responder = responder
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            pendingHead = head
        case .body:
            // No endpoint takes a body; the request deadline bounds how long one can take.
            break
        case .end:
            guard let head = pendingHead else { return }
            pendingHead = nil
            handle(head, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let authenticator = policy.authenticator else {
            dispatch(head, context: context)
            return
        }
        // Before any rendering: an unauthenticated client costs at most one (cached) bcrypt.
        authenticator.authenticate(authorization: head.headers.first(name: "authorization"), on: context.eventLoop)
            .assumeIsolated().whenComplete { result in
                if case .success(true) = result {
                    self.dispatch(head, context: context)
                } else {
                    self.start(.text(.unauthorized, "Unauthorized", extraHeaders: [("WWW-Authenticate", BasicAuthenticator.challenge)]),
                               for: head, context: context)
                }
            }
    }

    private func dispatch(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        responder.respond(to: ExporterRequest(method: head.method, uri: head.uri), on: context.eventLoop)
            .assumeIsolated().whenComplete { result in
                let response = (try? result.get()) ?? .text(.internalServerError, "internal error")
                self.start(response, for: head, context: context)
            }
    }

    private func start(_ response: ExporterResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        // HTTP/1.0 has no chunked encoding: a body of unknown length is ended by closing.
        var keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        let compress = policy.gzip && response.status == .ok && AcceptEncoding.allowsGzip(request.headers[canonicalForm: "accept-encoding"])
        var chunks: (any ResponseChunks)?
        switch response.body {
        case .bytes(let bytes) where !compress:
            headers.add(name: "Content-Length", value: String(bytes.count))
            chunks = bytes.isEmpty ? nil : SlicedChunks(bytes)
        case .bytes(let bytes):
            chunks = SlicedChunks(bytes)
        case .chunks(let pieces):
            chunks = pieces
        }
        if compress, let uncompressed = chunks {
            headers.add(name: "Content-Encoding", value: "gzip")
            chunks = try? GzipChunks(uncompressed)
        }
        if response.status == .ok { headers.add(name: "Vary", value: "Accept-Encoding") }
        let http10 = request.version.major < 1 || (request.version.major == 1 && request.version.minor == 0)
        if headers.first(name: "content-length") == nil, http10 { keepAlive = false }
        headers.add(contentsOf: response.extraHeaders)
        headers.add(contentsOf: policy.headers)
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        metrics.responseSent(status: Int(response.status.code))
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        // HEAD: the GET's headers, no body (NIO's encoder also suppresses any body for HEAD).
        body = BodyWriter(head: head, chunks: request.method == .HEAD ? nil : chunks, keepAlive: keepAlive)
        pump(context: context)
    }

    /// Writes while the channel is writable; resumes from `channelWritabilityChanged`.
    private func pump(context: ChannelHandlerContext) {
        while let writer = body, context.channel.isWritable {
            if let head = writer.takeHead() {
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                continue
            }
            if let piece = writer.chunks?.next() {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: piece)))),
                                      promise: nil)
                continue
            }
            body = nil
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            if !writer.keepAlive {
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
        if body != nil { context.flush() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, body != nil { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Stops pulling: the rest of the body is never rendered.
        body = nil
        context.fireChannelInactive()
    }

    /// Parse errors were already answered by `HTTPErrorResponder`; whatever the error, this
    /// connection is done, and the server keeps running.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Debug only: any client on the network can trigger these at will.
        logger.debug("closing exporter connection after an error", metadata: [
            "peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)",
        ])
        context.close(promise: nil)
    }
}

/// One response being written: the head (once), then the body's pieces.
private final class BodyWriter {
    private var head: HTTPResponseHead?
    let chunks: (any ResponseChunks)?
    let keepAlive: Bool

    init(head: HTTPResponseHead, chunks: (any ResponseChunks)?, keepAlive: Bool) {
        self.head = head
        self.chunks = chunks
        self.keepAlive = keepAlive
    }

    func takeHead() -> HTTPResponseHead? {
        defer { head = nil }
        return head
    }
}

/// `Accept-Encoding` (RFC 9110 §12.5.3): gzip is acceptable when listed (or `x-gzip`, or `*`) with a
/// non-zero quality.
enum AcceptEncoding {
    static func allowsGzip(_ values: [Substring]) -> Bool {
        var gzip: Double?
        var wildcard: Double?
        for value in values {
            for member in value.split(separator: ",") {
                let parts = member.split(separator: ";")
                guard let coding = parts.first?.trimmingASCIIWhitespace().lowercased() else { continue }
                var quality = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    if pair.count == 2, pair[0].trimmingASCIIWhitespace().lowercased() == "q" {
                        quality = Double(pair[1].trimmingASCIIWhitespace()) ?? 0
                    }
                }
                switch coding {
                case "gzip", "x-gzip": gzip = quality
                case "*": wildcard = quality
                default: break
                }
            }
        }
        return (gzip ?? wildcard ?? 0) > 0
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
