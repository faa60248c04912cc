import Prometheus

/// What `rtpscope_build_info` reports.
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    /// Source revision (e.g. a git commit), empty when unknown.
    public var revision: String

    public init(version: String, revision: String = "") {
        self.version = version
        self.revision = revision
    }
}

/// Metrics that live in this process rather than in the snapshot: they are kept in a
/// swift-prometheus registry, which is the right tool for values the process itself updates.
/// The registry is exposed so the CLI can register further process metrics next to these.
public final class ProcessMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let scrapeDuration: ValueHistogram

    /// Scrape rendering is expected to take well under a second even with thousands of streams.
    static let scrapeDurationBuckets: [Double] = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5]

    public init(buildInfo: BuildInfo, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "rtpscope", metricName: "build", unitName: "info",
                helpText: "Build of the running rtpscope; the value is always 1."),
            labels: [("version", buildInfo.version), ("revision", buildInfo.revision)]
        ).set(to: 1)
        scrapeDuration = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "rtpscope", subsystem: "exporter", metricName: "scrape_duration", unitName: "seconds",
                helpText: "Time taken to take a snapshot and render /metrics (seconds)."),
            buckets: Self.scrapeDurationBuckets)
    }

    func recordScrape(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        scrapeDuration.record(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// The registry's exposition with its families sorted by name. The registry iterates a
    /// dictionary, whose order is not stable across processes; dashboards diffing scrapes and the
    /// exact-text tests need a deterministic order.
    func renderSorted() -> String {
        FamilyBlocks.sortedByName(String(decoding: registry.emitToBuffer(), as: UTF8.self))
    }
}

/// Splits a text exposition into per-family blocks (a block starts at a `# HELP`/`# TYPE` line
/// naming a new family) and reorders the blocks by family name; lines inside a block keep their order.
enum FamilyBlocks {
    static func sortedByName(_ exposition: String) -> String {
        var blocks: [(name: String, lines: [Substring])] = []
        for line in exposition.split(separator: "\n") {
            if let name = headerName(line), blocks.last?.name != name {
                blocks.append((name: name, lines: [line]))
            } else if blocks.isEmpty {
                blocks.append((name: "", lines: [line]))
            } else {
                blocks[blocks.count - 1].lines.append(line)
            }
        }
        return blocks.sorted { $0.name < $1.name }
            .flatMap(\.lines)
            .map { $0 + "\n" }
            .joined()
    }

    private static func headerName(_ line: Substring) -> String? {
        let tokens = line.split(separator: " ", maxSplits: 3)
        guard tokens.count >= 3, tokens[0] == "#", tokens[1] == "HELP" || tokens[1] == "TYPE" else { return nil }
        return String(tokens[2])
    }
}
