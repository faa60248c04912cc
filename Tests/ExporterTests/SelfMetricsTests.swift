import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RTPCore
import Testing
@testable import Exporter

/// The exporter's own series: why datagrams were not counted, and the standard process metrics
/// (compared with what the kernel reports through other interfaces: getrusage, getrlimit, ps).
@Suite struct SelfMetricsTests {
    @Test func everyDiscardReasonOfASummaryIsALabel() {
        var summary = AnalysisSummary()
        summary.malformed = ["rtp_too_short": 3, "rtcp_bad_length": 1]
        summary.nonRTP = 5
        summary.unconfirmedRTP = 7
        summary.candidatePacketsEvicted = 2
        summary.demultiplexed = ["stun": 2, "dtls": 4]
        summary.srtcpPackets = 6
        summary.fragmentsSkipped = 8
        summary.truncatedHeaders = 9
        #expect(DiscardedDatagrams.byReason(summary) == [
            "rtp_too_short": 3, "rtcp_bad_length": 1, "not_rtp": 5, "rtp_unconfirmed": 5, "rtp_candidate_evicted": 2,
            "stun": 2, "dtls": 4, "srtcp": 6, "ip_fragment": 8, "truncated_header": 9,
        ])
    }

    @Test func discardsOfARealAnalyzerReachMetrics() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let source = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 4000)
        let destination = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 5000)
        func feed(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes {
                analyzer.ingest(Datagram(time: 1_700_000_000_000_000_000, transport: .udp, source: source,
                                         destination: destination, payload: $0))
            }
        }
        feed(Array("hello, not RTP".utf8))                             // text: not RTP
        feed([0x80, 0x00, 0x00])                                       // version 2, cut before the header ends
        feed([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 0, count: 12))  // STUN binding
        let taken = AnalyzerExport.take(from: analyzer, mode: .default)
        let reasons = taken.discardedDatagrams
        #expect(reasons["stun"] == 1)
        #expect(reasons["rtp_too_short"] == 1)
        #expect(reasons["not_rtp"] == 1)
        #expect(reasons["rtp_unconfirmed"] == nil)  // the engine leaves zero counts out
        let snapshot = ExporterSnapshot(
            streams: [], trackedStreamCount: 0, streamMetrics: .default, aggregates: StreamAggregates(), rtcp: [],
            health: MonitorHealth(), discardedDatagrams: reasons, report: { [report = analyzer.report()] in report })
        let lines = Fixtures.renderer().render(snapshot).split(separator: "\n")
        #expect(lines.contains("# TYPE rtpscope_datagrams_discarded_total counter"))
        #expect(lines.contains(#"rtpscope_datagrams_discarded_total{reason="stun"} 1"#))
        #expect(lines.contains(#"rtpscope_datagrams_discarded_total{reason="not_rtp"} 1"#))
        #expect(lines.contains(#"rtpscope_datagrams_discarded_total{reason="rtp_too_short"} 1"#))
    }

    @Test func processStatisticsMatchTheKernelsOtherAccounts() throws {
        let statistics = try #require(ProcessStatistics.current(), "/proc/self unreadable")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // /proc counts clock ticks (10 ms); other test threads keep running between the two reads.
        #expect(abs(statistics.cpuSeconds - cpu) < 0.5, "proc \(statistics.cpuSeconds) s, getrusage \(cpu) s")

        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect(statistics.maxFileDescriptors == Double(limit.rlim_cur))
        #expect(statistics.openFileDescriptors >= 3)

        let ps = try Self.ps(["-o", "etimes=,rss=,vsz=", "-p", String(getpid())])
        let columns = ps.split(separator: " ").compactMap { Double($0) }
        try #require(columns.count == 3, "ps said: \(ps)")
        let elapsed = Date().timeIntervalSince1970 - statistics.startTimeSeconds
        #expect(abs(elapsed - columns[0]) < 2.5, "start time: \(elapsed) s ago, ps says \(columns[0]) s")
        // Memory moves while tests run in parallel: same order of magnitude is the honest check.
        #expect(Double(statistics.residentMemoryBytes) > columns[1] * 1024 / 2)
        #expect(Double(statistics.residentMemoryBytes) < columns[1] * 1024 * 2)
        #expect(abs(Double(statistics.virtualMemoryBytes) - columns[2] * 1024) < columns[2] * 1024 / 2)
    }

    @Test func theProcessFamiliesPassPromtool() throws {
        let renderer = MetricsRenderer(processMetrics: ProcessMetrics(buildInfo: BuildInfo(version: "1")))
        let text = renderer.render(Fixtures.snapshot(streams: [], rtcp: [], health: MonitorHealth()))
        for family in ["process_cpu_seconds_total", "process_open_fds", "process_max_fds", "process_virtual_memory_bytes",
                       "process_virtual_memory_max_bytes", "process_resident_memory_bytes", "process_start_time_seconds"] {
            #expect(text.contains("# TYPE \(family) "), "\(family) missing")
        }
        #expect(text.contains(#"rtpscope_build_info{version="1",revision="unknown",swiftversion="unknown"} 1"#))
        let result = try PromtoolCheck.run(text)
        #expect(result.exitCode == 0, "\(result.output)")
        #expect(result.output == "")
    }

    static func ps(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/ps")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
