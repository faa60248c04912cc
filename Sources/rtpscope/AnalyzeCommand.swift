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

    @OptionGroup var clockRateOptions: ClockRateOptions

    @Option(name: .customLong("openmetrics"), help: ArgumentHelp("Also write per-second per-stream series (OpenMetrics, for promtool tsdb create-blocks-from openmetrics) to FILE, with the live exporter's names and labels plus capture. Prometheus deletes blocks older than its retention (--storage.tsdb.retention.time, 15d by default): an older capture's series vanish unless retention covers them.", valueName: "FILE"))
    var openMetricsPath: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write a self-contained HTML report (stream table, per-stream jitter, packet rate and loss timelines) to DIR/index.html.", valueName: "DIR"))
    var reportDirectory: String?

    func run() throws {
        var configuration = AnalyzerConfiguration()
        configuration.mode = mode
        configuration.forcedUDPPorts = Set(udpPorts)
        configuration.tcpPorts = Set(tcpPorts)
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
        print(format.render(report), terminator: "")
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
