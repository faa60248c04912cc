// End to end: analyse a fixture with the per-second sampler, write OpenMetrics, backfill it with
// `promtool tsdb create-blocks-from openmetrics`, serve the blocks with `prometheus` and query a point
// back. Fails when promtool or prometheus is not installed (`make deps` installs both; CI has them).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import PcapSource
@testable import Reporting
import RTPCore
import Testing

@Suite struct OpenMetricsBackfillTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = packageRoot.appendingPathComponent("fixtures/synthetic/loss_pcmu.pcap")

    /// The sampler's series of the fixture's one stream, and the analyzer's final report of it.
    static func analyse() throws -> (samples: [StreamSample], final: StreamReport) {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let sampler = CaptureTimeSampler()
        analyzer.sampler = sampler
        sampler.beginCapture(named: fixture.lastPathComponent, of: analyzer)
        try CaptureFile(path: fixture.path).feed(into: analyzer)
        sampler.finishCapture(of: analyzer)
        let streams = analyzer.report().streams
        try #require(streams.count == 1)
        return (sampler.samples, streams[0])
    }

    @Test func samplerTakesOnePointPerCaptureSecond() throws {
        let (samples, final) = try Self.analyse()
        // Packets from 1700000000.000 to 1700000005.98: the seconds ending at …001 to …006.
        #expect(samples.map(\.timestamp) == Array(1_700_000_001...1_700_000_006))
        #expect(samples.allSatisfy { $0.capture == "loss_pcmu.pcap" && $0.ssrc == final.ssrc })
        // 50 packets a second, dropped (the fixture's dropped_seqs) 20010 | 20050-20052 | 20100 | — | 20200 |
        // 20250, 20298: cumulative lost by second. A sample holds what arrived before its second.
        #expect(samples.map(\.lost) == [1, 4, 5, 5, 6, 8])
        #expect(samples.map(\.packets) == [49, 96, 146, 195, 244, 292])
        #expect(samples.allSatisfy { Int64($0.packets) + $0.lost == $0.expected })
        // The last point is the final report; the rates add up to the packets.
        #expect(samples.last?.packets == final.packets)
        #expect(samples.last?.lost == final.lost)
        #expect(samples.last?.expected == final.expected)
        #expect(samples.last?.jitterSeconds == final.jitterMs.map { $0 / 1000 })
        #expect(samples.map(\.packetRate).reduce(0, +) == final.packets)
        #expect(zip(samples, samples.dropFirst()).allSatisfy { $1.packets == $0.packets + $1.packetRate })
    }

    @Test func eachCaptureLabelsOnlyItsOwnStreams() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let sampler = CaptureTimeSampler()
        analyzer.sampler = sampler
        let clean = Self.fixture.deletingLastPathComponent().appendingPathComponent("clean_pcmu.pcap")
        for file in [Self.fixture, clean] {
            sampler.beginCapture(named: file.lastPathComponent, of: analyzer)
            try CaptureFile(path: file.path).feed(into: analyzer)
            sampler.finishCapture(of: analyzer)
        }
        // Both files cover the same six seconds; the second restarts the clock and samples its stream only.
        let cleanSamples = sampler.samples.filter { $0.capture == "clean_pcmu.pcap" }
        #expect(cleanSamples.map(\.ssrc) == Array(repeating: 0x1122_3344, count: 6))
        #expect(cleanSamples.map(\.packetRate) == Array(repeating: 50, count: 6))
        #expect(sampler.samples.filter { $0.capture == "loss_pcmu.pcap" }.map(\.ssrc)
            == Array(repeating: 0x3344_5566, count: 6))
    }

    static let tools = executable("promtool").flatMap { promtool in executable("prometheus").map { (promtool, $0) } }

    @Test func backfilledSeriesReadBackFromPrometheus() throws {
        let (promtool, prometheus) = try #require(Self.tools, "needs promtool and prometheus (`make deps`: Debian prometheus)")
        let (samples, _) = try Self.analyse()
        let point = try #require(samples.first { $0.timestamp == 1_700_000_003 })

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-om-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let metrics = work.appendingPathComponent("series.om")
        try Data(OpenMetricsReport.render(samples).utf8).write(to: metrics)
        let data = work.appendingPathComponent("data")

        let backfill = try BoundedChild.start(promtool, ["tsdb", "create-blocks-from", "openmetrics", metrics.path, data.path],
                                              log: work.appendingPathComponent("promtool.log"))
        let status = backfill.wait(seconds: 60)
        #expect(status == 0, "promtool: \(backfill.logText)")
        try #require(status == 0)

        let config = work.appendingPathComponent("prometheus.yml")
        try Data("global:\n  scrape_interval: 1m\n".utf8).write(to: config)
        let port = try Self.freePort()
        let server = try BoundedChild.start(prometheus, [
            "--storage.tsdb.path=\(data.path)", "--config.file=\(config.path)",
            "--web.listen-address=127.0.0.1:\(port)",
            // The fixture's 2023 timestamps are older than the default 15 days: keep them queryable.
            "--storage.tsdb.retention.time=100y",
        ], log: work.appendingPathComponent("prometheus.log"))
        defer { server.stop() }
        let base = "http://127.0.0.1:\(port)"
        try #require(Self.waitUntilReady(base, server: server), "prometheus not ready: \(server.logText)")

        let selector = #"rtpscope_rtp_packets_total{ssrc="0x\#(String(format: "%08x", point.ssrc))",capture="loss_pcmu.pcap"}"#
        var query = URLComponents(string: base + "/api/v1/query")!
        query.queryItems = [URLQueryItem(name: "query", value: selector), URLQueryItem(name: "time", value: "1700000003")]
        let body = try #require(Self.get(query.url!), "query failed: \(server.logText)")
        let answer = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let result = try #require((answer["data"] as? [String: Any])?["result"] as? [[String: Any]], "\(answer)")
        try #require(result.count == 1, "\(answer)")
        let value = try #require(result[0]["value"] as? [Any])
        #expect(value.last as? String == String(point.packets))
        #expect((result[0]["metric"] as? [String: String])?["payload_type"] == "0")
    }

    // MARK: - Helpers

    static func executable(_ name: String) -> String? {
        ["/usr/bin/", "/usr/local/bin/", "/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A port the kernel just handed out and released, so prometheus can bind it.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Polls `/-/ready` for at most 30 s; false early if prometheus exits. Blocking on purpose (as
    /// is get): an `await` resumes only on a free thread of Swift's cooperative pool, which has one
    /// thread per core (two here) and which the blocking end-to-end suites running in parallel can
    /// hold for 40 s, so the 30 s ran out before the first answer was read (seen in `make test`).
    static func waitUntilReady(_ base: String, server: BoundedChild) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, server.isRunning {
            if get(URL(string: base + "/-/ready")!) != nil { return true }
            usleep(200_000)
        }
        return false
    }

    /// The body of a 200 answer, nil otherwise; each request is bounded to 5 s. URLSession calls the
    /// completion handler on its own queue, not on the cooperative pool.
    static func get(_ url: URL) -> Data? {
        final class Answer: @unchecked Sendable {   // written before `done` is signalled, read after
            var body: Data?
        }
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        let request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 5)
        URLSession.shared.dataTask(with: request) { body, response, _ in
            if (response as? HTTPURLResponse)?.statusCode == 200 { answer.body = body }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return answer.body
    }
}

/// A child process whose output goes to a log file (a pipe nobody reads could block it), with bounded
/// waits, and that is always killed: `stop()` escalates from SIGTERM to SIGKILL.
final class BoundedChild: @unchecked Sendable {
    private let process = Process()
    private let log: URL

    private init(log: URL) { self.log = log }

    static func start(_ executable: String, _ arguments: [String], log: URL) throws -> BoundedChild {
        let child = BoundedChild(log: log)
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw POSIXError(.EIO) }
        let handle = try FileHandle(forWritingTo: log)
        child.process.executableURL = URL(fileURLWithPath: executable)
        child.process.arguments = arguments
        child.process.standardOutput = handle
        child.process.standardError = handle
        try child.process.run()
        return child
    }

    var isRunning: Bool { process.isRunning }
    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// The exit status, or nil (and the child killed) when it did not finish within `seconds`.
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning {
            stop()
            return nil
        }
        return process.terminationStatus
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
