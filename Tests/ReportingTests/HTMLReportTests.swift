// The HTML report: page structure and chart geometry on a hand-made report, then end to end over a
// fixture, with every chart rendered by rsvg-convert (a failure when it is not installed: `make deps` installs it).
import Foundation
import PcapSource
@testable import Reporting
import RTPCore
import Testing

@Suite struct HTMLReportTests {
    // MARK: hand-made report

    static func stream(ssrc: UInt32, src: String, clockRate: Int?, jitterMs: Double?) -> StreamReport {
        StreamReport(ssrc: ssrc, src: src, dst: "10.0.0.2:5004", payloadType: 0, clockRate: clockRate,
                     clockRateSource: clockRate == nil ? .unknown : .static, packets: 190, bytes: 32_680,
                     expected: 195, lost: 5, duplicates: 0, reordered: 0, seqResets: 0, jitterMs: jitterMs,
                     maxJitterMs: jitterMs, meanJitterMs: jitterMs, minDeltaMs: 19.5, meanDeltaMs: 20,
                     maxDeltaMs: 60.25, startTime: 1000.2, endTime: 1003.9)
    }

    static func sample(ssrc: UInt32, src: String, at second: Int64, rate: UInt64, lost: Int64, jitterMs: Double?) -> StreamSample {
        StreamSample(capture: "call.pcap", ssrc: ssrc, src: src, dst: "10.0.0.2:5004", payloadType: 0,
                     timestamp: second, packets: 0, packetRate: rate, lost: lost, expected: 0,
                     jitterSeconds: jitterMs.map { $0 / 1000 })
    }

    static let cname = "<script>alert(\"x\")</script>&co"

    /// Stream A: PCMU with jitter and two loss events (+2 at second 2, +3 at second 4). Stream B: no
    /// clock rate, so no jitter. An RTCP reporter whose CNAME tries to inject a script.
    static func handMade() -> (report: AnalysisReport, samples: [StreamSample]) {
        var summary = AnalysisSummary()
        summary.packetsRead = 400
        summary.rtpPackets = 380
        summary.rtcpPackets = 2
        summary.firstPacketTime = 1000.2
        let report = AnalysisReport(
            streams: [stream(ssrc: 0x1122_3344, src: "10.0.0.1:4000", clockRate: 8000, jitterMs: 1.5),
                      stream(ssrc: 0xAABB_CCDD, src: "10.0.0.3:4002", clockRate: nil, jitterMs: nil)],
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
        return (report, samples)
    }

    @Test func pageHasTheTablesAndThreeChartsPerStream() {
        let (report, samples) = Self.handMade()
        let html = HTMLReport.render(report, samples: samples, captures: ["dir/call.pcap"])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<code>dir/call.pcap</code>"))
        #expect(html.contains("Summary: packets read 400, RTP 380, RTCP 2, non-RTP 0"))
        #expect(Self.count("<svg", in: html) == 6)
        #expect(Self.count("</svg>", in: html) == 6)
        #expect(Self.count("<section class=\"stream\"", in: html) == 2)
        // The terminal table's columns and cells, one row per stream.
        for header in TableReport.streamHeaders + TableReport.rtcpHeaders {
            #expect(html.contains(">\(HTMLText.escape(header))</th>"), "missing column \(header)")
        }
        #expect(html.contains("<td>10.0.0.1:4000</td>"))
        #expect(html.contains("<td class=\"num\">0x11223344</td>"))
        #expect(html.contains("<td class=\"num\">5 (2.6%)</td>"))
        #expect(html.contains("<td class=\"num\">60.250</td>"))
        // Self-contained: no script, no URL of any kind.
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.lowercased().contains("<script"))
    }

    @Test func captureStringsAreEscaped() {
        let (report, samples) = Self.handMade()
        let html = HTMLReport.render(report, samples: samples, captures: ["<b>evil</b>.pcap"])
        #expect(html.contains("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co</td>"))
        #expect(html.contains("<code>&lt;b&gt;evil&lt;/b&gt;.pcap</code>"))
        #expect(!html.contains("<b>evil"))
        #expect(!html.lowercased().contains("<script"))
    }

    @Test func polylinesHaveOnePointPerSampleAtTheirPlotPositions() throws {
        let (report, samples) = Self.handMade()
        let html = HTMLReport.render(report, samples: samples, captures: ["call.pcap"])
        let charts = Self.svgs(in: html)
        try #require(charts.count == 6)
        // Stream A: 4 samples in each of its charts.
        for chart in charts[0..<3] {
            let lines = Self.seriesPoints(in: chart)
            #expect(lines.count == 1)
            #expect(lines.first?.count == 4)
        }
        // Seconds 1…4 after the capture start span the plot's width (70…700); lost 0, 2, 2, 5 on an axis
        // 0…5 from the bottom (172) to the top (28).
        #expect(Self.seriesPoints(in: charts[2]) == [["70.00,172.00", "280.00,114.40", "490.00,114.40", "700.00,28.00"]])
        #expect(charts[2].contains("<text x=\"64.0\" y=\"28.00\" text-anchor=\"end\" dominant-baseline=\"middle\">5</text>"))
        // Loss events where the count grew, at the line's points.
        #expect(Self.count("<circle class=\"marker\"", in: charts[2]) == 2)
        #expect(charts[2].contains("cx=\"280.00\" cy=\"114.40\" r=\"4\" fill=\"#d62728\"><title>+2 lost in the second ending at 2 s</title>"))
        #expect(charts[2].contains("cx=\"700.00\" cy=\"28.00\" r=\"4\" fill=\"#d62728\"><title>+3 lost in the second ending at 4 s</title>"))
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

    static let fixture = OpenMetricsBackfillTests.fixture

    @Test func fixtureReportIsWrittenAndEveryChartRenders() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let sampler = CaptureTimeSampler()
        analyzer.sampler = sampler
        sampler.beginCapture(named: Self.fixture.lastPathComponent, of: analyzer)
        try CaptureFile(path: Self.fixture.path).feed(into: analyzer)
        sampler.finishCapture(of: analyzer)

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-html-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        // The directory does not exist yet: the writer creates it (and its parent).
        let file = try HTMLReport.write(
            HTMLReport.render(analyzer.report(), samples: sampler.samples, captures: [Self.fixture.path]),
            toDirectory: work.appendingPathComponent("report"))
        #expect(file.lastPathComponent == "index.html")
        let html = try String(contentsOf: file, encoding: .utf8)

        let charts = Self.svgs(in: html)
        try #require(charts.count == 3)
        // Six seconds of capture, one point each; the fixture's cumulative lost goes 1, 4, 5, 5, 6, 8:
        // five seconds with new losses.
        #expect(charts.map { Self.seriesPoints(in: $0).map(\.count) } == [[6], [6], [6]])
        let markers = Self.titles(in: charts[2], after: "<circle class=\"marker\"")
        #expect(markers == ["+1 lost in the second ending at 1 s", "+3 lost in the second ending at 2 s",
                            "+1 lost in the second ending at 3 s", "+1 lost in the second ending at 5 s",
                            "+2 lost in the second ending at 6 s"])
        #expect(html.contains("<td class=\"num\">292</td>") && html.contains("<td class=\"num\">8 (2.7%)</td>"))
        #expect(!html.contains("http://") && !html.contains("https://"))

        let rsvg = try #require(Self.rsvgConvert,
                                "rsvg-convert not installed (`make deps`: Debian librsvg2-bin): the charts cannot be rendered")
        // What a blank chart-sized image weighs, to tell a drawing from an empty canvas.
        let blank = try Self.renderPNG(
            "<svg width=\"720\" height=\"220\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/></svg>",
            named: "blank", in: work, with: rsvg)
        for (index, chart) in charts.enumerated() {
            let png = try Self.renderPNG(chart, named: "chart\(index)", in: work, with: rsvg)
            // PNG signature, then IHDR: width and height as declared by the SVG.
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            #expect(Self.bigEndian(png, at: 16) == 720 && Self.bigEndian(png, at: 20) == 220)
            // Axes, labels and the line compress far worse than a white canvas.
            #expect(png.count > blank.count * 5, "chart \(index): \(png.count) bytes vs blank \(blank.count)")
        }
    }

    // MARK: helpers

    static let rsvgConvert = OpenMetricsBackfillTests.executable("rsvg-convert")

    /// Renders one `<svg>` cut from the page with rsvg-convert. Outside HTML an SVG needs its namespace
    /// declared; the page leaves it out (the HTML parser supplies it, and the page carries no URL).
    static func renderPNG(_ svg: String, named name: String, in directory: URL, with rsvg: String) throws -> Data {
        let standalone = svg.replacingOccurrences(of: "<svg ", with: "<svg xmlns=\"http://www.w3.org/2000/svg\" ")
        let input = directory.appendingPathComponent("\(name).svg")
        let output = directory.appendingPathComponent("\(name).png")
        try Data(standalone.utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rsvg)
        process.arguments = ["--background-color", "white", "-o", output.path, input.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "rsvg-convert failed on \(name)")
        return try Data(contentsOf: output)
    }

    static func bigEndian(_ data: Data, at offset: Int) -> UInt32 {
        data.dropFirst(offset).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
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
