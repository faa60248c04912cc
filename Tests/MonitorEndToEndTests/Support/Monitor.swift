import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Metric names of the monitor's contract.
enum MonitorMetric {
    static let packets = "rtpscope_rtp_packets_total"
    static let lost = "rtpscope_rtp_lost_packets"
    static let jitter = "rtpscope_rtp_jitter_seconds"
    static let clockRate = "rtpscope_rtp_clock_rate_hertz"
    static let ringbufDropped = "rtpscope_ringbuf_dropped_events_total"
    static let events = "rtpscope_events_total"
}

/// Bounds of every wait on the monitor.
enum MonitorTiming {
    static let startup: Double = 15      // until /health answers
    static let settle: Double = 15       // until packet counts stop moving
    static let plateau: Double = 3       // unchanged this long = settled (well above ring-buffer polling)
    static let poll: Double = 0.2
    static let shutdown: Double = 10     // SIGTERM → exit
}

/// A `rtpscope monitor` child serving on a free 127.0.0.1 port.
final class RunningMonitor {
    let port: UInt16
    let child: ChildProcess

    private init(port: UInt16, child: ChildProcess) {
        self.port = port
        self.child = child
    }

    /// Starts the monitor and returns once /health answers 200, which it does only once its BPF
    /// programs are attached (503 before), so traffic started afterwards is seen from its first
    /// packet. Without the privileges or
    /// kernel support for eBPF the test is skipped, or fails when RTPSCOPE_REQUIRE_BPF=1.
    /// `standardOutput`: a path the monitor's stdout goes to instead of the test's pipe.
    static func start(arguments: [String], children: ChildProcesses, standardOutput: String? = nil) throws -> RunningMonitor {
        guard geteuid() == 0 else {
            try unavailable("not running as root (euid \(geteuid())); the monitor needs CAP_BPF and CAP_PERFMON")
        }
        let binary = PackagePaths.rtpscope
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            try unavailable("\(binary) does not exist: build it with `make` (or point RTPSCOPE_BIN at a build)")
        }
        let port = try freePort(udp: false)
        var command = (executable: binary, arguments: ["monitor", "--web.listen-address", "127.0.0.1:\(port)"] + arguments)
        if let standardOutput {
            command = try redirected(command.executable, command.arguments, descriptor: 1, to: standardOutput)
        }
        let child = try children.start("rtpscope-monitor", command.executable, command.arguments)
        let monitor = RunningMonitor(port: port, child: child)
        let healthy = waitUntil(seconds: MonitorTiming.startup, interval: MonitorTiming.poll) {
            monitor.isHealthy || !child.isRunning
        }
        if child.isRunning && healthy { return monitor }
        if child.isRunning {
            child.stop()
            throw E2EError("monitor did not answer /health within \(MonitorTiming.startup) s: \(child.stderr)")
        }
        let message = "monitor exited at start (\(child.exitDescription)): \(child.stderr)"
        if looksLikeBPFUnavailable(child.stderr) { try unavailable(message) }
        throw E2EError("\(message)\ncommand: \(child.commandLine)")
    }

    /// Skip, or fail under RTPSCOPE_REQUIRE_BPF=1 (CI on a BPF-capable runner must not skip).
    private static func unavailable(_ reason: String) throws -> Never {
        if ProcessInfo.processInfo.environment["RTPSCOPE_REQUIRE_BPF"] == "1" {
            throw E2EError("RTPSCOPE_REQUIRE_BPF=1 but the live monitor cannot run: \(reason)")
        }
        try Test.cancel(Comment(rawValue: "skipped, the live monitor cannot run here (RTPSCOPE_REQUIRE_BPF=1 makes this a failure): \(reason)"))
    }

    private static func looksLikeBPFUnavailable(_ stderr: String) -> Bool {
        let text = stderr.lowercased()
        return ["bpf", "btf", "operation not permitted", "permission denied", "cap_bpf", "cap_perfmon",
                "memlock", "verifier", "tracepoint", "kprobe"].contains { text.contains($0) }
    }

    var isHealthy: Bool { (try? httpGet(port: port, path: "/health", timeout: 1).status) == 200 }

    func get(_ path: String) throws -> HTTPResponse {
        let response = try httpGet(port: port, path: path)
        guard response.status == 200 else {
            throw E2EError("GET \(path) answered \(response.status): \(response.body.prefix(500))")
        }
        return response
    }

    func scrape() throws -> Exposition { try Exposition(parsing: try get("/metrics").body) }

    /// The "streams" array of /streams.
    func streams() throws -> [[String: Any]] {
        let body = try get("/streams").body
        guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let streams = object["streams"] as? [[String: Any]]
        else { throw E2EError("/streams is not {\"streams\": [...]}: \(body.prefix(500))") }
        return streams
    }

    /// Scrapes until the summed value of `metric` over the series matching `labels` has settled:
    /// equal to `expected` and still equal a plateau later (so over-counting shows), or unchanged
    /// for a plateau (the assertions then report the real shortfall), or the settle bound passed.
    func settledScrape(_ metric: String, where labels: [String: String], expected: Double? = nil) throws -> Exposition {
        let deadline = Date().addingTimeInterval(MonitorTiming.settle)
        var latest = try scrape()
        var value = latest.sum(metric, where: labels)
        var unchangedSince = Date()
        while Date() < deadline {
            usleep(useconds_t(MonitorTiming.poll * 1_000_000))
            latest = try scrape()
            let now = latest.sum(metric, where: labels)
            if now != value {
                value = now
                unchangedSince = Date()
                continue
            }
            let stableFor = Date().timeIntervalSince(unchangedSince)
            let reachedTarget = expected.map { value == $0 } ?? (value > 0)
            if stableFor >= MonitorTiming.plateau || (reachedTarget && stableFor >= 1.2) { break }
        }
        return latest
    }

    /// SIGTERM; the exit status, or nil when it had to be killed or died of a signal.
    func stopGracefully() -> Int32? {
        child.signal(SIGTERM)
        guard child.waitForExit(seconds: MonitorTiming.shutdown) else {
            child.stop(grace: 0)
            return nil
        }
        return child.exitStatus
    }
}

/// One test's monitor, traffic tool and children.
struct MonitorSession {
    let monitor: RunningMonitor
    let children: ChildProcesses
    let traffic: TrafficTool
}

/// Runs `body` against a fresh monitor limited to `comms`, then checks that SIGTERM makes the
/// monitor exit 0. Every child is stopped on the way out, whatever happened.
func withMonitor(comms: [String], arguments: [String] = [], standardOutput: String? = nil,
                 _ body: (MonitorSession) throws -> Void) throws {
    let children = ChildProcesses()
    defer { children.stopAll() }
    let traffic = try TrafficTool(children: children)
    let filters = comms.flatMap { ["--comm", $0] }
    let monitor = try RunningMonitor.start(arguments: filters + arguments, children: children, standardOutput: standardOutput)
    try body(MonitorSession(monitor: monitor, children: children, traffic: traffic))
    let status = monitor.stopGracefully()
    #expect(status == 0, "monitor must exit 0 on SIGTERM, got \(monitor.child.exitDescription): \(monitor.child.stderr.suffix(2000))")
}
