import NIOCore
import NIOHTTP1

/// What the HTTP layer tells the connection guard (sent toward the head of the pipeline as user
/// outbound events by `PipelineLimiter`, which sees whole requests and responses).
enum ConnectionEvent: Sendable {
    /// A request (head, body, end) has arrived completely.
    case requestReceived
    /// The response to the oldest outstanding request has been handed to the channel completely.
    case responseCompleted
}

/// Per-connection timeouts, on the raw (decrypted) bytes in front of the HTTP decoder:
///
/// - **Request deadline**: a request must arrive completely — head and body — within
///   `requestTimeout` of its first byte (of the accept, for a new connection), however the bytes are
///   trickled. The previous idle timer restarted on every byte and stopped at the head, so one byte
///   every 2 s or a head promising a body that never came held a slot forever. On expiry: 408 and
///   close. This is one `EventLoop.scheduleTask` per request, NIO's timer.
/// - **Keep-alive idle**: `IdleStateHandler`'s read-idle event closes a connection with no request
///   outstanding and no bytes for `idleTimeout`.
/// - **Write stall**: `IdleStateHandler`'s write-idle event (no write completed for
///   `writeStallTimeout`) closes a connection whose response is stuck behind a client that does not
///   read (channel not writable). A slow renderer with a reading client is not a stall.
///
/// It also keeps the connection's phase in the `ConnectionRegistry`, which picks whom to evict.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let timeoutResponse =
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\nConnection: close\r\n\r\nrequest timeout\n"

    private let registry: ConnectionRegistry
    private let metrics: ExporterHTTPMetrics
    private let requestTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Requests received and not yet answered completely.
    private var outstanding = 0
    /// Bytes of a request not yet complete have arrived.
    private var receiving = false

    init(registry: ConnectionRegistry, metrics: ExporterHTTPMetrics, requestTimeout: TimeAmount) {
        self.registry = registry
        self.metrics = metrics
        self.requestTimeout = requestTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        // A new connection gets one request timeout for its first request, as Go's
        // ReadHeaderTimeout counts from accept: a silent connection is not kept for the idle timeout.
        armDeadline(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadline == nil { armDeadline(context: context) }
        if !receiving {
            receiving = true
            if outstanding == 0 { registry.update(context.channel, to: .receivingRequest) }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? ConnectionEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .requestReceived:
            // Bytes of a next pipelined request already read re-arm it on the next read; until
            // then the keep-alive idle timeout bounds a connection that stops mid-request.
            deadline?.cancel()
            deadline = nil
            receiving = false
            outstanding += 1
            registry.update(context.channel, to: .responding)
        case .responseCompleted:
            outstanding = max(0, outstanding - 1)
            if outstanding == 0 {
                registry.update(context.channel, to: receiving ? .receivingRequest : .awaitingRequest)
            }
        }
        promise?.succeed(())
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch idle {
        case .read where outstanding == 0 && !receiving:
            context.close(promise: nil)
        case .write where outstanding > 0 && !context.channel.isWritable:
            metrics.connectionDropped(.writeStalled)
            context.close(promise: nil)
        default:
            break
        }
    }

    private func armDeadline(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) {
            let (handler, context) = loopBound.value
            handler.requestTimedOut(context: context)
        }
    }

    private func requestTimedOut(context: ChannelHandlerContext) {
        deadline = nil
        guard context.channel.isActive else { return }
        metrics.connectionDropped(.requestTimeout)
        if outstanding == 0 {
            // Nothing is being answered, so a response can be written in between: say why.
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: Self.timeoutResponse)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}

/// Between the HTTP decoder and NIO's `HTTPServerPipelineHandler`: bounds the requests a client may
/// queue by pipelining, and reports whole requests and responses to the `ConnectionGuard`.
///
/// `HTTPServerPipelineHandler` answers pipelined requests one at a time and stops reading while a
/// response is pending, but the decoder has already parsed everything in the bytes it read (one read
/// of small pipelined requests is thousands of them), and the pipeline handler buffers them all.
/// Past `maxQueued` requests without a response, this handler stops reading, discards what follows,
/// answers the queued requests (the last with `Connection: close`) and closes: RFC 9112 §9.3.2
/// lets a client retry requests a closed connection left unanswered.
final class PipelineLimiter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxQueued: Int
    private let metrics: ExporterHTTPMetrics
    private var requestsStarted = 0
    private var responsesStarted = 0
    private var responsesCompleted = 0
    /// Set once the limit is exceeded: no more requests are accepted on this connection.
    private var closing = false
    private var discardingRequest = false

    init(maxQueued: Int, metrics: ExporterHTTPMetrics) {
        self.maxQueued = max(1, maxQueued)
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .head = part {
            if closing || requestsStarted - responsesCompleted >= maxQueued {
                if !closing {
                    closing = true
                    metrics.connectionDropped(.pipeliningLimit)
                    if requestsStarted == responsesCompleted { context.close(promise: nil) }
                }
                discardingRequest = true
                return
            }
            discardingRequest = false
            requestsStarted += 1
        }
        guard !discardingRequest else { return }
        if case .end = part {
            context.triggerUserOutboundEvent(ConnectionEvent.requestReceived, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if !closing { context.read() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where !head.isInterimResponse:
            responsesStarted += 1
            if closing && responsesStarted >= requestsStarted {
                head.headers.replaceOrAdd(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
            context.write(data, promise: promise)
        case .end:
            responsesCompleted += 1
            if closing && responsesCompleted >= requestsStarted {
                // Close once the last response is out (closing earlier would drop unwritten bytes).
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.assumeIsolated().whenComplete { result in
                    promise?.completeWith(result)
                    context.close(promise: nil)
                }
                context.writeAndFlush(data, promise: written)
            } else {
                context.write(data, promise: promise)
            }
            context.triggerUserOutboundEvent(ConnectionEvent.responseCompleted, promise: nil)
        default:
            context.write(data, promise: promise)
        }
    }
}

extension HTTPResponseHead {
    fileprivate var isInterimResponse: Bool { status.code >= 100 && status.code < 200 }
}
