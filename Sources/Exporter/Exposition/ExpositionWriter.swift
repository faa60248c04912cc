import MetricCatalog

/// Describes one scalar family (counter or gauge) over some subject type, e.g. one stream:
/// `value` returns nil when the value is unknown, and the series is then left out rather than
/// exported as a made-up 0.
struct ScalarFamily<Subject>: Sendable {
    let family: MetricFamily
    let value: @Sendable (Subject) -> SampleValue?

    init(_ family: MetricFamily, value: @escaping @Sendable (Subject) -> SampleValue?) {
        self.family = family
        self.value = value
    }
}

/// A series' labels and the value it is computed from.
typealias Series<Subject> = (labels: LabelSet, subject: Subject)

enum SeriesOrdering {
    /// Sorted by label set for a stable exposition. Two entries with the same label set would make
    /// Prometheus reject the whole scrape (duplicate series), so only the first of each is kept.
    static func sortedUnique<Subject>(_ series: [Series<Subject>]) -> [Series<Subject>] {
        var unique: [Series<Subject>] = []
        unique.reserveCapacity(series.count)
        for entry in series.sorted(by: { $0.labels < $1.labels }) where unique.last?.labels != entry.labels {
            unique.append(entry)
        }
        return unique
    }
}

/// One family of the exposition, written one series at a time so that a scrape can be rendered in
/// bounded pieces (`ExpositionChunks`). Enforces the format's structural rules in one place:
/// `# HELP`/`# TYPE` exactly once per family and before its samples, no header for a family without
/// series (client_golang's behaviour, and what `promtool check metrics` expects), and histogram
/// buckets ascending and cumulative with `+Inf` equal to `_count`.
struct FamilyWriter: Sendable {
    /// `# HELP` and `# TYPE` lines.
    let header: [UInt8]
    let seriesCount: Int
    /// Appends series `index`'s sample lines; appends nothing when it has no value.
    let writeSeries: @Sendable (Int, inout ExpositionBuffer) -> Void

    init(header: [UInt8], seriesCount: Int, writeSeries: @escaping @Sendable (Int, inout ExpositionBuffer) -> Void) {
        self.header = header
        self.seriesCount = seriesCount
        self.writeSeries = writeSeries
    }

    static func header(_ family: MetricFamily) -> [UInt8] {
        Array("# HELP \(family.name) \(LabelText.escapeHelp(family.help, for: .text))\n# TYPE \(family.name) \(family.type.rawValue)\n".utf8)
    }

    /// One line per series that has a value, in the order given (callers pass series sorted by labels).
    static func scalar<Subject: Sendable>(_ scalar: ScalarFamily<Subject>, _ series: [Series<Subject>]) -> FamilyWriter {
        let name = Array(scalar.family.name.utf8)
        let value = scalar.value
        return FamilyWriter(header: header(scalar.family), seriesCount: series.count) { index, buffer in
            guard let sample = value(series[index].subject) else { return }
            buffer.appendSample(name, series[index].labels, sample)
        }
    }

    /// A single unlabelled series.
    static func single(_ family: MetricFamily, _ value: SampleValue) -> FamilyWriter {
        scalar(ScalarFamily<SampleValue>(family) { $0 }, [(labels: .none, subject: value)])
    }

    static func histogram(_ family: MetricFamily, _ series: [Series<ExportedHistogram>]) -> FamilyWriter {
        let name = Array(family.name.utf8)
        // Series nearly always share one set of bounds: their `le` texts are spelled once.
        let commonBounds = series.first.map { CumulativeBuckets($0.subject).finite.map(\.upperBound) } ?? []
        let commonTexts = commonBounds.map { Array(LabelText.number($0).utf8) }
        return FamilyWriter(header: header(family), seriesCount: series.count) { index, buffer in
            let (labels, histogram) = series[index]
            let buckets = CumulativeBuckets(histogram)
            let texts = buckets.finite.map(\.upperBound) == commonBounds
                ? commonTexts : buckets.finite.map { Array(LabelText.number($0.upperBound).utf8) }
            for (bucket, text) in zip(buckets.finite, texts) {
                buffer.appendBucket(name, labels, le: text, bucket.count)
            }
            buffer.appendBucket(name, labels, le: ExpositionBuffer.infinity, buckets.total)
            buffer.appendSample(name, suffix: ExpositionBuffer.sumSuffix, labels, .real(histogram.sum))
            buffer.appendSample(name, suffix: ExpositionBuffer.countSuffix, labels, .unsigned(buckets.total))
        }
    }
}

/// The bytes of an exposition being written.
struct ExpositionBuffer {
    var bytes: [UInt8] = []

    static let infinity = Array("+Inf".utf8)
    static let bucketSuffix = Array("_bucket".utf8)
    static let sumSuffix = Array("_sum".utf8)
    static let countSuffix = Array("_count".utf8)
    private static let leOpen = Array("le=\"".utf8)

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// `name[suffix]{labels} value`
    mutating func appendSample(_ name: [UInt8], suffix: [UInt8] = [], _ labels: LabelSet, _ value: SampleValue) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: suffix)
        if !labels.bytes.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: labels.bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        append(value)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// `name_bucket{labels,le="…"} count`
    mutating func appendBucket(_ name: [UInt8], _ labels: LabelSet, le: [UInt8], _ count: UInt64) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: Self.bucketSuffix)
        bytes.append(UInt8(ascii: "{"))
        if !labels.bytes.isEmpty {
            bytes.append(contentsOf: labels.bytes)
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(contentsOf: Self.leOpen)
        bytes.append(contentsOf: le)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: " "))
        appendDecimal(count)
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func append(_ value: SampleValue) {
        switch value {
        case .unsigned(let number): appendDecimal(number)
        case .signed(let number):
            if number < 0 { bytes.append(UInt8(ascii: "-")) }
            appendDecimal(number.magnitude)
        case .real(let number): append(LabelText.number(number))
        }
    }

    /// Digits without a String in between: most samples are integers.
    private mutating func appendDecimal(_ number: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes ≥ the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { raw in
            var remaining = number
            var index = raw.count
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10)
                remaining /= 10
            } while remaining > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[index...]))
        }
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
        var running: UInt64 = 0
        let bounds = histogram.upperBounds
        if zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }), bounds.allSatisfy(\.isFinite) {
            // The usual case (every histogram this exporter builds): already ascending and finite.
            finite = zip(bounds, histogram.bucketCounts).map { bound, count in
                running &+= count
                return Bucket(upperBound: bound, count: running)
            }
        } else {
            var countsByBound: [Double: UInt64] = [:]
            for (bound, count) in zip(bounds, histogram.bucketCounts) where bound.isFinite {
                countsByBound[bound, default: 0] &+= count
            }
            finite = countsByBound.keys.sorted().map { bound in
                running &+= countsByBound[bound] ?? 0
                return Bucket(upperBound: bound, count: running)
            }
        }
        total = max(histogram.count, running)
    }
}
