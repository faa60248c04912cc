// The HTML report: page structure and chart geometry on a hand-made report; then end to end over
// fixtures with known truth (the generator's reference statistics, tshark's own frame times, the
// shared captures' tshark tables); every chart rendered by rsvg-convert; then the page rendered by
// headless Chromium, its screenshot decoded (failures when they are not installed: `make deps` installs them).
import Foundation
import MetricCatalog
import PcapSource
@testable import Reporting
import RTPCore
import Testing
import TestSupport

@Suite struct HTMLReportTests {
    // MARK: hand-made report

    static func stream(ssrc: UInt32, src: String, clockRate: Int?, jitterMs: Double?) -> StreamReport {
        var stream = StreamReport(
            ssrc: ssrc, src: src, dst: "10.0.0.2:5004", payloadType: 0, payloadTypes: [0], clockRate: clockRate,
            clockRateSource: clockRate == nil ? .unknown : .static, packets: 190, bytes: 32_680,
            expected: 195, lost: 5, duplicates: 0, reordered: 0, seqResets: 0, jitterMs: jitterMs,
            maxJitterMs: jitterMs, meanJitterMs: jitterMs, minDeltaMs: 19.5, meanDeltaMs: 20,
            maxDeltaMs: 60.25, startTime: 1000.2, endTime: 1003.9)
        stream.encodingNames = [0: "PCMU"]
        stream.file = "call.pcap"
        return stream
    }

    static func sample(ssrc: UInt32, src: String, at second: Int64, rate: UInt64, lost: Int64, jitterMs: Double?) -> StreamSample {
        StreamSample(capture: "call.pcap", ssrc: ssrc, src: src, dst: "10.0.0.2:5004", payloadType: 0,
                     timestamp: second, packets: 0, packetRate: rate, lost: lost, expected: 0,
                     jitterSeconds: jitterMs.map { $0 / 1000 })
    }

    static let cname = "<script>alert(\"x\")</script>&co"

    /// Stream A: PCMU with jitter and two loss events (+2 at second 2, +3 at second 4). Stream B: no
    /// clock rate, so no jitter. An RTCP reporter whose CNAME tries to inject a script. No second pass
    /// (as for a capture read from standard input): jitter per second.
    static func handMade(captureName: String = "call.pcap") -> (report: AnalysisReport, plots: [String: CapturePlots]) {
        var summary = AnalysisSummary()
        summary.packetsRead = 400
        summary.rtpPackets = 380
        summary.rtcpPackets = 2
        summary.firstPacketTime = 1000.2
        summary.files = [CaptureFileSummary(name: captureName, firstPacketTime: 1000.2, packetsRead: 400)]
        var streams = [stream(ssrc: 0x1122_3344, src: "10.0.0.1:4000", clockRate: 8000, jitterMs: 1.5),
                       stream(ssrc: 0xAABB_CCDD, src: "10.0.0.3:4002", clockRate: nil, jitterMs: nil)]
        for index in streams.indices { streams[index].file = captureName }
        let report = AnalysisReport(
            streams: streams,
            rtcp: [RTCPReporterReport(reporterSSRC: 0x0102_0304, src: "10.0.0.2:5005", dst: "10.0.0.1:4001",
                                      senderReports: 0, receiverReports: 2, packetsByType: ["RR": 2],
                                      cname: cname, reportBlocks: [])],
            summary: summary)
        let a = (ssrc: UInt32(0x1122_3344), src: "10.0.0.1:4000")
        let b = (ssrc: UInt32(0xAABB_CCDD), src: "10.0.0.3:4002")
        let samples = [
            sample(ssrc: a.ssrc, src: a.src, at: 1001, rate: 40, lost: 0, jitterMs: 0.5),
            sample(ssrc: b.ssrc, src: b.src, at: 1001, rate: 50, lost: 0, jitterMs: nil),
            sample(ssrc: a.ssrc, src: a.src, at: 1002, rate: 48, lost: 2, jitterMs: 1.0),
            sample(ssrc: b.ssrc, src: b.src, at: 1002, rate: 50, lost: 0, jitterMs: nil),
            sample(ssrc: a.ssrc, src: a.src, at: 1003, rate: 50, lost: 2, jitterMs: 2.0),
            sample(ssrc: a.ssrc, src: a.src, at: 1004, rate: 47, lost: 5, jitterMs: 1.5),
        ]
        return (report, [captureName: CapturePlots(samples: samples, trace: nil)])
    }

    @Test func pageHasTheTablesLinksAndThreeChartsPerStream() {
        let (report, plots) = Self.handMade(captureName: "dir/call.pcap")
        let html = HTMLReport.render(report, plots: plots)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<code>dir/call.pcap</code>"))
        #expect(html.contains("Summary: packets read 400, RTP 380, RTCP 2, non-RTP 0"))
        #expect(Self.count("<svg", in: html) == 6)
        #expect(Self.count("</svg>", in: html) == 6)
        #expect(Self.count("<section class=\"stream\"", in: html) == 2)
        // The terminal table's columns and cells, every column (the page scrolls, nothing hidden).
        for column in TableReport.streamColumns(report) {
            #expect(html.contains(">\(HTMLText.escape(column.header))</th>"), "missing column \(column.header)")
        }
        for column in TableReport.rtcpColumns(report) {
            #expect(html.contains(">\(HTMLText.escape(column.header))</th>"), "missing column \(column.header)")
        }
        #expect(Self.count("<div class=\"scroll\"><table", in: html) == 2)
        #expect(html.contains("<td>10.0.0.1:4000</td>"))
        #expect(html.contains("<td class=\"num\">0x11223344</td>"))
        #expect(html.contains("<td class=\"num\">5 (2.6%)</td>"))
        #expect(html.contains("<td class=\"num\">60.250</td>"))
        #expect(html.contains("<td>PCMU</td>"))
        // Each row links to its stream's section.
        #expect(html.contains("<tr><td><a href=\"#stream-1\">1</a></td>") && html.contains("id=\"stream-1\""))
        #expect(html.contains("<tr><td><a href=\"#stream-2\">2</a></td>") && html.contains("id=\"stream-2\""))
        // Self-contained: no script, no URL of any kind.
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.lowercased().contains("<script"))
    }

    @Test func captureStringsAreEscaped() {
        let (report, plots) = Self.handMade(captureName: "<b>evil</b>.pcap")
        let html = HTMLReport.render(report, plots: plots)
        #expect(html.contains("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co</td>"))
        #expect(html.contains("<code>&lt;b&gt;evil&lt;/b&gt;.pcap</code>"))
        #expect(!html.contains("<b>evil"))
        #expect(!html.lowercased().contains("<script"))
    }

    @Test func polylinesHaveOnePointPerSampleAtTheirPlotPositions() throws {
        let (report, plots) = Self.handMade()
        let charts = Self.svgs(in: HTMLReport.render(report, plots: plots))
        try #require(charts.count == 6)
        // Stream A: 4 samples in each of its charts.
        for chart in charts[0..<3] {
            let lines = Self.seriesPoints(in: chart)
            #expect(lines.count == 1)
            #expect(lines.first?.count == 4)
        }
        // The x axis is the stream's life in capture time: 0 (its first packet, the capture's first)
        // to 3.7 s, drawn over 0…4 s across the plot (70…700 px). Points sit at the end of their second
        // (0.8, 1.8, 2.8 s), the last at the stream's last packet (3.7 s). Lost 0, 2, 2, 5 on an axis
        // 0…5 from the bottom (172) to the top (28).
        #expect(Self.seriesPoints(in: charts[2]) == [["196.00,172.00", "353.50,114.40", "511.00,114.40", "652.75,28.00"]])
        #expect(charts[2].contains("<text x=\"64.0\" y=\"28.00\" text-anchor=\"end\" dominant-baseline=\"middle\">5</text>"))
        #expect(charts[2].contains("<text x=\"70.00\" y=\"188.0\" text-anchor=\"middle\">0</text>"))
        // Loss events where the count grew, at the line's points.
        #expect(Self.count("<circle class=\"marker\"", in: charts[2]) == 2)
        #expect(charts[2].contains("cx=\"353.50\" cy=\"114.40\" r=\"4\" fill=\"#d62728\"><title>+2 lost in the second ending at 2 s</title>"))
        #expect(charts[2].contains("cx=\"652.75\" cy=\"28.00\" r=\"4\" fill=\"#d62728\"><title>+3 lost in the second ending at 4 s</title>"))
        #expect(Self.count("<circle", in: charts[0] + charts[1]) == 0)
        // Axis labels name their units.
        #expect(charts[0].contains(">jitter (ms)</text>") && charts[0].contains(">capture time (s)</text>"))
        #expect(charts[1].contains(">packets per second</text>"))
        #expect(charts[2].contains(">lost (packets)</text>"))
        // Stream B has no clock rate: no jitter line (unknown is not 0), but its other charts have 2 points.
        #expect(Self.seriesPoints(in: charts[3]).isEmpty)
        #expect(charts[3].contains(">no jitter: clock rate unknown</text>"))
        #expect(Self.seriesPoints(in: charts[4]).map(\.count) == [2])
    }

    /// The sampler keeps sampling a stream that went quiet until its capture ends; the charts stop at
    /// the stream's last packet instead of drawing it flat to the end of the capture.
    @Test func chartsStopWhereTheStreamEnds() throws {
        var (report, plots) = Self.handMade()
        report.streams[0].endTime = 1001.5   // A stops in the second ending at 1002
        report.streams.removeLast()
        let charts = Self.svgs(in: HTMLReport.render(report, plots: plots))
        try #require(charts.count == 3)
        // Samples 1001 and 1002 only (1003 and 1004 describe silence); the last point at the stream's
        // last packet, 1.3 s, on an axis 0…1.5 s.
        #expect(charts.map { Self.seriesPoints(in: $0).map(\.count) } == [[2], [2], [2]])
        #expect(Self.seriesPoints(in: charts[1]).first?.last?.hasPrefix("616.00,") == true)
        plots["call.pcap"]?.samples.removeAll()
        #expect(Self.svgs(in: HTMLReport.render(report, plots: plots)).allSatisfy { Self.seriesPoints(in: $0).isEmpty })
    }

    /// Thousands of streams: the table lists them all, charts go to the busiest 200 (the page stays
    /// one a browser opens: ~60 KB of SVG per charted stream).
    @Test func chartsAreBoundedToTheBusiestStreams() {
        var (report, plots) = Self.handMade()
        let template = report.streams[0]
        report.streams = (0..<250).map { index in
            var stream = template
            stream.ssrc = UInt32(index)
            stream.packets = UInt64(index % 50 == 0 ? 10_000 + index : index)
            return stream
        }
        let html = HTMLReport.render(report, plots: plots)
        #expect(Self.count("<section class=\"stream\"", in: html) == HTMLReport.maxChartedStreams)
        #expect(html.contains("Charts for the 200 streams with the most packets; the other 50 are in the table only."))
        #expect(Self.count("<tr><td><a href=\"#stream-", in: html) == 200)
        #expect(html.contains("<tr><td>2</td>"))          // 1 packet: table only
        #expect(html.contains("id=\"stream-51\""))        // 10,050 packets: charted
        #expect(html.contains("id=\"stream-250\"") && !html.contains("id=\"stream-2\""))
        #expect(HTMLReport.chartedStreams(report.streams).map(\.ssrc).prefix(3) == [0, 50, 52])
    }

    @Test func missingValuesBreakTheLine() {
        let chart = SVGTimeline(title: "t", xLabel: "x", yLabel: "y",
                                points: [.init(x: 0, y: 1), .init(x: 1, y: 2), .init(x: 2, y: nil), .init(x: 3, y: 1)])
        #expect(Self.seriesPoints(in: chart.render()).map(\.count) == [2, 1])
    }

    @Test func axisTicksAreRound() {
        let jitter = AxisScale(covering: [0, 0.93])
        #expect(jitter.step == 0.2)
        #expect(jitter.ticks.map(jitter.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let rate = AxisScale(covering: [0, 47, 50])
        #expect(rate.step == 10 && rate.lower == 0 && rate.upper == 50)
        let flat = AxisScale(covering: [0, 0])
        #expect(flat.lower == 0 && flat.upper == 1)
    }

    // MARK: end to end

    static let fixtures = OpenMetricsBackfillTests.packageRoot.appendingPathComponent("fixtures/synthetic")

    /// `path` analysed as `rtpscope analyze --report` does: the analysis, then the second pass.
    static func analyse(_ paths: [String], configuration: AnalyzerConfiguration = AnalyzerConfiguration())
        throws -> (report: AnalysisReport, plots: [String: CapturePlots]) {
        var reports: [AnalysisReport] = []
        var plots: [String: CapturePlots] = [:]
        for path in paths {
            let capture = try CaptureFile(path: path)
            let analysis = CaptureAnalysis.run(capture, configuration: configuration, sampleLabel: capture.name)
            #expect(analysis.stoppedBy == nil)
            let trace = CaptureAnalysis.trace(of: capture, streams: analysis.report.streams, columns: HTMLReport.plotColumns,
                                              tcpPorts: configuration.tcpPorts)
            plots[capture.name] = CapturePlots(samples: analysis.samples, trace: trace)
            reports.append(analysis.report)
        }
        return (AnalysisReport.merging(reports), plots)
    }

    static func expected(_ fixture: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(fixture).expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func fixtureReportIsWrittenAndEveryChartRenders() async throws {
        let path = Self.fixtures.appendingPathComponent("loss_pcmu.pcap").path
        let (report, plots) = try Self.analyse([path])
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-html-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        // The directory does not exist yet: the writer creates it (and its parent).
        let file = try HTMLReport.write(HTMLReport.render(report, plots: plots), toDirectory: work.appendingPathComponent("report"))
        #expect(file.lastPathComponent == "index.html")
        let html = try String(contentsOf: file, encoding: .utf8)

        // Per packet: delta and jitter; per second: rate, loss and (PCMU: G.711) MOS over 10 s windows.
        let charts = Self.svgs(in: html)
        try #require(charts.count == 5)
        #expect(charts[4].contains(">MOS over the last 10 s (ITU-T G.107, network loss)</text>"))
        #expect(!Self.seriesPoints(in: charts[4]).flatMap { $0 }.isEmpty)
        #expect(charts[0].contains(">Delta: time since the previous packet</text>"))
        #expect(charts[1].contains(">Jitter per packet (RFC 3550)</text>"))
        // 292 packets over 5.98 s fill most of the 630 pixel columns of the per-packet charts.
        for chart in charts[0...1] {
            let points = Self.seriesPoints(in: chart).flatMap { $0 }
            #expect(points.count > 250 && points.count <= 292, "\(points.count) slots drawn")
        }
        // Six seconds of capture, one point each; the fixture's cumulative lost goes 1, 4, 5, 5, 6, 8:
        // five seconds with new losses.
        #expect(charts[2...3].map { Self.seriesPoints(in: $0).map(\.count) } == [[6], [6]])
        let markers = Self.titles(in: charts[3], after: "<circle class=\"marker\"")
        #expect(markers == ["+1 lost in the second ending at 1 s", "+3 lost in the second ending at 2 s",
                            "+1 lost in the second ending at 3 s", "+1 lost in the second ending at 5 s",
                            "+2 lost in the second ending at 6 s"])
        #expect(html.contains("<td class=\"num\">292</td>") && html.contains("<td class=\"num\">8 (2.7%)</td>"))
        #expect(!html.contains("http://") && !html.contains("https://"))

        let rsvg = try #require(OpenMetricsBackfillTests.executable("rsvg-convert"),
                                "rsvg-convert not installed (`make deps`: Debian librsvg2-bin): the charts cannot be rendered")
        // What a blank chart-sized image weighs, to tell a drawing from an empty canvas.
        let blank = try await Self.renderPNG(
            "<svg width=\"720\" height=\"220\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/></svg>",
            named: "blank", in: work, with: rsvg)
        for (index, chart) in charts.enumerated() {
            let png = try await Self.renderPNG(chart, named: "chart\(index)", in: work, with: rsvg)
            let image = try PNGImage(png)
            #expect(image.width == 720 && image.height == 220)
            // Axes, labels and the line compress far worse than a white canvas.
            #expect(png.count > blank.count * 5, "chart \(index): \(png.count) bytes vs blank \(blank.count)")
            // The series is drawn inside the plot area (70…700 × 28…172).
            #expect(image.count(near: SVGTimeline.lineColor, rows: 28..<173, columns: 70..<701) > 100, "chart \(index)")
        }
    }

    /// Per-packet jitter and delta against truth from outside: the generator's literal RFC 3550
    /// reference (final and largest J) and tshark's own frame times (every delta).
    @Test func perPacketSeriesAgreeWithTheReferenceAndTshark() async throws {
        let path = Self.fixtures.appendingPathComponent("jitter_pcmu.pcap").path
        let (report, plots) = try Self.analyse([path])
        let stream = try #require(report.streams.first)
        let series = try #require(plots[path]?.trace?.series(for: stream))
        let truth = try #require((try Self.expected("jitter_pcmu"))["streams"] as? [[String: Any]]).first
        let jitter = series.jitterMs.compactMap { $0 }
        let maxJitter = try #require(truth?["max_jitter_ms"] as? Double)
        let finalJitter = try #require(truth?["jitter_ms"] as? Double)
        #expect(abs((jitter.map(\.high).max() ?? 0) - maxJitter) < 1e-6)
        #expect(abs((jitter.last?.last ?? 0) - finalJitter) < 1e-6)

        let tshark = try #require(OpenMetricsBackfillTests.executable("tshark"), "tshark not installed (make deps installs it)")
        let times = try await Self.run(tshark, ["-r", path, "-T", "fields", "-e", "frame.time_epoch"])
            .split(separator: "\n").compactMap { Double($0) }
        try #require(times.count == Int(stream.packets))
        let deltas = zip(times, times.dropFirst()).map { ($1 - $0) * 1000 }
        let slots = series.deltaMs.compactMap { $0 }
        #expect(slots.map(\.count).reduce(0, +) == deltas.count)
        #expect(abs((slots.map(\.high).max() ?? 0) - (deltas.max() ?? 0)) < 1e-3)
        #expect(abs((slots.map(\.low).min() ?? 0) - (deltas.min() ?? 0)) < 1e-3)
        #expect(abs((slots.last?.last ?? 0) - (deltas.last ?? 0)) < 1e-3)
    }

    /// RTCP-reported values: the fixture's receiver reports (RTT 46.875 ms by construction) are listed
    /// under the stream they are about, at their arrival times, and marked on its charts.
    @Test func rtcpReportsAreListedAndMarked() throws {
        let path = Self.fixtures.appendingPathComponent("rtcp_rtt.pcap").path
        let (report, plots) = try Self.analyse([path])
        let truth = try Self.expected("rtcp_rtt")
        let impairments = try #require(truth["impairments"] as? [String: Any])
        let rtt = try #require(impairments["rtt_ms"] as? Double)
        let srTimes = try #require(impairments["sr_times_s"] as? [Double])
        let stream = try #require(report.streams.first { $0.ssrc == 2_694_881_440 })
        let reports = try #require(plots[path]?.trace?.series(for: stream)?.reports)
        #expect(reports.count == srTimes.count)
        let base = try #require(report.summary.firstPacketTime)
        for (report, srTime) in zip(reports, srTimes) {
            #expect(report.reporterSSRC == 2_964_369_584)
            #expect(report.roundTripMs.map { abs($0 - rtt) < 1e-6 } == true, "\(String(describing: report.roundTripMs))")
            #expect(report.jitterMs == 0 && report.cumulativeLost == 0 && report.fractionLost == 0)
            // RR arrival: SR time + RTT + DLSR (0.5 s) at the capture point.
            #expect(abs(report.time - base - (srTime + 0.546875)) < 1e-6, "\(report.time - base)")
        }
        let html = HTMLReport.render(report, plots: plots)
        #expect(html.contains("<h3>RTCP reports about this stream (4)</h3>"))
        #expect(Self.count("<td class=\"num\">46.875</td>", in: html) >= 4)
        let charts = Self.svgs(in: html)
        #expect(Self.count("fill=\"\(SVGTimeline.reportColor)\"><title>RTCP 0xb0b0b0b0 reported jitter 0.000 ms", in: charts[1]) == 4)
        #expect(Self.count("<circle class=\"marker\"", in: charts[1]) == 4)
        #expect(charts[1].contains(">RTCP reported</text>"))
        #expect(Self.count("<circle class=\"marker\"", in: charts[3]) == 4)
    }

    /// A shared capture's stream: its charts span exactly tshark's Start and End (relative to the
    /// capture's first packet), not a time base rounded to whole seconds.
    @Test func chartsUseTheCapturesTimeBase() throws {
        guard let directory = Self.sharedCaptures else { return }
        let path = directory + "/sippy__rtpproxy__lost.a.rtp.pcap"
        let (report, plots) = try Self.analyse([path])
        let stream = try #require(report.streams.first)
        // tshark: Start 0.000000, End 5.640838.
        let timelines = StreamTimelines(stream: stream, samples: plots[path]?.samples ?? [],
                                        trace: plots[path]?.trace?.series(for: stream),
                                        timeBase: TableReport.timeBase(of: stream, in: report))
        #expect(abs(timelines.xRange.low) < 1e-6 && abs(timelines.xRange.high - 5.640838) < 1e-6, "\(timelines.xRange)")
        for chart in timelines.charts {
            let svg = chart.render()
            #expect(svg.contains("<text x=\"70.00\" y=\"188.0\" text-anchor=\"middle\">0</text>"), "x axis starts at 0")
            for point in Self.seriesPoints(in: svg).flatMap({ $0 }) {
                let x = Double(point.split(separator: ",")[0]) ?? -1
                #expect(x >= 70 && x <= 700, "\(point) outside the plot")
            }
        }
    }

    /// The page as a browser draws it: headless Chromium renders the report of two fixtures (loss
    /// events, RTCP reports) and the screenshot is decoded and looked at pixel by pixel.
    @Test func chromiumRendersThePage() async throws {
        let chromium = try #require(OpenMetricsBackfillTests.executable("chromium"),
                                    "chromium not installed (make deps installs it)")
        let paths = ["loss_pcmu.pcap", "rtcp_rtt.pcap"].map { Self.fixtures.appendingPathComponent($0).path }
        let (report, plots) = try Self.analyse(paths)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-shot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let page = try HTMLReport.write(HTMLReport.render(report, plots: plots), toDirectory: work)
        let shot = work.appendingPathComponent("page.png")
        let (width, height) = (1280, 3400)
        let output = try await Self.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--user-data-dir=\(work.appendingPathComponent("profile").path)", "--window-size=\(width),\(height)",
            "--screenshot=\(shot.path)", page.absoluteString,
        ], seconds: 120)
        let image = try PNGImage(try Data(contentsOf: shot))
        #expect(image.width == width && image.height == height, "\(output)")
        if let keep = ProcessInfo.processInfo.environment["RTPSCOPE_KEEP_SCREENSHOT"] {
            try? FileManager.default.copyItem(at: shot, to: URL(fileURLWithPath: keep))
        }
        // Eight plot areas (two streams × delta, jitter, rate, loss) and one MOS chart per stream the
        // E-model rates, found by their grey y axes; a series drawn in each, the first one across the
        // plot's width (its x axis is the stream's life).
        let areas = Self.plotAreas(image)
        let rated = report.streams.filter { $0.quality?.mos != nil }.count
        #expect(rated >= 1)
        #expect(areas.count == 8 + rated, "plot areas at \(areas)")
        for (index, plot) in areas.enumerated() {
            let area = (rows: plot.top - 3..<plot.bottom + 3, columns: plot.left + 2..<min(plot.left + 632, image.width))
            let series = (area.columns).filter { x in area.rows.contains { y in Self.isSeries(image.rgb(x, y)) } }
            #expect(!series.isEmpty, "plot \(index) at \(plot) has no series pixels")
            if index == 0 {
                let span = (series.max() ?? 0) - (series.min() ?? 0)
                #expect(span > 560 && span <= 632, "series spans \(span) px of the 630 px plot")
            }
        }
        // The loss events (red dots, r = 4 px: ~40 px each) and the RTCP reports (orange).
        let red = image.count(near: SVGTimeline.markerColor, tolerance: 30)
        let orange = image.count(near: SVGTimeline.reportColor, tolerance: 30)
        #expect(red > 5 * 30, "red \(red): five loss markers")
        #expect(orange > 8 * 30, "orange \(orange): four RTCP reports on two charts")
        // Nothing of the page is cut off at the right: the table scrolls inside its box.
        let rightEdge = image.count(near: "#000000", tolerance: 120, rows: 0..<image.height, columns: width - 8..<width)
        #expect(rightEdge == 0, "\(rightEdge) dark pixels at the right edge")
    }

    // MARK: helpers

    static var sharedCaptures: String? {
        if let path = SharedCaptures.locate() { return path }
        if SharedCaptures.isRequired { Issue.record("shared captures not found at \(SharedCaptures.searchedPath)") }
        return nil
    }

    /// Runs a tool to completion (bounded), returning its standard output; throws on failure.
    static func run(_ executable: String, _ arguments: [String], seconds: Double = 60) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-run-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        // Polled with Task.sleep, not usleep: a blocked thread of the cooperative pool (two on this
        // machine) would stall every async test running beside this one.
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            throw PNGImage.Failure(description: "\(executable) did not finish within \(seconds) s")
        }
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            throw PNGImage.Failure(description: "\(executable) exited with \(process.terminationStatus): \(text)")
        }
        return text
    }

    /// A pixel of a chart's series: the line colour (#1f6fb4), also where anti-aliasing blends it with
    /// the white background or a grey axis it runs along (a series of zeros) — green clearly above
    /// red, as no link's blue (#0000ee, however blended with white) has.
    static func isSeries(_ p: (r: Int, g: Int, b: Int)) -> Bool {
        p.g > p.r + 25 && p.b > p.g + 15
    }

    /// The charts' plot areas, top to bottom: each chart's y axis is a vertical grey line (#555555,
    /// anti-aliased over two pixel columns) as tall as the plot (144 px); nothing else on the page
    /// draws a grey line that long.
    static func plotAreas(_ image: PNGImage) -> [(left: Int, top: Int, bottom: Int)] {
        func isAxis(_ p: (r: Int, g: Int, b: Int)) -> Bool {
            abs(p.r - p.g) < 12 && abs(p.g - p.b) < 12 && p.r < 200
        }
        var found: [(left: Int, top: Int, bottom: Int)] = []
        for x in 0..<image.width {
            var runStart: Int?
            for y in 0...image.height {
                if y < image.height && isAxis(image.rgb(x, y)) {
                    if runStart == nil { runStart = y }
                } else if let start = runStart {
                    // One axis covers two columns: keep the first column of each.
                    if y - start >= 130, !found.contains(where: { abs($0.top - start) < 4 && abs($0.left - x) < 3 }) {
                        found.append((x, start, y - 1))
                    }
                    runStart = nil
                }
            }
        }
        return found.sorted { $0.top < $1.top }
    }

    /// Renders one `<svg>` cut from the page with rsvg-convert. Outside HTML an SVG needs its namespace
    /// declared; the page leaves it out (the HTML parser supplies it, and the page carries no URL).
    static func renderPNG(_ svg: String, named name: String, in directory: URL, with rsvg: String) async throws -> Data {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let standalone = svg.replacingOccurrences(of: "<svg ", with: "<svg xmlns=\"http://www.w3.org/2000/svg\" ")
        let input = directory.appendingPathComponent("\(name).svg")
        let output = directory.appendingPathComponent("\(name).png")
        try Data(standalone.utf8).write(to: input)
        _ = try await run(rsvg, ["--background-color", "white", "-o", output.path, input.path])
        return try Data(contentsOf: output)
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Each `<svg>…</svg>` element of the page.
    static func svgs(in html: String) -> [String] {
        html.components(separatedBy: "<svg").dropFirst().map { "<svg" + $0.components(separatedBy: "</svg>")[0] + "</svg>" }
    }

    /// The points of each data line (not the axes) of a chart.
    static func seriesPoints(in svg: String) -> [[String]] {
        svg.components(separatedBy: "<polyline class=\"series\" points=\"").dropFirst().map {
            $0.components(separatedBy: "\"")[0].split(separator: " ").map(String.init)
        }
    }

    /// The `<title>` texts of the elements starting with `prefix`.
    static func titles(in svg: String, after prefix: String) -> [String] {
        svg.components(separatedBy: prefix).dropFirst().map {
            $0.components(separatedBy: "<title>")[1].components(separatedBy: "</title>")[0]
        }
    }
}
