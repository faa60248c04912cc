/// The Prometheus metric types rtpscope writes.
public enum MetricType: String, Sendable {
    case counter, gauge, histogram
}

/// One metric family as both expositions name it: the live `/metrics` (Prometheus text 0.0.4) and
/// `analyze --openmetrics` (OpenMetrics 1.0, for backfill). Defined once, in `MetricCatalog`, so the
/// two cannot drift apart and dashboards and rules work on either.
public struct MetricFamily: Sendable, Hashable {
    /// The name as the text format writes it: counters end in `_total`, like client_golang's.
    public let name: String
    public let type: MetricType
    public let help: String
    /// The OpenMetrics unit (`# UNIT`), declared only where the name ends with it; nil otherwise.
    public let unit: String?

    public init(name: String, type: MetricType, help: String, unit: String? = nil) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
    }

    /// OpenMetrics names a counter family without its `_total` suffix (its samples keep it).
    public var openMetricsName: String {
        type == .counter && name.hasSuffix("_total") ? String(name.dropLast("_total".count)) : name
    }
}
