import Foundation
import Testing

extension MonitorEndToEnd {
    @Suite("Overload: a full-speed sender")
    struct Overload {
        /// A sender at full speed (≈40–80 k packets/s here). Whatever the monitor cannot keep up
        /// with must show in the ring-buffer drop counter: counted + dropped ≥ sent, counted ≤ sent.
        /// (≥ rather than =: the drop counter also counts non-RTP events, such as other syscalls.)
        /// sendmmsg goes in batches of 16, the kernel side's per-call bound (datagrams beyond it are
        /// counted in rtpscope_unreported_datagrams_total{reason="message_bound"}).
        @Test(arguments: ["sendto", "sendmmsg"])
        func noSilentLossAndStillHealthy(_ syscall: String) throws {
            let outcome = try blast(syscall: syscall, monitorArguments: [])
            #expect(outcome.counted + outcome.dropped >= outcome.sent,
                    "silent loss: sent \(outcome.sent), counted \(outcome.counted), ring buffer drops \(outcome.dropped)")
        }

        /// A one-page ring buffer cannot hold what arrives between two 5 ms drains: drops must
        /// happen, be counted, and account for every datagram that was not.
        @Test func tinyRingBufferDropsAreCounted() throws {
            let outcome = try blast(syscall: "sendto", monitorArguments: ["--ring-buffer-bytes", "4096"])
            #expect(outcome.dropped > 0, "a 4 KiB ring buffer at full speed must overflow")
            #expect(outcome.counted + outcome.dropped >= outcome.sent,
                    "silent loss: sent \(outcome.sent), counted \(outcome.counted), ring buffer drops \(outcome.dropped)")
        }

        private struct Outcome {
            let sent: Double
            let counted: Double
            let dropped: Double
        }

        private func blast(syscall: String, monitorArguments: [String]) throws -> Outcome {
            let comm = uniqueComm("e2e-blast")
            var outcome = Outcome(sent: 0, counted: 0, dropped: 0)
            try withMonitor(comms: [comm], arguments: monitorArguments) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                let blast = try session.traffic.start("blast", [
                    "--to", destination, "--count", "300000", "--seconds", "8", "--syscall", syscall, "--batch", "16",
                    "--comm", comm,
                ])
                var unanswered = 0
                var checks = 0
                while blast.isRunning && checks < 100 {  // ≤ 100 × (≤2 s) even if the blast hangs
                    checks += 1
                    if (try? httpGet(port: session.monitor.port, path: "/health", timeout: 2).status) != 200 { unanswered += 1 }
                    usleep(200_000)
                }
                let report = try TrafficTool.report(BlastReport.self, from: blast, seconds: 15)
                #expect(unanswered == 0, "/health went unanswered \(unanswered) of \(checks) times under load")

                let ours = ["pid": "\(report.pid)", "direction": "sent"]
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: ours, expected: Double(report.packets))
                #expect(session.monitor.isHealthy, "monitor must still answer after the blast")
                let counted = metrics.sum(MonitorMetric.packets, where: ours)
                let dropped = metrics.sum(MonitorMetric.ringbufDropped)
                #expect(metrics.contains(MonitorMetric.ringbufDropped), "\(MonitorMetric.ringbufDropped) must be exported")
                #expect(counted <= Double(report.packets), "counted more than were sent")
                print("overload \(syscall) \(monitorArguments): sent \(report.packets) in \(report.seconds) s (\(report.nsPerSend) ns/send), counted \(counted), dropped events \(dropped)")
                outcome = Outcome(sent: Double(report.packets), counted: counted, dropped: dropped)
            }
            return outcome
        }
    }
}
