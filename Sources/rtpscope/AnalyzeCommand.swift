import ArgumentParser
import Exporter
import Foundation
import PcapSource
import Reporting
import RTPCore

extension ReportFormat: ExpressibleByArgument {}
extension AnalyzerConfiguration.Mode: ExpressibleByArgument {}

/// `rtpscope analyze FILE...`: offline analysis of pcap/pcapng captures.
///
/// Each file is analysed on its own (a stream belongs to one file; times count from that file's first
/// packet), then the results are reported together with a `file` field per stream.
///
/// Exit status: 0 success; 1 bad input (missing file, not a capture, unsupported link type, bad SDP,
/// an output that cannot be written); 2 a capture was cut short — the streams read so far are still
/// reported; 64 a usage error (unknown option, bad option value), from ArgumentParser.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze RTP/RTCP streams in pcap or pcapng captures.",
        discussion: """
        Captures may be gzip-compressed (read as a stream, nothing unpacked to disk); - reads standard \
        input; FIFOs and character devices are read once, as they deliver. Several files are analysed \
        one by one and reported together, each stream with its file, its times counted from that file's \
        first packet.
        RTP is found heuristically on any UDP port (a stream exists once consistent packets confirm it); \
        --udp-port forces decoding on a port, --tcp-port decodes RFC 4571-framed RTP over TCP.
        --compat wireshark computes packets, lost, delta and jitter exactly as `tshark -z rtp,streams`, \
        and names payloads as tshark does; the default names them as SDP does (PCMU, H264, G726-32).
        The table fits the terminal (COLUMNS, else the terminal's width; no limit when output is not a \
        terminal): the least important columns are hidden and named under it; --wide shows them all.
        SIP (UDP on any port, TCP on 5060 and --sip-port) groups streams into calls: --calls prints one \
        row per call; JSON has a `calls` array whenever the capture carries SIP.
        Exit status: 0 ok, 1 bad input or unwritable output, 2 capture truncated (partial results \
        printed), 64 usage error.
        """
    )

    @Argument(help: "Capture files (pcap or pcapng, optionally gzip-compressed); - reads standard input.")
    var files: [String]

    @Option(help: "Output format: table, json or csv.")
    var format: ReportFormat = .table

    @Flag(help: "Table: every column, however wide (default: fit the terminal).")
    var wide = false

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
    @OptionGroup var qualityOptions: QualityOptions

    @Option(name: .customLong("openmetrics"), help: ArgumentHelp("Also write per-second per-stream series (OpenMetrics, for promtool tsdb create-blocks-from openmetrics) to FILE, with the live exporter's names and labels plus capture. Prometheus deletes blocks older than its retention (--storage.tsdb.retention.time, 15d by default): an older capture's series vanish unless retention covers them.", valueName: "FILE"))
    var openMetricsPath: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write a self-contained HTML report (stream table; per stream: per-packet delta and jitter, packet rate, loss and RTCP-reported values) to DIR/index.html.", valueName: "DIR"))
    var reportDirectory: String?

    func validate() throws {
        if files.filter({ $0 == CaptureFile.standardInputPath }).count > 1 {
            throw ValidationError("standard input (-) can be read only once")
        }
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
            try qualityOptions.apply(to: &configuration)
        } catch let error as CLIError {
            StandardError.write("rtpscope: \(error.description)")
            throw ExitCode(error.exitCode)
        }
        // A misspelt last file should not cost the analysis of the ones before it.
        for path in files {
            do {
                try CaptureFile.checkReachable(path)
            } catch {
                StandardError.write("rtpscope: \(error)")
                throw ExitCode(1)
            }
        }

        var reports: [AnalysisReport] = []
        var plots: [String: CapturePlots] = [:]
        var samples: [StreamSample] = []
        var truncated: [String] = []
        for path in files {
            let capture: CaptureFile
            do {
                capture = try CaptureFile(path: path)
            } catch {
                StandardError.write("rtpscope: \(error)")
                throw ExitCode(1)
            }
            // Only sampled when an output needs it: without it the analysis pays nothing for the series.
            let label = openMetricsPath != nil || reportDirectory != nil
                ? (capture.path == CaptureFile.standardInputPath ? capture.name : URL(fileURLWithPath: capture.path).lastPathComponent)
                : nil
            let analysis = CaptureAnalysis.run(capture, configuration: configuration, sampleLabel: label,
                                               progress: ProgressLine.handler(for: capture.name))
            ProgressLine.finish()
            if let stoppedBy = analysis.stoppedBy { truncated.append(stoppedBy.description) }
            reports.append(analysis.report)
            samples += analysis.samples
            if reportDirectory != nil {
                let trace = CaptureAnalysis.trace(of: capture, streams: HTMLReport.chartedStreams(analysis.report.streams),
                                                  columns: HTMLReport.plotColumns,
                                                  tcpPorts: configuration.tcpPorts,
                                                  progress: ProgressLine.handler(for: capture.name + " (report)"))
                ProgressLine.finish()
                plots[capture.name] = CapturePlots(samples: analysis.samples, trace: trace)
            }
        }
        let report = AnalysisReport.merging(reports)
        var output = DescriptorOutput.standardOutput
        if format == .json && !calls {
            // Written as it is produced: the text of 100,000 streams is never held whole.
            JSONReport.write(report) { output.write($0) }
        } else {
            output.write(calls ? CallsReport.render(report, format: format)
                               : format.render(report, width: wide ? nil : TerminalWidth.ofStandardOutput()))
        }
        if let failure = output.failure {
            StandardError.write("rtpscope: cannot write standard output: \(failure)")
            throw ExitCode(1)
        }
        if let evicted = report.sip?.callsEvicted, evicted > 0 {
            StandardError.write("rtpscope: warning: \(evicted) SIP calls dropped beyond --max-calls \(maxCalls) (the oldest first)")
        }

        if let openMetricsPath {
            do {
                try Data(OpenMetricsReport.render(samples).utf8)
                    .write(to: URL(fileURLWithPath: openMetricsPath), options: .atomic)
            } catch {
                StandardError.write("rtpscope: cannot write \(openMetricsPath): \(SystemErrorText.reason(error, writing: openMetricsPath))")
                throw ExitCode(1)
            }
        }
        if let reportDirectory {
            do {
                try HTMLReport.write(HTMLReport.render(report, plots: plots), toDirectory: URL(fileURLWithPath: reportDirectory))
            } catch {
                StandardError.write("rtpscope: cannot write report to \(reportDirectory): \(SystemErrorText.reason(error, writing: reportDirectory))")
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

/// The width a table on standard output should fit: `COLUMNS` when set (as `ls` and `ps` honour it),
/// else the terminal's width; nil when standard output is not a terminal (a file or a pipe gets
/// every column, so scripts see the same table whatever window they ran in).
enum TerminalWidth {
    static func ofStandardOutput() -> Int? {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 {
            return columns
        }
        guard isatty(STDOUT_FILENO) != 0 else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}

/// A progress line on stderr for long files, only when stderr is a terminal.
enum ProgressLine {
    nonisolated(unsafe) private static var shown = false

    static func handler(for name: String) -> ((ProgressInfo) -> Void)? {
        guard StandardError.isTerminal else { return nil }
        return { info in
            shown = true
            // A stream (standard input, a FIFO) has no size to measure progress against.
            let percent = info.totalBytes > 0 ? String(format: " %5.1f%%", info.fraction * 100) : ""
            StandardError.writeText("\r\(name): \(info.packetsRead) packets\(percent)")
        }
    }

    static func finish() {
        guard shown else { return }
        StandardError.writeText("\r\u{1B}[K")
        shown = false
    }
}
