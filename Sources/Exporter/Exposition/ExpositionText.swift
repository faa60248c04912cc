#if canImport(Glibc)
import Glibc
#endif
import MetricCatalog

/// A sample value, kept in its exact type until rendered so that 64-bit counters are not
/// rounded through `Double`.
enum SampleValue: Sendable {
    case unsigned(UInt64)
    case signed(Int64)
    case real(Double)
}

/// An ordered, already escaped label set, held as the bytes it is written with (a series' labels are
/// written on every line of every family it has). Label names come from `MetricLabels`, so only
/// values need escaping.
struct LabelSet: Comparable, Sendable {
    /// `name="value",…` without braces, so a histogram can append its `le` label.
    let bytes: [UInt8]

    /// Values for `names`, in the same order.
    init(_ names: [String], _ values: [String]) {
        bytes = Array(LabelText.labels(names, values).utf8)
    }

    /// One label.
    init(_ name: String, _ value: String) {
        self.init([name], [value])
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    static let none = LabelSet(bytes: [])

    var inner: String { String(decoding: bytes, as: UTF8.self) }

    /// `other`'s labels followed by these.
    func appended(after other: LabelSet) -> LabelSet {
        if other.bytes.isEmpty { return self }
        if bytes.isEmpty { return other }
        return LabelSet(bytes: other.bytes + [UInt8(ascii: ",")] + bytes)
    }

    /// Byte equality: two label sets that differ in bytes are two series to Prometheus.
    static func == (lhs: LabelSet, rhs: LabelSet) -> Bool { lhs.bytes == rhs.bytes }

    /// Byte order: the same for every run and locale.
    static func < (lhs: LabelSet, rhs: LabelSet) -> Bool {
        lhs.bytes.withUnsafeBufferPointer { left in
            rhs.bytes.withUnsafeBufferPointer { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }
}
