import NIOCore
import NIOHTTP1

/// Answers requests the decoder rejects, then lets the pipeline close the connection:
/// a head over the size limit gets 431 (RFC 6585), anything else malformed gets 400.
/// Replaces NIO's `HTTPServerProtocolErrorHandler`, which answers 400 to everything.
final class HTTPErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A response can only be sent when none is partly written already.
    private var responseInProgress = false
    private let metrics: ExporterHTTPMetrics

    init(metrics: ExporterHTTPMetrics) {
        self.metrics = metrics
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError, !responseInProgress {
            let status: HTTPResponseStatus = parserError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
            let headers = HTTPHeaders([("Connection", "close"), ("Content-Length", "0")])
            metrics.responseSent(status: Int(status.code))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                          promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            // This server never sends 1xx responses, so every head starts a final response.
            responseInProgress = true
        case .end:
            responseInProgress = false
        case .body:
            break
        }
        context.write(data, promise: promise)
    }
}
