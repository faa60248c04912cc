import Foundation
import Testing

extension MonitorEndToEnd {
    @Suite("The /metrics page itself")
    struct MetricsFormat {
        @Test("served as Prometheus text 0.0.4 that promtool accepts")
        func prometheusTextThatPromtoolAccepts() throws {
            let comm = uniqueComm("e2e-fmt")
            try withMonitor(comms: [comm]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                let sender = try session.traffic.start("send", ["--to", destination, "--count", "50", "--ptime-ms", "5",
                                                                "--comm", comm])
                let sent = try TrafficTool.report(SendReport.self, from: sender)
                _ = try session.monitor.settledScrape(MonitorMetric.packets, where: ["pid": "\(sent.pid)"],
                                                      expected: Double(sent.packets))

                let page = try session.monitor.get("/metrics")
                #expect(page.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true,
                        "Content-Type is \(page.headers["content-type"] ?? "missing")")
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
                try page.body.write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }
                let promtool = try session.children.start("promtool", try PackagePaths.executable("promtool"),
                                                          ["check", "metrics"], standardInput: file)
                #expect(promtool.waitForExit(seconds: 15))
                #expect(promtool.exitStatus == 0, "promtool check metrics: \(promtool.stdout)\(promtool.stderr)")
            }
        }
    }
}
