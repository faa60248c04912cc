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

/// The HTTP endpoint of the exporter: `/metrics`, `/health`, `/streams` and `/`, on swift-nio.
///
/// Defensive limits, since the port is often reachable from a network: the request line plus
/// headers are capped (`maxRequestHeadBytes`, 431 beyond), malformed requests get 400 and the
/// connection is closed, idle keep-alive connections are closed after `idleTimeout`.
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
        public var idleTimeout: TimeAmount
        /// Connections beyond this are closed on accept, so a flood of clients cannot make the
        /// exporter hold unbounded per-connection buffers. Scrapers need a handful.
        public var maxConnections: Int

        public init(host: String, port: Int, maxRequestHeadBytes: Int = 8 * 1024, idleTimeout: TimeAmount = .seconds(30),
                    maxConnections: Int = 64) {
            self.host = host
            self.port = port
            self.maxRequestHeadBytes = maxRequestHeadBytes
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
        }
    }

    public let configuration: Configuration
    private let router: ExporterRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = LockedValue<Channel?>(nil)
    private let openConnections = LockedValue(0)

    public init(configuration: Configuration, provider: any ExporterSnapshotProvider,
                processMetrics: ProcessMetrics, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.router = ExporterRouter(provider: provider, renderer: MetricsRenderer(processMetrics: processMetrics))
        self.logger = logger
        self.group = eventLoopGroup
    }

    public convenience init(host: String, port: Int, provider: any ExporterSnapshotProvider,
                            buildInfo: BuildInfo, logger: Logger) {
        self.init(configuration: Configuration(host: host, port: port), provider: provider,
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
    public var openConnectionCount: Int { openConnections.withLock { $0 } }

    private func makeBootstrap() -> ServerBootstrap {
        let router = self.router
        let configuration = self.configuration
        let logger = self.logger
        let openConnections = self.openConnections
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                guard Self.admit(channel, into: openConnections, limit: configuration.maxConnections) else {
                    return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configurePipeline(channel.pipeline.syncOperations, router: router,
                                               configuration: configuration, logger: logger)
                }
            }
    }

    /// Counts the connection against the limit until it closes; false (and the caller drops the
    /// connection) when the limit is reached.
    private static func admit(_ channel: Channel, into openConnections: LockedValue<Int>, limit: Int) -> Bool {
        let admitted = openConnections.withLock { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in openConnections.withLock { $0 -= 1 } }
        }
        return admitted
    }

    private static func configurePipeline(_ pipeline: ChannelPipeline.SynchronousOperations,
                                          router: ExporterRouter, configuration: Configuration,
                                          logger: Logger) throws {
        var limits = NIOHTTPDecoderLimitConfiguration()
        // NIO counts the request target and every header name and value against these, so one
        // limit bounds the memory a single request head can make the decoder buffer.
        limits.maxHeaderFieldSize = configuration.maxRequestHeadBytes
        limits.maxHeaderListSize = configuration.maxRequestHeadBytes
        limits.maxHeaderFieldCount = 100
        try pipeline.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout))
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            withErrorHandling: false,
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: limits)
        try pipeline.addHandler(HTTPErrorResponder())
        try pipeline.addHandler(ExporterHTTPHandler(router: router, logger: logger))
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
