import MetricCatalog
import RTPCore
import Testing
@testable import Exporter

@Suite struct ExpositionTests {
    @Test func fullSnapshotRendersExactly() {
        let text = Fixtures.renderer().render(Fixtures.snapshot())
        #expect(text == ExpectedExposition.snapshotFamilies + ExpectedExposition.processFamilies)
    }

    @Test func orderDoesNotDependOnInputOrder() {
        let renderer = Fixtures.renderer()
        var reversed = Fixtures.reporter
        reversed.report.reportBlocks.reverse()
        var health = Fixtures.health
        health.programStats.reverse()
        let shuffled = Fixtures.snapshot(streams: [Fixtures.videoStream, Fixtures.audioStream], rtcp: [reversed],
                                         health: health)
        #expect(renderer.render(shuffled) == renderer.render(Fixtures.snapshot()))
    }

    @Test func unknownClockNeverExportsJitter() {
        // Even if the engine left a jitter value behind, without a clock rate it is meaningless.
        var stream = Fixtures.videoStream
        stream.report.jitterMs = 5
        stream.report.maxJitterMs = 9
        let text = Fixtures.renderer().render(Fixtures.snapshot(streams: [stream], rtcp: []))
        #expect(!text.contains("rtpscope_rtp_jitter_seconds"))
        #expect(!text.contains("rtpscope_rtp_max_jitter_seconds"))
        #expect(!text.contains("rtpscope_rtp_clock_rate_hertz"))
        #expect(text.contains("rtpscope_rtp_packets_total{ssrc=\"0xdeadbeef\""))
    }

    @Test func labelValuesAreEscaped() {
        var stream = Fixtures.audioStream
        stream.report.comm = "a\"b\\c\nd"
        let text = Fixtures.renderer().render(Fixtures.snapshot(streams: [stream], rtcp: []))
        let expectedLine = #"rtpscope_rtp_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="a\"b\\c\nd",payload_type="0",container="",pod="",namespace="",interface=""} 1000"#
        #expect(text.split(separator: "\n").contains { $0 == expectedLine })
    }

    @Test func helpTextEscapesBackslashAndNewlineOnly() {
        #expect(LabelText.escapeHelp("a\\b\nc\"d", for: .text) == #"a\\b\nc"d"#)
        // OpenMetrics' HELP is an escaped-string: the double quote is escaped too.
        #expect(LabelText.escapeHelp("a\\b\nc\"d", for: .openMetrics) == #"a\\b\nc\"d"#)
    }

    @Test(arguments: [
        (1.0, "1"), (0.0, "0"), (-3.0, "-3"), (0.00025, "0.00025"), (1e-07, "1e-07"), (19.5, "19.5"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
        (1_152_921_504_606_846_976.0, "1.152921504606847e+18"),
    ])
    func numbersUsePrometheusSpelling(value: Double, text: String) {
        #expect(LabelText.number(value) == text)
    }

    @Test(arguments: [(UInt32(0), "0x00000000"), (0xCAFE, "0x0000cafe"), (0xFFFF_FFFF, "0xffffffff")])
    func ssrcIsZeroPaddedLowercaseHex(ssrc: UInt32, text: String) {
        #expect(SSRCText.hex(ssrc) == text)
    }

    @Test func histogramBucketsAreSortedCumulativeAndEndAtCount() {
        // Unsorted, a duplicated bound, a non-finite bound, and a total smaller than the buckets.
        let histogram = ExportedHistogram(upperBounds: [0.5, 0.1, 0.5, .infinity], bucketCounts: [3, 2, 1, 7],
                                          sum: 1.25, count: 4)
        let buckets = CumulativeBuckets(histogram)
        #expect(buckets.finite == [.init(upperBound: 0.1, count: 2), .init(upperBound: 0.5, count: 6)])
        #expect(buckets.total == 6)
    }

    @Test func histogramSeriesFollowTheTextFormatRules() {
        let stream = ExportedStream(
            report: Fixtures.audioStream.report, local: "l", remote: "r",
            intervalHistogram: ExportedHistogram(upperBounds: [1, 0.25], bucketCounts: [5, 4], sum: 2.5, count: 10))
        let text = Fixtures.renderer().render(Fixtures.snapshot(streams: [stream], rtcp: []))
        let labels = #"ssrc="0x1234abcd",direction="received",local="l",remote="r",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface="""#
        let expected = """
        # HELP rtpscope_rtp_packet_interval_seconds Time between consecutive packets of the stream (seconds).
        # TYPE rtpscope_rtp_packet_interval_seconds histogram
        rtpscope_rtp_packet_interval_seconds_bucket{\(labels),le="0.25"} 4
        rtpscope_rtp_packet_interval_seconds_bucket{\(labels),le="1"} 9
        rtpscope_rtp_packet_interval_seconds_bucket{\(labels),le="+Inf"} 10
        rtpscope_rtp_packet_interval_seconds_sum{\(labels)} 2.5
        rtpscope_rtp_packet_interval_seconds_count{\(labels)} 10

        """
        #expect(text.contains(expected))
    }

    @Test func evictedStreamSeriesDisappear() {
        let renderer = Fixtures.renderer()
        let before = renderer.render(Fixtures.snapshot())
        let after = renderer.render(Fixtures.snapshot(streams: [Fixtures.audioStream]))
        #expect(before.contains("ssrc=\"0xdeadbeef\",direction=\"sent\""))
        #expect(!after.contains("ssrc=\"0xdeadbeef\",direction=\"sent\""))
        #expect(after.contains("rtpscope_streams 1\n"))
    }

    @Test func duplicateLabelSetsYieldOneSeries() {
        let text = Fixtures.renderer().render(Fixtures.snapshot(streams: [Fixtures.audioStream, Fixtures.audioStream], rtcp: []))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("rtpscope_rtp_packets_total{") }.count == 1)
    }

    @Test func emptySnapshotKeepsSelfMetricsAndOmitsEmptyFamilies() {
        let empty = ExporterSnapshot(streams: [], rtcp: [], health: MonitorHealth(),
                                     report: AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary()))
        let expected = """
        # HELP rtpscope_ringbuf_dropped_events_total Events lost because the ring buffer was full, summed over CPUs (events).
        # TYPE rtpscope_ringbuf_dropped_events_total counter
        rtpscope_ringbuf_dropped_events_total 0
        # HELP rtpscope_streams RTP streams currently tracked, whether or not --stream-metrics exports their series (streams).
        # TYPE rtpscope_streams gauge
        rtpscope_streams 0
        # HELP rtpscope_streams_exported Streams whose per-stream series this scrape contains, as --stream-metrics selects them; rtpscope_streams minus this were left out (streams).
        # TYPE rtpscope_streams_exported gauge
        rtpscope_streams_exported 0
        # HELP rtpscope_streams_evicted_total Streams dropped by the idle timeout or the stream cap (streams).
        # TYPE rtpscope_streams_evicted_total counter
        rtpscope_streams_evicted_total 0
        # HELP rtpscope_malformed_records_total Kernel ring-buffer records that failed validation in user space and were skipped; never expected (records).
        # TYPE rtpscope_malformed_records_total counter
        rtpscope_malformed_records_total 0

        """
        #expect(Fixtures.renderer().render(empty) == expected + ExpectedExposition.processFamilies)
    }

    @Test func unreportedDatagramsAreExportedByReason() {
        var health = MonitorHealth()
        health.unreportedDatagrams = ["message_bound": 7, "iovec_bound": 0]
        let empty = ExporterSnapshot(streams: [], rtcp: [], health: health,
                                     report: AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary()))
        let lines = Fixtures.renderer().render(empty).split(separator: "\n").map(String.init)
        #expect(lines.contains("# TYPE rtpscope_unreported_datagrams_total counter"))
        #expect(lines.contains(#"rtpscope_unreported_datagrams_total{reason="iovec_bound"} 0"#))
        #expect(lines.contains(#"rtpscope_unreported_datagrams_total{reason="message_bound"} 7"#))
    }

    @Test func registryFamiliesAreSortedByName() {
        let exposition = """
        # HELP b_total B.
        # TYPE b_total counter
        b_total 1
        # TYPE a gauge
        a{x="1"} 2
        a{x="2"} 3

        """
        #expect(FamilyBlocks.sortedByName(exposition) == """
        # TYPE a gauge
        a{x="1"} 2
        a{x="2"} 3
        # HELP b_total B.
        # TYPE b_total counter
        b_total 1

        """)
    }

    @Test(arguments: ["full", "escaped", "empty"])
    func promtoolAcceptsTheExposition(variant: String) throws {
        var escaped = Fixtures.audioStream
        escaped.report.comm = "a\"b\\c\nd"
        let snapshot: ExporterSnapshot = switch variant {
        case "escaped": Fixtures.snapshot(streams: [escaped])
        case "empty": Fixtures.snapshot(streams: [], rtcp: [], health: MonitorHealth())
        default: Fixtures.snapshot()
        }
        let result = try PromtoolCheck.run(Fixtures.renderer().render(snapshot))
        #expect(result.exitCode == 0, "promtool check metrics: \(result.output)")
        #expect(result.output == "")
    }

    /// The check above proves something only if promtool really objects to a bad exposition.
    @Test func promtoolRejectsABrokenExposition() throws {
        let broken = "# TYPE rtpscope_x counter\nrtpscope_x 1\nrtpscope_x 2\n"  // no _total, a duplicate series
        let result = try PromtoolCheck.run(broken)
        #expect(result.exitCode != 0 || !result.output.isEmpty, "promtool accepted: \(broken)")
    }
}
