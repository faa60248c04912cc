/// Renders a snapshot, plus the process's own metrics, as Prometheus text format 0.0.4.
///
/// Family order is fixed (streams, per-process and per-peer aggregates, RTCP, codec, monitor, the
/// standard process metrics, the HTTP server's counts, then the registry's families by name) and series are sorted by labels,
/// so consecutive scrapes of an unchanged state are byte-identical.
public struct MetricsRenderer: Sendable {
    /// The value for the `Content-Type` header of a `/metrics` response.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// About what `ExpositionChunks.next()` renders per call.
    public static let chunkSize = 64 * 1024

    public let processMetrics: ProcessMetrics

    public init(processMetrics: ProcessMetrics) {
        self.processMetrics = processMetrics
    }

    /// The whole exposition at once (tests, small snapshots); a scrape uses `chunks(_:)`.
    public func render(_ snapshot: ExporterSnapshot) -> String {
        String(decoding: renderBytes(snapshot), as: UTF8.self)
    }

    /// The whole exposition at once, as bytes (one buffer, no pieces to join).
    public func renderBytes(_ snapshot: ExporterSnapshot) -> [UInt8] {
        let chunks = ExpositionChunks(families: families(snapshot), chunkSize: .max)
        return chunks.next() ?? []
    }

    /// The exposition as a body rendered while it is written (see `ResponseChunks`): each `next()`
    /// renders the next ~64 KiB, so memory stays bounded by the snapshot, not by the text (~26 lines and
    /// ~6.6 kB per exported stream).
    public func chunks(_ snapshot: ExporterSnapshot) -> any ResponseChunks {
        ExpositionChunks(families: families(snapshot), chunkSize: Self.chunkSize)
    }

    func families(_ snapshot: ExporterSnapshot) -> [FamilyWriter] {
        let streams = StreamFamilies.series(snapshot.streams)
        var families = StreamFamilies.writers(streams)
        families += AggregateFamilies.writers(snapshot.aggregates)
        families += RTCPFamilies.writers(snapshot.rtcp)
        families += CodecFamilies.writers(snapshot.codec, streams: streams)
        families += MonitorFamilies.writers(snapshot)
        families += CallFamilies.writers(snapshot.callCounters)
        families += processMetrics.processWriters()
        families += processMetrics.http.writers()
        // The registry's families (build info, scrape durations: small) are taken when the body
        // reaches them, so a scrape's own duration is recorded before a later scrape shows it.
        let processMetrics = self.processMetrics
        families.append(FamilyWriter(header: [], seriesCount: 1) { _, buffer in
            buffer.append(processMetrics.renderSorted())
        })
        return families
    }
}

/// A `/metrics` body rendered family by family, series by series, about `chunkSize` bytes per
/// `next()`: the text is never held whole (one scrape of 324,000 streams was 1.43 GB as one string).
final class ExpositionChunks: ResponseChunks, @unchecked Sendable {
    // @unchecked: `next()` is called one call at a time (the protocol's contract); the state below is
    // only touched there.
    private let families: [FamilyWriter]
    private let chunkSize: Int
    private var family = 0
    private var series = 0
    private var headerWritten = false
    /// The largest piece handed out so far (tests check that memory stays bounded).
    private(set) var largestChunk = 0

    init(families: [FamilyWriter], chunkSize: Int) {
        self.families = families
        self.chunkSize = max(1, chunkSize)
    }

    func next() -> [UInt8]? {
        var buffer = ExpositionBuffer()
        buffer.bytes.reserveCapacity(min(chunkSize, 1 << 20) + 4096)
        while buffer.bytes.count < chunkSize, family < families.count {
            let writer = families[family]
            guard series < writer.seriesCount else {
                family += 1
                series = 0
                headerWritten = false
                continue
            }
            let mark = buffer.bytes.count
            if !headerWritten { buffer.bytes.append(contentsOf: writer.header) }
            let afterHeader = buffer.bytes.count
            writer.writeSeries(series, &buffer)
            if buffer.bytes.count == afterHeader {
                buffer.bytes.removeSubrange(mark...)  // no value: no sample, and no header before one
            } else {
                headerWritten = true
            }
            series += 1
        }
        guard !buffer.bytes.isEmpty else { return nil }
        largestChunk = max(largestChunk, buffer.bytes.count)
        return buffer.bytes
    }
}
