import Foundation
import Logging

/// `--log.format`: the two formats of Prometheus' promslog (what node_exporter and every
/// exporter-toolkit exporter write), so the same log pipelines parse rtpscope's lines.
public enum LogFormat: String, CaseIterable, Sendable {
    /// `time=2026-12-02T04:28:12.345Z level=info source=ExporterServer.swift:120 msg="exporter listening" address=…`
    case logfmt
    /// `{"time":"…","level":"info","source":"…","msg":"…",…}`, one object per line.
    case json
}

/// `--log.level`: promslog's four levels, mapped onto swift-log's.
public enum LogLevel: String, CaseIterable, Sendable {
    case debug, info, warn, error

    public var swiftLogLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }
}

/// A swift-log handler writing promslog-style lines to standard error.
public struct ExporterLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let format: LogFormat
    private let output: @Sendable (String) -> Void

    public init(format: LogFormat, level: Logger.Level,
                output: @escaping @Sendable (String) -> Void = ExporterLogHandler.standardError) {
        self.format = format
        self.logLevel = level
        self.output = output
    }

    /// A line that stderr refuses (a full disk, a closed journal socket) is lost: there is nowhere
    /// left to log that, and a log line must not stop the exporter.
    public static let standardError: @Sendable (String) -> Void = { line in
        var output = DescriptorOutput.standardError
        output.write(line)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let file = event.file.split(separator: "/").last.map(String.init) ?? event.file
        output(Self.line(format: format, time: Date(), level: event.level, source: "\(file):\(event.line)",
                         message: event.message.description, fields: fields))
    }

    /// One formatted line (with its newline); fields sorted by key so lines are reproducible.
    static func line(format: LogFormat, time: Date, level: Logger.Level, source: String, message: String,
                     fields: Logger.Metadata) -> String {
        var pairs: [(String, String)] = [
            ("time", timestamp(time)), ("level", levelName(level)), ("source", source), ("msg", message),
        ]
        for key in fields.keys.sorted() where !["time", "level", "source", "msg"].contains(key) {
            pairs.append((key, "\(fields[key]!)"))
        }
        switch format {
        case .logfmt:
            return pairs.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ") + "\n"
        case .json:
            return "{" + pairs.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}\n"
        }
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    /// RFC 3339 in UTC with milliseconds, as promslog writes it.
    static func timestamp(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMillis / 1000)
        let millis = Int(totalMillis % 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }

    /// logfmt: bare when the value has no space, quote, `=` or control character; otherwise quoted
    /// with `"` and `\` escaped (as go-logfmt does).
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0 == "\\" }
        return needsQuotes ? jsonString(value) : value
    }

    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
