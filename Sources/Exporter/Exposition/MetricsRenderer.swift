/// Renders a snapshot, plus the process's own registry, as Prometheus text format 0.0.4.
///
/// Family order is fixed (streams, RTCP, monitor, then process metrics by name) and series are
/// sorted by labels, so consecutive scrapes of an unchanged state are byte-identical.
public struct MetricsRenderer: Sendable {
    /// The value for the `Content-Type` header of a `/metrics` response.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let processMetrics: ProcessMetrics

    public init(processMetrics: ProcessMetrics) {
        self.processMetrics = processMetrics
    }

    public func render(_ snapshot: ExporterSnapshot) -> String {
        var writer = ExpositionWriter()
        StreamFamilies.write(snapshot.streams, into: &writer)
        RTCPFamilies.write(snapshot.rtcp, into: &writer)
        CodecFamilies.write(snapshot.codec, streams: snapshot.streams, into: &writer)
        MonitorFamilies.write(snapshot.health, streamCount: snapshot.streams.count, into: &writer)
        CallFamilies.write(snapshot.callCounters, into: &writer)
        return writer.text + processMetrics.renderSorted()
    }

    /// The exposition as a body written while it renders (see `ResponseChunks`).
    public func chunks(_ snapshot: ExporterSnapshot) -> any ResponseChunks {
        SlicedChunks(Array(render(snapshot).utf8))
    }
}
