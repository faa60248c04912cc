import Foundation
import Testing
import Logging
import NIOCore
@testable import Exporter

/// A server on an ephemeral loopback port for one test, always shut down afterwards.
enum TestServer {
    static func with(_ configuration: ExporterServer.Configuration,
                     provider: any ExporterSnapshotProvider = FixedSnapshotProvider(fixed: Fixtures.snapshot()),
                     processMetrics: ProcessMetrics = ProcessMetrics(buildInfo: BuildInfo(version: "0.3.0", revision: "abc123")),
                     _ body: (_ port: Int, _ server: ExporterServer) async throws -> Void) async throws {
        // The request deadline is tested where it is configured (HostileClientTests). Elsewhere the
        // default (10 s) becomes 60 s: in a full test run, scale tests can hold both threads of the
        // cooperative pool for seconds, and a client connected before that could not send its request
        // in time (a 408 that says nothing about the server).
        var configuration = configuration
        if configuration.requestTimeout == ExporterServer.Configuration.defaultRequestTimeout {
            configuration.requestTimeout = .seconds(60)
        }
        let server = try ExporterServer(configuration: configuration, provider: provider,
                                        processMetrics: processMetrics, logger: Logger(label: "test"))
        try await server.start()
        let port = try #require(server.boundPort)
        do {
            try await body(port, server)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }
}

/// A snapshot provider whose streams are numerous enough to make /metrics large (tens of MB for
/// the pipelining test would be slow; a few hundred KB per response is enough to fill buffers).
struct ManyStreamsProvider: ExporterSnapshotProvider {
    let fixed: ExporterSnapshot

    init(streams count: Int) {
        var snapshot = Fixtures.snapshot()
        let template = Fixtures.audioStream
        snapshot.streams = (0..<count).map { index in
            var stream = template
            stream.report.ssrc = UInt32(index)
            stream.remote = "10.0.\(index / 250).\(index % 250 + 1):40000"
            return stream
        }
        snapshot.report.streams = snapshot.streams.map(\.report)
        fixed = snapshot
    }

    func snapshot() async -> ExporterSnapshot { fixed }
}
