import ArgumentParser
import Foundation
import RTPCore

/// `PT=HZ`, as given to `--clock-rate`.
struct ClockRateAssignment: ExpressibleByArgument {
    let payloadType: UInt8
    let hertz: Int

    init?(argument: String) {
        let parts = argument.split(separator: "=")
        guard parts.count == 2, let pt = UInt8(parts[0]), pt < 128,
              let hz = Int(parts[1]), hz > 0, hz <= 10_000_000 else { return nil }
        payloadType = pt
        hertz = hz
    }
}

/// The options every engine user (analyze, monitor) shares: how clock rates are found.
struct ClockRateOptions: ParsableArguments {
    @Option(name: .customLong("clock-rate"),
            help: ArgumentHelp("Clock rate of a payload type, e.g. 96=90000 (repeatable). Wins over SDP, the static table and inference.",
                               valueName: "PT=HZ"))
    var clockRates: [ClockRateAssignment] = []

    @Option(name: .customLong("sdp"),
            help: ArgumentHelp("SDP file whose a=rtpmap lines give payload-type clock rates (repeatable).", valueName: "FILE"))
    var sdpFiles: [String] = []

    /// Applies the options to an engine configuration; throws a one-line error for an unreadable or invalid SDP.
    func apply(to configuration: inout AnalyzerConfiguration) throws {
        for assignment in clockRates {
            configuration.explicitClockRates[assignment.payloadType] = assignment.hertz
        }
        for path in sdpFiles {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw CLIError("cannot read SDP file \(path)")
            }
            do {
                let session = try SDPParser.parse(text)
                configuration.sdpClockRates.merge(session.clockRates) { _, new in new }
            } catch {
                throw CLIError("\(path): \(error)")
            }
        }
    }
}

/// A one-line error for the user; `main` prints it on stderr and exits with `exitCode`.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = 1) {
        description = message
        self.exitCode = exitCode
    }
}

enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
