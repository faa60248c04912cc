/// The engine: sources push datagrams in, reports come out. One instance per analysis (offline) or
/// per monitor (live); not thread-safe — the owner serialises access.
///
/// PLACEHOLDER API (the statistics work replaces the bodies; keep the signatures).
public final class StreamAnalyzer {
    public let configuration: AnalyzerConfiguration
    /// Sources add their own counts here (packets read, link errors, fragments skipped, link type).
    public var summary = AnalysisSummary()
    /// Streams removed by idle timeout or the stream cap (live).
    public private(set) var evictedStreams: UInt64 = 0

    public init(configuration: AnalyzerConfiguration) {
        self.configuration = configuration
    }

    /// Classifies, decodes and accounts one datagram. Never traps on any input.
    public func ingest(_ datagram: Datagram) {
        summary.datagrams += 1
    }

    /// Live: removes streams idle since before `now - streamIdleTimeout`; returns how many.
    @discardableResult
    public func evictIdleStreams(now: Nanoseconds) -> Int { 0 }

    /// Number of confirmed streams currently tracked.
    public var streamCount: Int { 0 }

    /// A snapshot of every confirmed stream, the RTCP reporters and the summary.
    public func report() -> AnalysisReport {
        AnalysisReport(streams: [], rtcp: [], summary: summary)
    }
}
