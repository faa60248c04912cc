import Exporter
import ServiceLifecycle

/// The HTTP endpoints as a lifecycle service: a graceful shutdown (SIGINT/SIGTERM) stops serving.
/// ExporterServer.run() ends on task cancellation, which graceful shutdown alone does not cause.
struct ExporterService: Service {
    let server: ExporterServer

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await server.run() }
    }
}
