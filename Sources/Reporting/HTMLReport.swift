import Foundation
import MetricCatalog
import RTPCore

/// What the HTML report plots for one capture file.
public struct CapturePlots {
    /// The file's `CaptureTimeSampler` points.
    public var samples: [StreamSample]
    /// The second, per-packet pass over the file; nil when the file could be read only once
    /// (standard input, a FIFO): jitter is then plotted per second and no RTCP is marked.
    public var trace: PacketTrace?

    public init(samples: [StreamSample], trace: PacketTrace?) {
        self.samples = samples
        self.trace = trace
    }
}

/// `analyze --report DIR`: one self-contained HTML page (inline CSS and SVG, no script, no URL) with
/// the stream table and per-stream charts — per-packet delta and jitter as Wireshark's RTP analysis
/// draws them, packet rate, loss, and what RTCP receivers reported — in a file that can be mailed or
/// attached to a ticket.
public enum HTMLReport {
    /// Time slots per per-packet series: one per pixel column of a chart's plot area.
    public static let plotColumns = Int(SVGTimeline.plot.right - SVGTimeline.plot.left)
    /// Streams that get charts (each about 60 KB of SVG); the table lists every stream. A capture of
    /// thousands of streams still makes a page a browser opens.
    public static let maxChartedStreams = 200

    /// The streams that get charts: all of them up to `maxChartedStreams`, else the ones with the most
    /// packets, in their order. (Also what the second pass needs to trace.)
    public static func chartedStreams(_ streams: [StreamReport]) -> [StreamReport] {
        let kept = chartedIndices(streams)
        return streams.indices.filter(kept.contains).map { streams[$0] }
    }

    static func chartedIndices(_ streams: [StreamReport]) -> Set<Int> {
        guard streams.count > maxChartedStreams else { return Set(streams.indices) }
        return Set(streams.indices.sorted { (streams[$0].packets, -$0) > (streams[$1].packets, -$1) }
            .prefix(maxChartedStreams))
    }

    /// The page. `plots` holds each capture file's series, by the name streams carry in `file`.
    public static func render(_ report: AnalysisReport, plots: [String: CapturePlots]) -> String {
        let captures = report.summary.files.map(\.name)
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>rtpscope report: \(HTMLText.escape(captures.joined(separator: ", ")))</title>
        <style>\(style)</style>
        </head>
        <body>
        <h1 id="top">rtpscope report</h1>

        """
        html += "<p class=\"captures\">Captures: " + captures.map { "<code>\(HTMLText.escape($0))</code>" }.joined(separator: ", ") + "</p>\n"
        html += "<p class=\"summary\">\(HTMLText.escape(TableReport.summaryLine(report.summary)))</p>\n"
        let mode = report.streams.first?.mode ?? AnalyzerConfiguration.Mode.strict.rawValue
        html += "<h2>RTP streams (\(report.streams.count), mode \(HTMLText.escape(mode)))</h2>\n"
        let rows = TableReport.streamRows(report)
        let charted = chartedIndices(report.streams)
        html += table(TableReport.streamColumns(report), rows: rows, className: "streams") { row in
            charted.contains(row.number - 1) ? "<a href=\"#stream-\(row.number)\">\(row.number)</a>" : "\(row.number)"
        }
        if !report.streams.isEmpty {
            html += "<p class=\"legend\">\(HTMLText.escape(TableReport.legend(mode: mode, live: TableReport.isLive(report))))</p>\n"
        }
        if !report.rtcp.isEmpty {
            html += "<h2>RTCP reporters (\(report.rtcp.count))</h2>\n"
            html += table(TableReport.rtcpColumns(report), rows: TableReport.rtcpRows(report), className: "rtcp", link: nil)
        }
        if charted.count < report.streams.count {
            html += "<p>Charts for the \(charted.count) streams with the most packets; the other "
                + "\(report.streams.count - charted.count) are in the table only.</p>\n"
        }
        for row in rows where charted.contains(row.number - 1) {
            let capture = row.stream.file.flatMap { plots[$0] }
            html += section(for: row, timelines: StreamTimelines(
                stream: row.stream, samples: capture?.samples ?? [], trace: capture?.trace?.series(for: row.stream),
                timeBase: row.timeBase))
        }
        return html + "</body>\n</html>\n"
    }

    /// Creates `directory` if needed and writes the page as `index.html` in it (atomically: a reader
    /// never sees half a page). Returns the file written.
    @discardableResult
    public static func write(_ html: String, toDirectory directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("index.html")
        try Data(html.utf8).write(to: file, options: .atomic)
        return file
    }

    static func section(for row: StreamRow, timelines: StreamTimelines) -> String {
        let stream = row.stream
        let heading = "\(NumberText.ssrc(stream.ssrc)) \(stream.src) → \(stream.dst) \(PayloadText.cell(stream))"
        var html = "<section class=\"stream\" id=\"stream-\(row.number)\">\n"
        html += "<h2>Stream \(row.number): \(HTMLText.escape(heading))</h2>\n"
        var facts = HTMLText.escape("\(stream.packets) packets, \(LossText.cell(stream)) lost of \(stream.expected) expected; "
            + "mean interval \(NumberText.milliseconds(stream.meanDeltaMs)) ms; "
            + "jitter \(stream.jitterMs.map { NumberText.fixed($0, decimals: 3) + " ms" } ?? "unknown")")
        if let file = stream.file { facts += "; capture <code>\(HTMLText.escape(file))</code>" }
        html += "<p>\(facts). "
        html += timelines.trace == nil
            ? "This capture was read once (a stream, not a file): jitter is shown per second. "
            : "Delta and jitter: every packet, each pixel column spanning the packets that fall in it. "
        html += "Rate and loss: one point per second of capture time; red dots mark seconds with new losses. "
            + "<a href=\"#top\">Back to the table</a>.</p>\n"
        for chart in timelines.charts {
            html += "<figure>" + chart.render() + "</figure>\n"
        }
        let reports = timelines.reports
        if !reports.isEmpty {
            html += "<h3>RTCP reports about this stream (\(reports.count))</h3>\n"
            html += table(rtcpReportColumns, rows: reports.map { ($0, row.timeBase) }, className: "reports", link: nil)
        }
        if let dropped = timelines.trace?.reportsNotKept, dropped > 0 {
            html += "<p>\(dropped) further report blocks are not listed (\(PacketTrace.maxReports) kept).</p>\n"
        }
        return html + "</section>\n"
    }

    static var rtcpReportColumns: [TableColumn<(PacketTrace.Report, Double)>] {
        [
            .init("Time (s)", rank: 100) { NumberText.fixed($0.0.time - $0.1, decimals: 3) },
            .init("Reporter", rank: 100) { NumberText.ssrc($0.0.reporterSSRC) },
            .init("Lost(%)", rank: 100) { NumberText.fixed($0.0.fractionLost * 100, decimals: 1) },
            .init("CumLost", rank: 100) { String($0.0.cumulativeLost) },
            .init("Jitter(ms)", rank: 100) { NumberText.milliseconds($0.0.jitterMs) },
            .init("RTT(ms)", rank: 100) { NumberText.milliseconds($0.0.roundTripMs) },
        ]
    }

    /// Every column (a page scrolls sideways instead of hiding any), text left, numbers right, as in
    /// the terminal table; `link` makes an extra first cell per row (the stream tables' anchors).
    static func table<Row>(_ columns: [TableColumn<Row>], rows: [Row], className: String,
                           link: ((Row) -> String)?) -> String {
        func cell(_ text: String, tag: String, _ column: TableColumn<Row>) -> String {
            "<\(tag)\(column.alignment == .left ? "" : " class=\"num\"")>\(HTMLText.escape(text))</\(tag)>"
        }
        var html = "<div class=\"scroll\"><table class=\"\(className)\">\n<thead><tr>"
        if link != nil { html += "<th>#</th>" }
        html += columns.map { cell($0.header, tag: "th", $0) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>"
            if let link { html += "<td>\(link(row))</td>" }
            html += columns.map { cell($0.cell(row), tag: "td", $0) }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }

    static let style = """
    body{font-family:sans-serif;margin:1.5em;color:#222;max-width:100%}\
    div.scroll{overflow-x:auto;max-width:100%;margin-bottom:1em}\
    table{border-collapse:collapse;font-size:12px}\
    table.reports{font-size:11px}\
    th,td{border:1px solid #ccc;padding:2px 6px;white-space:nowrap}\
    th{background:#f2f2f2;position:sticky;top:0}td.num,th.num{text-align:right}\
    p.legend{font-size:12px;color:#555}\
    section.stream{margin-top:2em}figure{margin:0 0 .8em 0;overflow-x:auto}\
    code{background:#f2f2f2;padding:0 3px}
    """
}
