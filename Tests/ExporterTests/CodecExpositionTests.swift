@testable import Exporter
import Foundation
import MetricCatalog
import RTPCore
import Testing

/// The codec families: kernel log2 buckets written as a Prometheus histogram, stalls by cause and
/// the correlation gauge on outgoing streams.
@Suite struct CodecExpositionTests {
    static func snapshot() -> ExporterSnapshot {
        var buckets = [UInt64](repeating: 0, count: 36)
        buckets[3] = 1      // 8–16 ns: folded into the first bound (≤ 1.024 µs)
        buckets[12] = 4     // 4.096–8.192 µs
        buckets[27] = 2     // 134–268 ms
        buckets[35] = 1     // ≥ 34 s: only in +Inf
        let encode = ExportedCodecSeries(
            pid: 77, comm: "ffmpeg", function: "avcodec_send_frame", library: "libavcodec.so.59", calls: 9,
            errors: 1, packetBytes: nil,
            duration: ExportedCodecSeries.histogram(log2NanosecondBuckets: buckets, sumNanoseconds: 35_000_000_000),
            untimedCalls: 2)
        let unref = ExportedCodecSeries(
            pid: 77, comm: "ffmpeg", function: "av_packet_unref", library: "libavcodec.so.59", calls: 40,
            errors: 0, packetBytes: nil, duration: nil)
        let write = ExportedCodecSeries(
            pid: 77, comm: "ffmpeg", function: "av_interleaved_write_frame", library: "libavformat.so.59", calls: 3,
            errors: 0, packetBytes: 4500, duration: ExportedCodecSeries.histogram(
                log2NanosecondBuckets: [UInt64](repeating: 0, count: 14) + [3] + [UInt64](repeating: 0, count: 21),
                sumNanoseconds: 60_000))
        var video = Fixtures.videoStream
        video.report.sendStalls = SendStallCounts(codec: 5, other: 2, pending: 1)
        video.report.codecCorrelation = ["avcodec_send_frame": 0.93]
        return ExporterSnapshot(streams: [Fixtures.audioStream, video], rtcp: [], health: MonitorHealth(),
                                report: AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary()),
                                codec: [encode, unref, write])
    }

    static func render() -> String {
        MetricsRenderer(processMetrics: ProcessMetrics(buildInfo: BuildInfo(version: "0"))).render(snapshot())
    }

    @Test func histogramFromKernelBuckets() {
        let text = Self.render()
        let labels = #"pid="77",comm="ffmpeg",function="avcodec_send_frame",library="libavcodec.so.59""#
        #expect(text.contains("rtpscope_codec_call_duration_seconds_bucket{\(labels),le=\"1.024e-06\"} 1\n"))
        #expect(text.contains("rtpscope_codec_call_duration_seconds_bucket{\(labels),le=\"8.192e-06\"} 5\n"))
        #expect(text.contains("rtpscope_codec_call_duration_seconds_bucket{\(labels),le=\"0.268435456\"} 7\n"))
        #expect(text.contains("rtpscope_codec_call_duration_seconds_bucket{\(labels),le=\"34.359738368\"} 7\n"))
        #expect(text.contains("rtpscope_codec_call_duration_seconds_bucket{\(labels),le=\"+Inf\"} 8\n"))
        #expect(text.contains("rtpscope_codec_call_duration_seconds_sum{\(labels)} 35\n"))
        #expect(text.contains("rtpscope_codec_calls_total{\(labels)} 9\n"))
        #expect(text.contains("rtpscope_codec_errors_total{\(labels)} 1\n"))
        // Count-only functions: counters, no histogram; packet bytes only where there is a packet.
        #expect(text.contains(#"rtpscope_codec_calls_total{pid="77",comm="ffmpeg",function="av_packet_unref",library="libavcodec.so.59"} 40"#))
        #expect(!text.contains(#"rtpscope_codec_call_duration_seconds_count{pid="77",comm="ffmpeg",function="av_packet_unref""#))
        #expect(text.contains(#"rtpscope_codec_packet_bytes_total{pid="77",comm="ffmpeg",function="av_interleaved_write_frame",library="libavformat.so.59"} 4500"#))
        #expect(!text.contains(#"rtpscope_codec_packet_bytes_total{pid="77",comm="ffmpeg",function="avcodec_send_frame""#))
    }

    @Test func stallsAndCorrelationOnOutgoingStreams() {
        let text = Self.render()
        let stream = #"ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface="""#
        #expect(text.contains("rtpscope_rtp_send_stalls_total{\(stream),cause=\"codec\"} 5\n"))
        #expect(text.contains("rtpscope_rtp_send_stalls_total{\(stream),cause=\"other\"} 2\n"))
        #expect(!text.contains(#"rtpscope_rtp_send_stalls_total{ssrc="0x1234abcd""#), "received streams have no stalls")
        #expect(text.contains(#"rtpscope_codec_network_correlation{pid="77",comm="ffmpeg",function="avcodec_send_frame",ssrc="0xdeadbeef"} 0.93"#))
    }

    @Test func promtoolAcceptsIt() throws {
        let result = try PromtoolCheck.run(Self.render())
        #expect(result.exitCode == 0, "\(result.output)")
        #expect(result.output == "")
    }

    /// Every codec probe counter the manager reads reaches /metrics and /health: none is dropped
    /// on the way (they share one definition, `CodecProbeHealth`).
    @Test func everyCodecProbeCounterIsExported() throws {
        var snapshot = Self.snapshot()
        var codec = CodecProbeHealth()
        codec.attachedProcesses = 2
        codec.attachedProbes = 14
        let counters: [(WritableKeyPath<CodecProbeHealth, UInt64>, UInt64)] = [
            (\.callRecordDrops, 3), (\.nestingExceeded, 5), (\.stackMismatches, 7), (\.statisticsTableFull, 11),
            (\.attachFailures, 13),
        ]
        for (counter, value) in counters { codec[keyPath: counter] = value }
        snapshot.health.codecProbes = codec
        snapshot.health.malformedRecords = 17
        let text = MetricsRenderer(processMetrics: ProcessMetrics(buildInfo: BuildInfo(version: "0"))).render(snapshot)
        for line in [
            "rtpscope_codec_probed_processes 2", "rtpscope_codec_probes 14",
            "rtpscope_codec_call_records_dropped_total 3", "rtpscope_codec_nesting_exceeded_total 5",
            "rtpscope_codec_stack_mismatches_total 7", "rtpscope_codec_statistics_table_full_total 11",
            "rtpscope_codec_probe_attach_failures_total 13", "rtpscope_malformed_records_total 17",
            #"rtpscope_codec_untimed_calls_total{pid="77",comm="ffmpeg",function="avcodec_send_frame",library="libavcodec.so.59"} 2"#,
        ] {
            #expect(text.contains("\n\(line)\n"), "missing: \(line)")
        }
        // Count-only functions have no duration, so no untimed calls either.
        #expect(!text.contains(#"rtpscope_codec_untimed_calls_total{pid="77",comm="ffmpeg",function="av_packet_unref""#))

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(String(data: encoder.encode(HealthDocument(snapshot)), encoding: .utf8))
        #expect(json.contains(#""codec_probes":{"attach_failures":13,"attached_probes":14,"attached_processes":2,"call_records_dropped":3,"nesting_exceeded":5,"stack_mismatches":7,"statistics_table_full":11}"#))
        #expect(json.contains(#""malformed_records":17"#))
    }
}
