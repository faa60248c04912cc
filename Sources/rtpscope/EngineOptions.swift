import ArgumentParser
import Exporter
import Foundation
import PcapSource
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
            help: ArgumentHelp("SDP file whose a=rtpmap lines give payload types their clock rates and encoding names (repeatable).", valueName: "FILE"))
    var sdpFiles: [String] = []

    /// Applies the options to an engine configuration; throws a one-line error for an unreadable or invalid SDP.
    func apply(to configuration: inout AnalyzerConfiguration) throws {
        for assignment in clockRates {
            configuration.explicitClockRates[assignment.payloadType] = assignment.hertz
        }
        for path in sdpFiles {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CLIError("cannot read SDP file \(path): \(SystemErrorText.reason(error, reading: path))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CLIError("\(path): not an SDP file (not UTF-8 text)")
            }
            do {
                let session = try SDPParser.parse(text)
                configuration.sdpClockRates.merge(session.clockRates) { _, new in new }
                configuration.sdpEncodingNames.merge(session.encodingNames) { _, new in new }
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
    /// A line on stderr. If even stderr refuses it, there is nowhere left to say so.
    static func write(_ line: String) {
        writeText(line + "\n")
    }

    /// Text as it is (a progress line's carriage returns).
    static func writeText(_ text: String) {
        var output = DescriptorOutput.standardError
        output.write(text)
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}

/// The system's words for a file error ("No such file or directory"), not Foundation's wrapper text;
/// for a permission failure, which path denies it (`PathAccess`).
enum SystemErrorText {
    static func reason(_ error: any Error, reading path: String) -> String {
        posixCode(error).map { PathAccess.explain($0, reading: path) } ?? (error as NSError).localizedDescription
    }

    static func reason(_ error: any Error, writing path: String) -> String {
        posixCode(error).map { PathAccess.explain($0, writing: path) } ?? (error as NSError).localizedDescription
    }

    /// The errno behind a Foundation file error. swift-corelibs-foundation often reports only its own
    /// code ("You don't have permission") without the POSIX error underneath: those map back.
    private static func posixCode(_ error: any Error) -> Int32? {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return Int32(nsError.code) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        guard nsError.domain == NSCocoaErrorDomain else { return nil }
        switch CocoaError.Code(rawValue: nsError.code) {
        case .fileReadNoPermission, .fileWriteNoPermission: return EACCES
        case .fileReadNoSuchFile, .fileNoSuchFile: return ENOENT
        case .fileWriteOutOfSpace: return ENOSPC
        case .fileWriteVolumeReadOnly: return EROFS
        case .fileReadTooLarge: return EFBIG
        default: return nil
        }
    }
}
