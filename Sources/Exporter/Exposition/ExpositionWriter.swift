/// The Prometheus metric types this exporter writes.
enum MetricType: String {
    case counter, gauge, histogram
}

/// Describes one scalar family (counter or gauge) over some subject type, e.g. one stream:
/// `value` returns nil when the value is unknown, and the series is then left out rather than
/// exported as a made-up 0.
struct ScalarFamily<Subject>: Sendable {
    let name: String
    let type: MetricType
    let help: String
    let value: @Sendable (Subject) -> SampleValue?
}

/// Appends families to a text exposition, enforcing the format's structural rules in one place:
/// `# HELP`/`# TYPE` exactly once per family and before its samples, no header for a family
/// without series (client_golang's behaviour, and what `promtool check metrics` expects), and
/// histogram buckets ascending and cumulative with `+Inf` equal to `_count`.
struct ExpositionWriter {
    private(set) var text = ""

    /// One series per subject, in the order given (callers pass subjects sorted by labels).
    mutating func write<Subject>(_ family: ScalarFamily<Subject>, for subjects: [Series<Subject>]) {
        var headerWritten = false
        for (labels, subject) in subjects {
            guard let value = family.value(subject) else { continue }
            if !headerWritten {
                writeHeader(name: family.name, type: family.type, help: family.help)
                headerWritten = true
            }
            text += "\(family.name)\(labels.braced) \(value.text)\n"
        }
    }

    mutating func writeHistogram(name: String, help: String, series: [Series<ExportedHistogram>]) {
        guard !series.isEmpty else { return }
        writeHeader(name: name, type: .histogram, help: help)
        for (labels, histogram) in series {
            let buckets = CumulativeBuckets(histogram)
            for bucket in buckets.finite {
                text += "\(name)_bucket\(labels.braced(adding: "le", ExpositionText.format(bucket.upperBound))) \(bucket.count)\n"
            }
            text += "\(name)_bucket\(labels.braced(adding: "le", "+Inf")) \(buckets.total)\n"
            text += "\(name)_sum\(labels.braced) \(ExpositionText.format(histogram.sum))\n"
            text += "\(name)_count\(labels.braced) \(buckets.total)\n"
        }
    }

    private mutating func writeHeader(name: String, type: MetricType, help: String) {
        text += "# HELP \(name) \(ExpositionText.escapeHelp(help))\n"
        text += "# TYPE \(name) \(type.rawValue)\n"
    }
}

/// Turns per-bucket counts into the cumulative `le` series, repairing input that would otherwise
/// produce an exposition Prometheus rejects: bounds are sorted, duplicate and non-finite bounds
/// merged away, and the total is never below the last cumulative bucket.
struct CumulativeBuckets {
    struct Bucket: Equatable {
        let upperBound: Double
        let count: UInt64
    }

    let finite: [Bucket]
    /// The `+Inf` bucket and `_count`.
    let total: UInt64

    init(_ histogram: ExportedHistogram) {
        var countsByBound: [Double: UInt64] = [:]
        for (bound, count) in zip(histogram.upperBounds, histogram.bucketCounts) where bound.isFinite {
            countsByBound[bound, default: 0] &+= count
        }
        var running: UInt64 = 0
        finite = countsByBound.keys.sorted().map { bound in
            running &+= countsByBound[bound] ?? 0
            return Bucket(upperBound: bound, count: running)
        }
        total = max(histogram.count, running)
    }
}

/// A series' labels and the value it is computed from.
typealias Series<Subject> = (labels: LabelSet, subject: Subject)

enum SeriesOrdering {
    /// Sorted by label set for a stable exposition. Two entries with the same label set would make
    /// Prometheus reject the whole scrape (duplicate series), so only the first of each is kept.
    static func sortedUnique<Subject>(_ series: [Series<Subject>]) -> [Series<Subject>] {
        var unique: [Series<Subject>] = []
        for entry in series.sorted(by: { $0.labels < $1.labels }) where unique.last?.labels != entry.labels {
            unique.append(entry)
        }
        return unique
    }
}
