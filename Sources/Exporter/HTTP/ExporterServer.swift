import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Why the server could not start.
public enum ExporterServerError: Error, CustomStringConvertible, Equatable {
    case addressInUse(host: String, port: Int)
    case bindFailed(host: String, port: Int, reason: String)
    case alreadyStarted

    public var description: String {
        switch self {
        case .addressInUse(let host, let port):
            return "cannot listen on \(host):\(port): the address is already in use (is another rtpscope or exporter running? choose another port)"
        case .bindFailed(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
        case .alreadyStarted:
            return "the exporter server was already started"
        }
    }
}

/// The HTTP endpoint of the exporter: `/metrics` (or `--web.telemetry-path`), `/health`, `/streams`
/// and `/`, on swift-nio, with the web config's TLS, basic auth and headers.
///
/// Built for a port reachable from a network, where clients may be hostile:
/// - a request must arrive whole (head and body) within `requestTimeout` of its first byte, however
///   slowly it is trickled (`ConnectionGuard`); idle keep-alive connections close after `idleTimeout`;
/// - up to `maxConnections` connections; at the cap the longest-idle one is evicted rather than the
///   newcomer refused (`ConnectionRegistry`), so silent or trickling connections cannot lock out scrapes;
/// - per-connection backpressure: a body is rendered piece by piece only while the client reads
///   (`ExporterHTTPHandler`), at most `maxPipelinedRequests` requests queue per connection
///   (`PipelineLimiter`), and a response stuck behind a non-reading client for `writeStallTimeout`
///   ends the connection;
/// - the request head is capped (`maxRequestHeadBytes`, 431 beyond), malformed requests get 400;
/// - with basic auth configured, a request without valid credentials gets 401 before anything is
///   rendered.
/// Every connection the server drops is counted (`rtpscope_exporter_connections_dropped_total`).
///
/// Use `start()`/`shutdown()`, or `run()` (which is what a swift-service-lifecycle `Service`
/// needs: `extension ExporterServer: Service {}` in the CLI, run under a `ServiceGroup` with
/// `cancelWhenGracefulShutdown`).
public final class ExporterServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks an ephemeral port (see `boundPort`).
        public var port: Int
        /// Upper bound for the request target plus all header names and values.
        public var maxRequestHeadBytes: Int
        /// A keep-alive connection with no request for this long is closed.
        public var idleTimeout: TimeAmount
        /// A request (head and body) must arrive within this time of its first byte (of the accept,
        /// for a connection's first request).
        public var requestTimeout: TimeAmount
        /// A whole request (head and body) must arrive within this, by default.
        public static let defaultRequestTimeout = TimeAmount.seconds(10)
        /// A response that cannot be written for this long (the client does not read) ends the connection.
        public var writeStallTimeout: TimeAmount
        /// Open connections; at the cap the longest-idle one is evicted for a new one.
        public var maxConnections: Int
        /// Requests a client may pipeline ahead of their responses; beyond it the connection is
        /// closed after answering those.
        public var maxPipelinedRequests: Int
        /// `--web.telemetry-path`: where the metrics are served.
        public var telemetryPath: String
        /// `--web.config.file`, loaded (nil: plain HTTP, no authentication).
        public var webConfig: WebConfig?

        public init(host: String, port: Int, maxRequestHeadBytes: Int = 8 * 1024, idleTimeout: TimeAmount = .seconds(30),
                    requestTimeout: TimeAmount = Configuration.defaultRequestTimeout, writeStallTimeout: TimeAmount = .seconds(30),
                    maxConnections: Int = 1024, maxPipelinedRequests: Int = 16, telemetryPath: String = "/metrics",
                    webConfig: WebConfig? = nil) {
            self.host = host
            self.port = port
            self.maxRequestHeadBytes = maxRequestHeadBytes
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.writeStallTimeout = writeStallTimeout
            self.maxConnections = maxConnections
            self.maxPipelinedRequests = maxPipelinedRequests
            self.telemetryPath = telemetryPath
            self.webConfig = webConfig
        }
    }

    public let configuration: Configuration
    private let responder: RouterResponder
    private let policy: ResponsePolicy
    private let tls: TLSServerContext?
    private let metrics: ExporterHTTPMetrics
    private let registry: ConnectionRegistry
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = LockedValue<Channel?>(nil)

    /// Throws `WebConfigError` when the web config's certificates or keys cannot be used.
    public init(configuration: Configuration, provider: any ExporterSnapshotProvider,
                processMetrics: ProcessMetrics, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.configuration = configuration
        self.responder = RouterResponder(router: ExporterRouter(
            provider: provider, renderer: MetricsRenderer(processMetrics: processMetrics),
            telemetryPath: configuration.telemetryPath))
        let webConfig = configuration.webConfig ?? WebConfig()
        self.policy = ResponsePolicy(
            headers: webConfig.headers.map { ($0.name, $0.value) },
            authenticator: webConfig.basicAuthUsers.isEmpty ? nil : BasicAuthenticator(users: webConfig.basicAuthUsers))
        self.tls = try webConfig.tls.map(TLSServerContext.init)
        self.metrics = processMetrics.http
        self.registry = ConnectionRegistry(limit: configuration.maxConnections)
        self.logger = logger
        self.group = eventLoopGroup
    }

    public convenience init(host: String, port: Int, provider: any ExporterSnapshotProvider,
                            buildInfo: BuildInfo, logger: Logger) {
        // Without a web config nothing can fail.
        try! self.init(configuration: Configuration(host: host, port: port), provider: provider,
                       processMetrics: ProcessMetrics(buildInfo: buildInfo), logger: logger)
    }

    /// The port actually listened on (useful with port 0); nil before `start()` and after `shutdown()`.
    public var boundPort: Int? {
        state.withLock { $0?.localAddress?.port }
    }

    /// Binds and starts accepting connections; returns once listening.
    public func start() async throws {
        guard state.withLock({ $0 == nil }) else { throw ExporterServerError.alreadyStarted }
        let channel: Channel
        do {
            channel = try await makeBootstrap().bind(host: configuration.host, port: configuration.port).get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ExporterServerError.addressInUse(host: configuration.host, port: configuration.port)
        } catch {
            throw ExporterServerError.bindFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        let raced = state.withLock { current -> Bool in
            guard current == nil else { return true }
            current = channel
            return false
        }
        if raced {
            try? await channel.close()
            throw ExporterServerError.alreadyStarted
        }
        logger.info("exporter listening", metadata: [
            "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            "tls": "\(tls != nil)", "basic_auth": "\(policy.authenticator != nil)",
        ])
    }

    /// Stops listening. Connections already open finish their current response and are closed by
    /// their idle timeout or by the client.
    public func shutdown() async throws {
        guard let channel = state.withLock({ current -> Channel? in
            defer { current = nil }
            return current
        }) else { return }
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Closed concurrently: the goal is reached.
        }
        logger.info("exporter stopped")
    }

    /// Starts (unless already started), serves until the task is cancelled, then shuts down.
    public func run() async throws {
        if state.withLock({ $0 == nil }) { try await start() }
        guard let channel = state.withLock({ $0 }) else { return }
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
        try await shutdown()
    }

    /// Connections currently admitted (for tests and diagnostics).
    public var openConnectionCount: Int { registry.count }

    /// Response bytes the server holds for its clients right now: NIO's outbound buffers of every
    /// open connection (what a client that does not read makes the server keep).
    public func bufferedResponseBytes() async -> Int {
        var total = 0
        for channel in registry.channels {
            total += (try? await channel.getOption(.bufferedWritableBytes).get()) ?? 0
        }
        return total
    }

    private func makeBootstrap() -> ServerBootstrap {
        let connection = ConnectionSetup(
            configuration: configuration, responder: responder, policy: policy, tls: tls, metrics: metrics,
            registry: registry, logger: logger)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                switch connection.registry.admit(channel) {
                case .refused:
                    connection.metrics.connectionDropped(.refused)
                    return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                case .admittedEvicting:
                    connection.metrics.connectionDropped(.evicted)
                case .admitted:
                    break
                }
                connection.metrics.connectionOpened()
                channel.closeFuture.whenComplete { _ in connection.metrics.connectionClosed() }
                return channel.eventLoop.makeCompletedFuture {
                    try connection.configure(channel.pipeline.syncOperations)
                }
            }
    }
}

/// Everything a new connection's pipeline is made of (also used by the HTTP fuzzer on an
/// `EmbeddedChannel`, so the fuzzed path is the served path).
struct ConnectionSetup: Sendable {
    let configuration: ExporterServer.Configuration
    let responder: any ExporterResponder
    let policy: ResponsePolicy
    let tls: TLSServerContext?
    let metrics: ExporterHTTPMetrics
    let registry: ConnectionRegistry
    let logger: Logger

    /// TLS (with the plain-HTTP responder in front), timeouts, HTTP/1.1 codec, pipelining limit and
    /// NIO's pipelining handler, error answers, then the exporter's handler.
    func configure(_ pipeline: ChannelPipeline.SynchronousOperations) throws {
        if let tls {
            try pipeline.addHandler(PlainHTTPOnTLSPortResponder())
            try pipeline.addHandler(tls.makeHandler())
        }
        try pipeline.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout,
                                                 writeTimeout: configuration.writeStallTimeout))
        try pipeline.addHandler(ConnectionGuard(registry: registry, metrics: metrics,
                                                requestTimeout: configuration.requestTimeout))
        var limits = NIOHTTPDecoderLimitConfiguration()
        // NIO counts the request target and every header name and value against these, so one
        // limit bounds the memory a single request head can make the decoder buffer.
        limits.maxHeaderFieldSize = configuration.maxRequestHeadBytes
        limits.maxHeaderListSize = configuration.maxRequestHeadBytes
        limits.maxHeaderFieldCount = 100
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            withErrorHandling: false,
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: limits)
        let pipelining = try pipeline.handler(type: HTTPServerPipelineHandler.self)
        try pipeline.addHandler(PipelineLimiter(maxQueued: configuration.maxPipelinedRequests, metrics: metrics),
                                position: .before(pipelining))
        try pipeline.addHandler(HTTPErrorResponder(metrics: metrics))
        try pipeline.addHandler(ExporterHTTPHandler(responder: responder, policy: policy, metrics: metrics, logger: logger))
    }
}

/// Fails a child channel's initialisation, which makes NIO close the connection right away.
private struct ConnectionLimitReached: Error {}

/// A value behind a lock: the server's state is read from any thread (`boundPort`) and changed
/// by `start`/`shutdown`, which may run on different tasks.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
