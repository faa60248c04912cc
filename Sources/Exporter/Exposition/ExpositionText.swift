/// Escaping and number formatting rules of the Prometheus text format 0.0.4.
enum ExpositionText {
    /// Label values escape backslash, double quote and line feed (nothing else).
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// HELP text escapes backslash and line feed only (a double quote stays as is).
    static func escapeHelp(_ help: String) -> String {
        var escaped = ""
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Floats as Prometheus' Go parser reads them: integral values without a fraction (`1`, not
    /// `1.0`, which keeps `le` labels identical to what client_golang would write), otherwise the
    /// shortest round-tripping form; infinities and NaN in their Prometheus spelling.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        // 2^53: beyond it not every integer is representable, so keep the exponent form.
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return value.description
    }

    /// SSRCs as `0x` + 8 lowercase hex digits, the way Wireshark and RTP tooling print them.
    static func ssrc(_ ssrc: UInt32) -> String {
        let hex = String(ssrc, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}

/// A sample value, kept in its exact type until rendered so that 64-bit counters are not
/// rounded through `Double`.
enum SampleValue {
    case unsigned(UInt64)
    case signed(Int64)
    case real(Double)

    var text: String {
        switch self {
        case .unsigned(let value): return String(value)
        case .signed(let value): return String(value)
        case .real(let value): return ExpositionText.format(value)
        }
    }
}

/// An ordered, already escaped label set. Label names are compile-time constants of this module, so
/// only values need escaping.
struct LabelSet: Comparable {
    /// `name="value",…` without braces, so a histogram can append its `le` label.
    private(set) var inner: String

    init(_ pairs: KeyValuePairs<String, String>) {
        inner = pairs.map { "\($0.key)=\"\(ExpositionText.escapeLabelValue($0.value))\"" }.joined(separator: ",")
    }

    /// Pairs built at run time, in the order given.
    init(ordered pairs: [(String, String)]) {
        inner = pairs.map { "\($0.0)=\"\(ExpositionText.escapeLabelValue($0.1))\"" }.joined(separator: ",")
    }

    static let none = LabelSet([:])

    /// These labels followed by `other`'s (`other` is an already rendered inner text).
    func appended(after other: String) -> LabelSet {
        var combined = self
        combined.inner = other.isEmpty ? inner : inner.isEmpty ? other : other + "," + inner
        return combined
    }

    /// `{…}`, or nothing for an empty set.
    var braced: String { inner.isEmpty ? "" : "{\(inner)}" }

    func braced(adding name: String, _ value: String) -> String {
        let extra = "\(name)=\"\(ExpositionText.escapeLabelValue(value))\""
        return inner.isEmpty ? "{\(extra)}" : "{\(inner),\(extra)}"
    }

    static func < (lhs: LabelSet, rhs: LabelSet) -> Bool { lhs.inner < rhs.inner }
}
