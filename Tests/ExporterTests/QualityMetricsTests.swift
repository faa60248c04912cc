import MetricCatalog
import Testing
@testable import Exporter
import RTPCore

/// The quality families on /metrics, against each stream's own report: PT 0 streams (G.711) have MOS
/// and R, PT 96 streams (no codec) none; every stream has one discard series per jitter buffer.
@Suite struct QualityMetricsTests {
    @Test func mosRAndDiscardsPerStream() throws {
        let generated = GeneratedStreams(count: 20)
        let snapshot = StreamMetricsTests.snapshot(generated, mode: .all)
        let text = Fixtures.renderer().render(snapshot)
        let lines = text.split(separator: "\n").map(String.init)
        let reports = generated.analyzer.report().streams
        let rated = reports.filter { $0.quality?.mos != nil }
        #expect(rated.count == reports.filter { $0.payloadType == 0 }.count)
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_mos{") }.count == rated.count)
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_r_factor{") }.count == rated.count)
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_jitter_buffer_discarded_total{") }.count == 3 * reports.count)
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_jitter_buffer_discarded_total{") && $0.contains(",buffer=\"F2\"}") }.count
                == reports.count)
        let ssrc = SSRCText.hex(try #require(rated.first).ssrc)
        let mosLine = try #require(lines.first { $0.hasPrefix("rtpscope_rtp_mos{ssrc=\"\(ssrc)\"") })
        #expect(mosLine.hasSuffix(" \(LabelText.number(try #require(rated.first?.quality?.mos)))"))
        #expect(text.contains("# TYPE rtpscope_rtp_jitter_buffer_discarded_total counter"))
        let result = try PromtoolCheck.run(text)
        #expect(result.exitCode == 0, "\(result.output)")
    }
}
