import Foundation
import RTPCore

/// `analyze --report DIR`: one self-contained HTML page (inline CSS and SVG, no script, no URL) with
/// the stream table and per-stream timelines of jitter, packet rate and loss — the questions people
/// open Wireshark's RTP graphs for, answered in a file that can be mailed or attached to a ticket.
public enum HTMLReport {
    /// The page. `captures` are the analysed files as named on the command line; `samples` the
    /// `CaptureTimeSampler` points of the same analysis.
    public static func render(_ report: AnalysisReport, samples: [StreamSample], captures: [String]) -> String {
        let timeBase = timeBase(report, samples: samples)
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>rtpscope report: \(HTMLText.escape(captures.joined(separator: ", ")))</title>
        <style>\(style)</style>
        </head>
        <body>
        <h1>rtpscope report</h1>

        """
        html += "<p class=\"captures\">Captures: " + captures.map { "<code>\(HTMLText.escape($0))</code>" }.joined(separator: ", ") + "</p>\n"
        html += "<p class=\"summary\">\(HTMLText.escape(TableReport.summaryLine(report.summary)))</p>\n"
        html += "<h2>RTP streams (\(report.streams.count), mode \(HTMLText.escape(report.streams.first?.mode ?? "strict")))</h2>\n"
        html += table(headers: TableReport.streamHeaders, rows: TableReport.streamRows(report),
                      textColumns: TableReport.streamTextColumns, className: "streams")
        if !report.rtcp.isEmpty {
            html += "<h2>RTCP reporters (\(report.rtcp.count))</h2>\n"
            html += table(headers: TableReport.rtcpHeaders, rows: TableReport.rtcpRows(report),
                          textColumns: TableReport.rtcpTextColumns, className: "rtcp")
        }
        for (index, stream) in report.streams.enumerated() {
            html += section(for: stream, number: index + 1,
                            timelines: StreamTimelines(stream: stream, allSamples: samples, timeBase: timeBase))
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

    /// Chart times count from the capture's first whole second, the same origin for every stream so
    /// their timelines line up.
    static func timeBase(_ report: AnalysisReport, samples: [StreamSample]) -> Double {
        let first = report.summary.firstPacketTime ?? report.streams.map(\.startTime).min()
        // A sample stamped T covers the second before it: T - 1 is its start.
        return (first ?? samples.map { Double($0.timestamp - 1) }.min() ?? 0).rounded(.down)
    }

    static func section(for stream: StreamReport, number: Int, timelines: StreamTimelines) -> String {
        let heading = "\(NumberText.ssrc(stream.ssrc)) \(stream.src) → \(stream.dst) "
            + "\(PayloadTypeNames.name(for: stream.payloadType))"
        var html = "<section class=\"stream\" id=\"stream-\(number)\">\n"
        html += "<h2>Stream \(number): \(HTMLText.escape(heading))</h2>\n"
        html += "<p>\(stream.packets) packets, \(stream.lost) lost of \(stream.expected) expected; "
            + "mean interval \(HTMLText.escape(NumberText.milliseconds(stream.meanDeltaMs))) ms; "
            + "jitter \(HTMLText.escape(stream.jitterMs.map { NumberText.fixed($0, decimals: 3) + " ms" } ?? "unknown")). "
            + "One point per second of capture time; red dots mark seconds with new losses.</p>\n"
        for chart in timelines.charts {
            html += "<figure>" + chart.render() + "</figure>\n"
        }
        return html + "</section>\n"
    }

    /// Text columns left, numbers right, as in the terminal table.
    static func table(headers: [String], rows: [[String]], textColumns: Set<Int>, className: String) -> String {
        func cells(_ row: [String], tag: String) -> String {
            row.enumerated().map { index, cell in
                let align = textColumns.contains(index) ? "" : " class=\"num\""
                return "<\(tag)\(align)>\(HTMLText.escape(cell))</\(tag)>"
            }.joined()
        }
        var html = "<table class=\"\(className)\">\n<thead><tr>\(cells(headers, tag: "th"))</tr></thead>\n<tbody>\n"
        for row in rows { html += "<tr>\(cells(row, tag: "td"))</tr>\n" }
        return html + "</tbody>\n</table>\n"
    }

    static let style = """
    body{font-family:sans-serif;margin:1.5em;color:#222}\
    table{border-collapse:collapse;font-size:12px;margin-bottom:1em}\
    th,td{border:1px solid #ccc;padding:2px 6px;white-space:nowrap}\
    th{background:#f2f2f2}td.num,th.num{text-align:right}\
    section.stream{margin-top:2em}figure{margin:0 0 .8em 0}\
    code{background:#f2f2f2;padding:0 3px}
    """
}

/// Escaping for text and attribute values in HTML and inline SVG. Capture contents (SDES CNAME,
/// file names) are untrusted: a CNAME of `<script>` must show as text, not run.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
