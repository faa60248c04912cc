import MetricCatalog
import Foundation

/// The landing page at `/`: where a human finds the endpoints (as every Prometheus exporter has).
enum IndexPage {
    static func html(telemetryPath: String) -> String {
        let path = HTMLText.escape(telemetryPath)
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
        <li><a href="/calls">/calls</a>: SIP calls on the traced sockets, with their streams (JSON)</li>
        </ul>
        </body>
        </html>

        """
    }
}
