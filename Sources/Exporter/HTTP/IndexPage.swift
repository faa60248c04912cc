import Foundation

/// The landing page at `/`: where a human finds the endpoints (as every Prometheus exporter has).
enum IndexPage {
    static func html(telemetryPath: String) -> String {
        let path = escaped(telemetryPath)
        return """
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>rtpscope exporter</title></head>
        <body>
        <h1>rtpscope exporter</h1>
        <p>RTP stream health per process.</p>
        <ul>
        <li><a href="\(path)">\(path)</a>: Prometheus metrics</li>
        <li><a href="/health">/health</a>: monitor health (JSON)</li>
        <li><a href="/streams">/streams</a>: current streams (JSON, as <code>analyze --format json</code>; page with <code>?limit=N&amp;offset=M</code>)</li>
        </ul>
        </body>
        </html>

        """
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
