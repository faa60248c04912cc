import Logging
import NIOCore
import NIOHTTP1

/// Serves one connection: collects a request, asks the router (asynchronously, off the event loop)
/// and writes the response. `HTTPServerPipelineHandler` in front of it delivers pipelined requests
/// one at a time, so at most one request is in flight here.
final class ExporterHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: ExporterRouter
    private let logger: Logger
    private var pendingHead: HTTPRequestHead?
    private var requestInFlight = false

    init(router: ExporterRouter, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            pendingHead = head
            requestInFlight = true
        case .body:
            // No endpoint takes a body; the decoder's limits bound what can arrive.
            break
        case .end:
            guard let head = pendingHead else { return }
            pendingHead = nil
            dispatch(head, context: context)
        }
    }

    private func dispatch(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = ExporterRequest(method: head.method, uri: head.uri)
        let router = self.router
        let promise = context.eventLoop.makePromise(of: ExporterResponse.self)
        promise.completeWithTask { await router.respond(to: request) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            let response = (try? result.get()) ?? .text(.internalServerError, "internal error")
            self.write(response, for: head, context: context)
        }
    }

    private func write(_ response: ExporterResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        requestInFlight = false
        guard context.channel.isActive else { return }
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(contentsOf: response.extraHeaders)
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        // HEAD: same headers (including the GET body's length), no body.
        if request.method != .HEAD, !response.body.isEmpty {
            let body = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.writeAndFlushPromise(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Idle keep-alive connections are closed; a connection waiting for its response is not idle.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if !requestInFlight { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
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

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: promise)
        return promise.futureResult
    }
}
