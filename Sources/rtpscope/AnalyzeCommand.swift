import ArgumentParser
import Foundation
import PcapSource
import Reporting
import RTPCore

extension ReportFormat: ExpressibleByArgument {}
extension AnalyzerConfiguration.Mode: ExpressibleByArgument {}

/// `rtpscope analyze FILE...`: offline analysis of pcap/pcapng captures.
///
/// Exit status: 0 success; 1 bad input (missing file, not a capture, unsupported link type, bad
/// option or SDP); 2 a capture was cut short — the streams read so far are still reported.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze RTP/RTCP streams in pcap or pcapng captures.",
        discussion: """
        RTP is found heuristically on any UDP port (a stream exists once consistent packets confirm it); \
        --udp-port forces decoding on a port, --tcp-port decodes RFC 4571-framed RTP over TCP.
        --compat wireshark computes packets, lost, delta and jitter exactly as `tshark -z rtp,streams`.
        SIP (UDP on any port, TCP on 5060 and --sip-port) groups streams into calls: --calls         prints one row per call; JSON has a `calls` array whenever the capture carries SIP.
        Exit status: 0 ok, 1 bad input, 2 capture truncated (partial results printed).
        """
    )

    @Argument(help: "Capture files (pcap or pcapng).")
    var files: [String]

    @Option(help: "Output format: table, json or csv.")
    var format: ReportFormat = .table

    @Option(name: .customLong("compat"), help: "Statistics mode: strict (RFC 3550, default) or wireshark (tshark's rules).")
    var mode: AnalyzerConfiguration.Mode = .strict

    @Option(name: .customLong("udp-port"), help: ArgumentHelp("Always decode this UDP port as RTP/RTCP (repeatable).", valueName: "N"))
    var udpPorts: [UInt16] = []

    @Option(name: .customLong("tcp-port"), help: ArgumentHelp("Decode RFC 4571-framed RTP/RTCP on this TCP port (repeatable).", valueName: "N"))
    var tcpPorts: [UInt16] = []

    @Option(name: .customLong("sip-port"), help: ArgumentHelp("Also frame this TCP port as SIP (repeatable; 5060 always is). SIP over UDP is recognised on any port.", valueName: "N"))
    var sipPorts: [UInt16] = []

    @Option(name: .customLong("max-calls"), help: ArgumentHelp("At most this many SIP calls tracked (about 2.5 KB each); beyond it the oldest are dropped, counted and warned about.", valueName: "N"))
    var maxCalls: Int = 100_000

    @Flag(name: .customLong("calls"), help: "One row per SIP call (Call-ID, from, to, start, setup, duration, state, streams, loss) instead of one per stream.")
    var calls = false

    @OptionGroup var clockRateOptions: ClockRateOptions

    @Option(name: .customLong("openmetrics"), help: ArgumentHelp("Also write per-second per-stream series (OpenMetrics, for promtool tsdb create-blocks-from openmetrics) to FILE.", valueName: "FILE"))
    var openMetricsPath: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write a self-contained HTML report (stream table, per-stream jitter, packet rate and loss timelines) to DIR/index.html.", valueName: "DIR"))
    var reportDirectory: String?

    func validate() throws {
        guard maxCalls > 0 else { throw ValidationError("--max-calls must be positive") }
    }

    func run() throws {
        var configuration = AnalyzerConfiguration()
        configuration.mode = mode
        configuration.forcedUDPPorts = Set(udpPorts)
        configuration.tcpPorts = Set(tcpPorts)
        configuration.sipPorts.formUnion(sipPorts)
        configuration.maxCalls = maxCalls
        do {
            try clockRateOptions.apply(to: &configuration)
        } catch let error as CLIError {
            StandardError.write("rtpscope: \(error.description)")
            throw ExitCode(error.exitCode)
        }
        let analyzer = StreamAnalyzer(configuration: configuration)
        // Only attached when asked for: without it the analysis pays nothing for the series.
        let sampler = openMetricsPath != nil || reportDirectory != nil ? CaptureTimeSampler() : nil
        analyzer.sampler = sampler
        var truncated: [String] = []
        for path in files {
            sampler?.beginCapture(named: URL(fileURLWithPath: path).lastPathComponent, of: analyzer)
            // Also after a cut-short file: its streams so far are reported, so are their series.
            defer { sampler?.finishCapture(of: analyzer) }
            do {
                let capture = try CaptureFile(path: path)
                try capture.feed(into: analyzer, progress: ProgressLine.handler(for: path))
                ProgressLine.finish()
            } catch {
                ProgressLine.finish()
                switch error {
                case .truncated, .readError:
                    // Cut short: what was read before the break is analysed and reported.
                    truncated.append(error.description)
                    continue
                default:
                    break
                }
                StandardError.write("rtpscope: \(error)")
                throw ExitCode(1)
            }
        }
        let report = analyzer.report()
        print(calls ? CallsReport.render(report, format: format) : format.render(report), terminator: "")
        if let evicted = report.sip?.callsEvicted, evicted > 0 {
            StandardError.write("rtpscope: warning: \(evicted) SIP calls dropped beyond --max-calls \(maxCalls) (the oldest first)")
        }
        if let openMetricsPath, let sampler {
            do {
                try Data(OpenMetricsReport.render(sampler.samples).utf8)
                    .write(to: URL(fileURLWithPath: openMetricsPath), options: .atomic)
            } catch {
                StandardError.write("rtpscope: cannot write \(openMetricsPath): \(Self.reason(error))")
                throw ExitCode(1)
            }
        }
        if let reportDirectory, let sampler {
            do {
                try HTMLReport.write(HTMLReport.render(report, samples: sampler.samples, captures: files),
                                     toDirectory: URL(fileURLWithPath: reportDirectory))
            } catch {
                StandardError.write("rtpscope: cannot write report to \(reportDirectory): \(Self.reason(error))")
                throw ExitCode(1)
            }
        }
        if !truncated.isEmpty {
            for warning in truncated {
                StandardError.write("rtpscope: warning: \(warning) (streams read so far are reported)")
            }
            throw ExitCode(2)
        }
    }
}

extension Analyze {
    /// The system's words for a write failure ("No such file or directory"), not Foundation's wrapper text.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = (nsError.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }),
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}

/// A progress line on stderr for long files, only when stderr is a terminal.
enum ProgressLine {
    nonisolated(unsafe) private static var shown = false

    static func handler(for path: String) -> ((ProgressInfo) -> Void)? {
        guard StandardError.isTerminal else { return nil }
        return { info in
            shown = true
            let percent = String(format: "%5.1f%%", info.fraction * 100)
            FileHandle.standardError.write(Data("\r\(path): \(info.packetsRead) packets \(percent)".utf8))
        }
    }

    static func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
