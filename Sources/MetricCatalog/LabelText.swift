/// How label values, HELP text, SSRCs and sample values are spelled in both expositions.
public enum LabelText {
    /// Label values escape backslash, double quote and line feed (text format 0.0.4 and OpenMetrics alike).
    public static func escapeLabelValue(_ value: String) -> String {
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

    /// Which exposition a HELP line is written for: they escape it differently.
    public enum HelpFormat: Sendable {
        /// Prometheus text 0.0.4: backslash and line feed only (a double quote stays as is).
        case text
        /// OpenMetrics 1.0: backslash, line feed and double quote (its `escaped-string`).
        case openMetrics
    }

    public static func escapeHelp(_ help: String, for format: HelpFormat) -> String {
        var escaped = ""
        escaped.reserveCapacity(help.utf8.count)
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where format == .openMetrics: escaped += "\\\""
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `name="value",…` (no braces) for names and values given in the same order.
    public static func labels(_ names: [String], _ values: [String]) -> String {
        var text = ""
        for (index, (name, value)) in zip(names, values).enumerated() {
            if index > 0 { text += "," }
            text += name
            text += "=\""
            text += escapeLabelValue(value)
            text += "\""
        }
        return text
    }

    /// Floats as Prometheus' Go parser reads them: integral values without a fraction (`1`, not
    /// `1.0`, which keeps `le` labels identical to what client_golang would write), otherwise the
    /// shortest round-tripping form; infinities and NaN in their Prometheus spelling.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        // 2^53: beyond it not every integer is representable, so keep the exponent form.
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return value.description
    }
}
