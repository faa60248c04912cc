// End to end: analyse a fixture with the per-second sampler, write OpenMetrics, backfill it with
// `promtool tsdb create-blocks-from openmetrics`, serve the blocks with `prometheus`, query a point back
// by the live exporter's labels and evaluate the shipped rules' expressions on it. promtool and
// prometheus come with `make deps` (Debian's prometheus package): without them the test fails.
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

    @Test func backfilledSeriesCarryTheLiveLabelsAndTheShippedRulesWorkOnThem() throws {
        let (promtool, prometheus) = try #require(Self.tools, "needs promtool and prometheus (`make deps`: Debian prometheus)")
        let (samples, final) = try Self.analyse()
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

        // The stream as the live exporter would label it at its receiver: local = destination.
        let ssrc = "0x" + String(format: "%08x", point.ssrc)
        let selector = #"rtpscope_rtp_packets_total{ssrc="\#(ssrc)",direction="received",local="\#(final.dst)",remote="\#(final.src)",capture="loss_pcmu.pcap"}"#
        let packets = try Self.query(base, selector, at: point.timestamp, server: server)
        try #require(packets.count == 1, "\(packets)")
        #expect(packets[0].value == String(point.packets))
        #expect(packets[0].labels["payload_type"] == "0")

        // The shipped recording rules and the jitter alert's selector, read from deploy/prometheus/rules.yml.
        let rules = try String(contentsOf: Self.packageRoot.appendingPathComponent("deploy/prometheus/rules.yml"), encoding: .utf8)
        let rate = try #require(Self.expression(recording: "rtpscope:rtp_packets:rate1m", in: rules))
        let perSecond = try Self.query(base, rate, at: 1_700_000_006, server: server)
        try #require(perSecond.count == 1, "\(rate): \(perSecond)")
        // Prometheus' rate over 1 m of this 6-sample series: the 292 − 49 = 243 packets of the 5 s
        // sampled, extrapolated towards the window's start by at most the counter's way to zero
        // (292 in all; how far depends on the Prometheus version), over the 60 s window.
        let measuredIncrease = (Double(perSecond[0].value) ?? .nan) * 60
        #expect(measuredIncrease >= 243 - 1e-6 && measuredIncrease <= 292 + 1e-6,
                "\(rate) = \(perSecond[0].value) packets/s")
        let loss = try #require(Self.expression(recording: "rtpscope:rtp_loss_ratio:5m", in: rules))
        let ratio = try Self.query(base, loss, at: 1_700_000_006, server: server)
        try #require(ratio.count == 1, "\(loss): \(ratio)")
        // Between the first and last sample: lost 1 → 8, expected 50 → 300 (both deltas extrapolated alike).
        let measuredRatio = Double(ratio[0].value) ?? .nan
        #expect(abs(measuredRatio - 7.0 / 250.0) < 1e-9, "\(loss) = \(ratio[0].value)")
        let jitter = try Self.query(base, #"rtpscope_rtp_jitter_seconds{direction="received"}"#, at: point.timestamp, server: server)
        #expect(jitter.count == 1)
    }

    /// The `expr` of a recording rule (one line, or a `|` block).
    static func expression(recording name: String, in rules: String) -> String? {
        let lines = rules.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let record = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "- record: \(name)" }),
              record + 1 < lines.count else { return nil }
        let exprLine = lines[record + 1].trimmingCharacters(in: .whitespaces)
        guard exprLine.hasPrefix("expr:") else { return nil }
        let inline = exprLine.dropFirst("expr:".count).trimmingCharacters(in: .whitespaces)
        guard inline == "|" else { return inline }
        let indent = lines[record + 1].prefix { $0 == " " }.count
        return lines[(record + 2)...].prefix { $0.prefix { $0 == " " }.count > indent && !$0.isEmpty }
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// An instant query's result: each series' labels and value.
    static func query(_ base: String, _ expression: String, at time: Int64, server: BoundedChild) throws
        -> [(labels: [String: String], value: String)] {
        var query = URLComponents(string: base + "/api/v1/query")!
        query.queryItems = [URLQueryItem(name: "query", value: expression), URLQueryItem(name: "time", value: String(time))]
        let body = try #require(get(query.url!), "query \(expression) failed: \(server.logText.suffix(2000))")
        let answer = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let result = try #require((answer["data"] as? [String: Any])?["result"] as? [[String: Any]], "\(answer)")
        return result.map { series in
            ((series["metric"] as? [String: String]) ?? [:], ((series["value"] as? [Any])?.last as? String) ?? "")
        }
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

    /// Polls `/-/ready` for at most 120 s (a loaded CI machine starts it slowly); false early if
    /// prometheus exits. Blocking on purpose (as is get): an `await` resumes only on a free thread of
    /// Swift's cooperative pool, which has one thread per core (two here) and which the blocking
    /// end-to-end suites running in parallel can hold for 40 s, so the wait ran out before the first
    /// answer was read (seen in `make test`).
    static func waitUntilReady(_ base: String, server: BoundedChild) -> Bool {
        let deadline = Date().addingTimeInterval(120)
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
