import Foundation

/// One line of the Prometheus text exposition format: `name{label="value",…} value [timestamp]`.
struct MetricSample: Equatable, CustomStringConvertible {
    let name: String
    let labels: [String: String]
    let value: Double

    var description: String {
        let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
        return "\(name){\(rendered)} \(value)"
    }
}

/// A parsed /metrics page (text format 0.0.4), queried by name plus a subset of labels.
struct Exposition {
    let samples: [MetricSample]

    init(parsing text: String) throws {
        var samples: [MetricSample] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }  // HELP / TYPE / comments
            do {
                var parser = ExpositionLineParser(trimmed)
                samples.append(try parser.parse())
            } catch let error as E2EError {
                throw E2EError("/metrics line \(number + 1) '\(trimmed)': \(error.description)")
            }
        }
        self.samples = samples
    }

    /// Samples of `name` whose labels include every pair in `labels`.
    func samples(_ name: String, where labels: [String: String] = [:]) -> [MetricSample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// Sum over the matching series (0 when there are none).
    func sum(_ name: String, where labels: [String: String] = [:]) -> Double {
        samples(name, where: labels).reduce(0) { $0 + $1.value }
    }

    func contains(_ name: String) -> Bool { samples.contains { $0.name == name } }
}

/// Parses one sample line; a small cursor over its UTF-8 bytes.
private struct ExpositionLineParser {
    private let bytes: [UInt8]
    private var index = 0

    init(_ line: String) { bytes = Array(line.utf8) }

    mutating func parse() throws -> MetricSample {
        let name = identifier()
        guard !name.isEmpty else { throw E2EError("no metric name") }
        var labels: [String: String] = [:]
        if peek == UInt8(ascii: "{") {
            index += 1
            try parseLabels(into: &labels)
        }
        skipSpaces()
        let valueText = token()
        guard let value = Self.number(valueText) else { throw E2EError("bad value '\(valueText)'") }
        skipSpaces()
        let timestamp = token()  // optional, milliseconds; the tests do not need it
        guard timestamp.isEmpty || Int64(timestamp) != nil else { throw E2EError("bad timestamp '\(timestamp)'") }
        return MetricSample(name: name, labels: labels, value: value)
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func parseLabels(into labels: inout [String: String]) throws {
        while true {
            skipSpaces()
            if peek == UInt8(ascii: "}") { index += 1; return }
            let key = identifier()
            guard !key.isEmpty else { throw E2EError("bad label name") }
            skipSpaces()
            guard peek == UInt8(ascii: "=") else { throw E2EError("expected = after label \(key)") }
            index += 1
            skipSpaces()
            labels[key] = try quoted()
            skipSpaces()
            if peek == UInt8(ascii: ",") { index += 1 }
            else if peek != UInt8(ascii: "}") { throw E2EError("expected , or } after label \(key)") }
        }
    }

    /// A label value: "…" with the format's three escapes \\ \" \n.
    private mutating func quoted() throws -> String {
        guard peek == UInt8(ascii: "\"") else { throw E2EError("label value not quoted") }
        index += 1
        var value: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { throw E2EError("dangling escape") }
                index += 1
                value.append(escaped == UInt8(ascii: "n") ? UInt8(ascii: "\n") : escaped)
            default:
                value.append(byte)
            }
        }
        throw E2EError("unterminated label value")
    }

    private mutating func identifier() -> String {
        let start = index
        while let byte = peek, Self.isIdentifierByte(byte) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func token() -> String {
        let start = index
        while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipSpaces() {
        while peek == UInt8(ascii: " ") || peek == UInt8(ascii: "\t") { index += 1 }
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}
