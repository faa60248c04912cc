import Foundation
import Logging
import Testing
@testable import Exporter

/// `--log.format`: promslog's logfmt and JSON lines.
@Suite struct LogFormatTests {
    private let time = Date(timeIntervalSince1970: 1_764_650_950.123)

    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        let line = ExporterLogHandler.line(format: .logfmt, time: time, level: .warning, source: "Server.swift:12",
                                           message: "exporter listening", fields: ["address": "127.0.0.1:9310", "note": "a \"b\"=c"])
        #expect(line == "time=2025-12-02T04:49:10.123Z level=warn source=Server.swift:12 msg=\"exporter listening\" address=127.0.0.1:9310 note=\"a \\\"b\\\"=c\"\n")
    }

    @Test func jsonIsOneParsableObjectPerLine() throws {
        let line = ExporterLogHandler.line(format: .json, time: time, level: .error, source: "x.swift:1",
                                           message: "bad\nthing \u{1}", fields: ["peer": "[::1]:5"])
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object == ["time": "2025-12-02T04:49:10.123Z", "level": "error", "source": "x.swift:1",
                           "msg": "bad\nthing \u{1}", "peer": "[::1]:5"])
    }

    @Test func levelsMapOntoPromslogsFour() {
        #expect(LogLevel.allCases.map(\.rawValue) == ["debug", "info", "warn", "error"])
        #expect(LogLevel.warn.swiftLogLevel == .warning)
        #expect([Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map(ExporterLogHandler.levelName)
                == ["debug", "debug", "info", "info", "warn", "error", "error"])
    }

    @Test func theHandlerFiltersByLevel() {
        let lines = LinesBox()
        var logger = Logger(label: "t") { _ in ExporterLogHandler(format: .logfmt, level: .warning, output: lines.append) }
        logger.info("hidden")
        logger.warning("shown", metadata: ["k": "v"])
        logger.logLevel = .debug
        logger.debug("now shown")
        #expect(lines.all.count == 2)
        #expect(lines.all[0].contains("level=warn") && lines.all[0].contains("msg=shown k=v"))
        #expect(lines.all[1].contains("level=debug"))
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    var append: @Sendable (String) -> Void { { line in self.lock.withLock { self.lines.append(line) } } }
}
