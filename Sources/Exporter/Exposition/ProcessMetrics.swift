import MetricCatalog
import Prometheus

/// What `rtpscope_build_info` reports.
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    /// Source revision (the git commit the binary was built from), "unknown" when the build did not say.
    public var revision: String
    /// The Swift compiler that built it, e.g. "6.3.1", "unknown" when the build did not say.
    public var swiftVersion: String

    public init(version: String, revision: String = "unknown", swiftVersion: String = "unknown") {
        self.version = version
        self.revision = revision.isEmpty ? "unknown" : revision
        self.swiftVersion = swiftVersion.isEmpty ? "unknown" : swiftVersion
    }
}

/// Metrics that live in this process rather than in the snapshot: build information and scrape
/// durations are kept in a swift-prometheus registry (the right tool for values the process itself
/// updates; the registry is exposed so the CLI can register more), the HTTP server's counts in
/// `http`, and the standard `process_*` metrics are read from /proc at each scrape, as
/// client_golang's process collector does.
public final class ProcessMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The HTTP server's connection and response counts (`ExporterServer` counts into them).
    let http = ExporterHTTPMetrics()
    private let scrapeDuration: ValueHistogram
    /// Reads the process's statistics; replaceable for tests (fixed values).
    let processStatistics: @Sendable () -> ProcessStatistics?

    /// Scrape rendering is expected to take well under a second even with thousands of streams.
    static let scrapeDurationBuckets: [Double] = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5]

    public convenience init(buildInfo: BuildInfo, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.init(buildInfo: buildInfo, registry: registry, processStatistics: { ProcessStatistics.current() })
    }

    init(buildInfo: BuildInfo, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
         processStatistics: @escaping @Sendable () -> ProcessStatistics?) {
        self.registry = registry
        self.processStatistics = processStatistics
        registry.makeGauge(
            descriptor: Self.descriptor(MetricCatalog.buildInfo),
            labels: Array(zip(MetricLabels.buildInfo, [buildInfo.version, buildInfo.revision, buildInfo.swiftVersion]))
        ).set(to: 1)
        scrapeDuration = registry.makeValueHistogram(
            descriptor: Self.descriptor(MetricCatalog.scrapeDuration), buckets: Self.scrapeDurationBuckets)
    }

    /// The catalog's full name as the registry's descriptor (an empty unit adds no suffix).
    private static func descriptor(_ family: MetricFamily) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
    }

    func recordScrape(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        scrapeDuration.record(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// The `process_*` families, from /proc now; none where /proc cannot be read.
    func processWriters() -> [FamilyWriter] {
        guard let statistics = processStatistics() else { return [] }
        var writers = [
            FamilyWriter.single(MetricCatalog.processCPUSeconds, .real(statistics.cpuSeconds)),
            FamilyWriter.single(MetricCatalog.processOpenFDs, .signed(Int64(statistics.openFileDescriptors))),
        ]
        if let maxFDs = statistics.maxFileDescriptors {
            writers.append(FamilyWriter.single(MetricCatalog.processMaxFDs, .real(maxFDs)))
        }
        writers.append(FamilyWriter.single(MetricCatalog.processVirtualMemory, .unsigned(statistics.virtualMemoryBytes)))
        if let maxBytes = statistics.virtualMemoryMaxBytes {
            writers.append(FamilyWriter.single(MetricCatalog.processVirtualMemoryMax, .real(maxBytes)))
        }
        writers += [
            FamilyWriter.single(MetricCatalog.processResidentMemory, .unsigned(statistics.residentMemoryBytes)),
            FamilyWriter.single(MetricCatalog.processStartTime, .real(statistics.startTimeSeconds)),
        ]
        return writers
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
