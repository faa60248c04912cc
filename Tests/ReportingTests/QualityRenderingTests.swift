import Foundation
import Testing
@testable import Reporting
import RTPCore

/// The quality fields as the outputs carry them, from a real analysis: 300 PCMU packets at 20 ms with
/// packets 100–102 lost (one run of 3) and packet 200 arriving 80 ms late (F1 discards it, F2 plays it).
@Suite struct QualityRenderingTests {
    static let report: AnalysisReport = {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let source = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000)
        let destination = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 50000)
        for i in 0..<300 where !(100...102).contains(i) {
            var bytes: [UInt8] = [0x80, 0, UInt8(i >> 8), UInt8(i & 0xFF)]
            let ts = UInt32(i * 160)
            bytes += [UInt8(ts >> 24), UInt8((ts >> 16) & 0xFF), UInt8((ts >> 8) & 0xFF), UInt8(ts & 0xFF)]
            bytes += [0x12, 0x34, 0x56, 0x78] + [UInt8](repeating: 0xFF, count: 160)
            let time = Nanoseconds(1_700_000_000_000_000_000) + Nanoseconds(i) * 20_000_000 + (i == 200 ? 80_000_000 : 0)
            bytes.withUnsafeBytes { buffer in
                analyzer.ingest(Datagram(time: time, transport: .udp, source: source, destination: destination, payload: buffer))
            }
        }
        return analyzer.report()
    }()

    @Test func jsonCarriesTheFlatFieldsAndTheDetail() throws {
        let text = JSONReport.render(Self.report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let stream = try #require((object["streams"] as? [[String: Any]])?.first)
        #expect(stream["max_loss_run"] as? Int == 3)
        // The adaptive buffer starts at 50 ms: it discards packet 200 too (then grows to 90 ms).
        #expect(stream["jb_discarded"] as? Int == 1)
        #expect(abs((stream["effective_loss"] as? Double ?? 0) - 4.0 / 300) < 1e-15)
        for key in ["r_factor", "mos", "mos_min", "mos_f1", "mos_f2", "mos_adaptive"] {
            #expect(stream[key] is Double, "\(key)")
        }
        // The run of 3 is a burst (3 of 3 lost); the other 297 positions are gap, none lost.
        #expect(stream["burst_density"] as? Double == 1)
        #expect(stream["gap_density"] as? Double == 0)
        #expect(stream["burst_duration_ms"] as? Double == 60)
        let quality = try #require(stream["quality"] as? [String: Any])
        let buffers = try #require(quality["jitter_buffers"] as? [[String: Any]])
        #expect(buffers.map { $0["name"] as? String } == ["F1", "F2", "adaptive"])
        #expect(buffers.map { $0["discarded"] as? Int } == [1, 0, 1])
        #expect(quality["codec"] as? String == "G.711")
        #expect(quality["rtcp_xr"] is NSNull)
        let decoded = try JSONDecoder().decode(AnalysisReport.self, from: Data(text.utf8))
        #expect(decoded == Self.report)
    }

    @Test func csvAndTableShowMOS() throws {
        let lines = CSVReport.render(Self.report).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let row = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.count == row.count)
        let mos = try #require(Self.report.streams.first?.quality?.mos)
        #expect(header.firstIndex(of: "mos").map { row[$0] } == String(format: "%.2f", mos))
        #expect(header.firstIndex(of: "max_loss_run").map { row[$0] } == "3")
        let table = TableReport.render(Self.report, width: nil)
        #expect(table.contains("MOS"))
        #expect(table.contains(String(format: "%.2f", mos)))
    }
}
