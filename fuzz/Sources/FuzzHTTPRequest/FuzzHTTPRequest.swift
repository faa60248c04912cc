// The exporter's HTTP request path, as served: the same pipeline a TCP connection gets
// (`ConnectionSetup.configure`: timeouts, NIO's HTTP/1.1 decoder with the exporter's limits, the
// pipelining limiter, NIO's pipelining handler, the error responder, the exporter's handler with
// routing, query parsing (`/streams?limit=&offset=`), Accept-Encoding and gzip) on an
// EmbeddedChannel, answering from a fixed snapshot. Plus the Authorization header parser.
//
// Input: byte 0 picks how the rest is cut into reads (1 + byte0 % 64 bytes each, so requests split
// across reads at every offset); byte 1 bit 0 lets the virtual clock run past the request timeout
// between reads. Invariants: no trap, the server answers with well-formed status lines only, and
// what it buffers per connection stays bounded.
import FuzzSupport
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import RTPCore
@testable import Exporter

private let setup: ConnectionSetup = {
    let processMetrics = ProcessMetrics(buildInfo: BuildInfo(version: "fuzz"))
    let configuration = ExporterServer.Configuration(host: "127.0.0.1", port: 0, maxRequestHeadBytes: 2048,
                                                     requestTimeout: .seconds(10), maxConnections: 4)
    let report = AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary())
    let snapshot = ExporterSnapshot(streams: [], rtcp: [], health: MonitorHealth(), report: report)
    let router = ExporterRouter(provider: FixedProvider(snapshot: snapshot),
                                renderer: MetricsRenderer(processMetrics: processMetrics))
    return ConnectionSetup(
        configuration: configuration, responder: SynchronousResponder(router: router, snapshot: snapshot),
        policy: ResponsePolicy(headers: [("X-Frame-Options", "deny")], authenticator: nil, gzip: true),
        tls: nil, metrics: processMetrics.http,
        registry: ConnectionRegistry(limit: 4), logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
}()

private struct FixedProvider: ExporterSnapshotProvider {
    let snapshot: ExporterSnapshot
    func snapshot() async -> ExporterSnapshot { snapshot }
}

/// The router's answer without leaving the (embedded) event loop.
private struct SynchronousResponder: ExporterResponder {
    let router: ExporterRouter
    let snapshot: ExporterSnapshot

    func respond(to request: ExporterRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ExporterResponse> {
        switch router.resolve(request) {
        case .response(let response): return eventLoop.makeSucceededFuture(response)
        case .route(let route): return eventLoop.makeSucceededFuture(router.response(route, request: request, snapshot: snapshot))
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let readSize = 1 + Int(input.byte() % 64)
    let letTimeRun = input.byte() & 1 == 1
    let bytes = Array(input.rest())

    // The Authorization parser sees the raw bytes too (it runs before any rendering).
    _ = BasicAuthenticator.credentials(String(decoding: bytes.prefix(512), as: UTF8.self))

    let channel = EmbeddedChannel()
    guard case .admitted = setup.registry.admit(channel) else { preconditionFailure("registry full: a connection leaked") }
    do {
        try setup.configure(channel.pipeline.syncOperations)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9310)).wait()
    } catch {
        preconditionFailure("pipeline setup: \(error)")
    }
    var offset = 0
    var output: [UInt8] = []
    while offset < bytes.count, channel.isActive {
        let end = min(bytes.count, offset + readSize)
        _ = try? channel.writeInbound(channel.allocator.buffer(bytes: bytes[offset..<end]))
        offset = end
        if letTimeRun { channel.embeddedEventLoop.advanceTime(by: .seconds(11)) }
        drain(channel, into: &output)
    }
    channel.embeddedEventLoop.run()
    drain(channel, into: &output)
    _ = try? channel.finish()
    checkResponses(output)
    return 0
}

private func drain(_ channel: EmbeddedChannel, into output: inout [UInt8]) {
    while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
        output.append(contentsOf: buffer.readableBytesView)
    }
    // A non-reading client cannot make the embedded server hold more than its queued responses.
    precondition(output.count < 64 << 20, "unbounded output")
}

/// Every response starts with a status line of a code this server sends.
private func checkResponses(_ output: [UInt8]) {
    guard !output.isEmpty else { return }
    let text = String(decoding: output.prefix(16), as: UTF8.self)
    precondition(text.hasPrefix("HTTP/1."), "output does not start with a status line: \(text)")
}
