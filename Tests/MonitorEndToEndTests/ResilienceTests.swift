import Foundation
import Testing

extension MonitorEndToEnd {
    @Suite("Resilience: a restarted sender, a stalled consumer, an unwritable stdout")
    struct Resilience {
        /// A sender that stops and starts again — a new process of the same name, as when FFmpeg is
        /// restarted — stays monitored: each run is a stream of its own pid, counted exactly, and
        /// the codec probes attach to the new process (every encode call of each run is seen).
        @Test func aRestartedSenderStaysMonitored() throws {
            try withMonitor(comms: ["codecpush"]) { session in
                let port = try freePort(udp: true)
                var pids: [Int32] = []
                for run in 1...2 {
                    // The start delay lets the monitor's process discovery (250 ms) attach the probes
                    // before the first frame.
                    let push = try session.children.start("codecpush", try PackagePaths.codecpush(), [
                        "--dest", "127.0.0.1:\(port)", "--frames", "60", "--fps", "30", "--mode", "steady",
                        "--start-delay-ms", "1500", "--quiet",
                    ])
                    guard push.waitForExit(seconds: 30), push.exitStatus == 0 else {
                        throw E2EError("run \(run): \(push.commandLine) failed (\(push.exitDescription)): \(push.stderr)")
                    }
                    let summary = codecpushSummary(push.stdout)
                    let process = ["pid": "\(push.pid)", "comm": "codecpush"]
                    let sent = process.merging(["direction": "sent"]) { $1 }
                    let encode = process.merging(["function": "avcodec_send_frame"]) { $1 }
                    let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: sent,
                                                                    expected: Double(summary["packets"] ?? -1))
                    #expect(metrics.sum(MonitorMetric.packets, where: sent) == Double(summary["packets"] ?? -1), "run \(run): \(summary)")
                    #expect(metrics.samples(MonitorMetric.packets, where: sent).count == 1, "run \(run): one stream")
                    #expect(metrics.sum(CodecMetric.calls, where: encode) == Double(summary["send_frame_calls"] ?? -1),
                            "run \(run): encode calls \(metrics.sum(CodecMetric.calls, where: encode)), \(summary)")
                    pids.append(push.pid)
                }
                #expect(Set(pids).count == 2, "two runs, two processes: \(pids)")
            }
        }

        /// `--interval` tables on a standard output that refuses them (a full disk: /dev/full): the
        /// monitor says so once and goes on capturing and serving; it neither dies nor loses packets.
        @Test func anUnwritableIntervalTableStopsAloneTheCaptureGoesOn() throws {
            let comm = uniqueComm("e2e-full")
            try withMonitor(comms: [comm], arguments: ["--interval", "0.2"], standardOutput: "/dev/full") { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                let send = try TrafficTool.report(SendReport.self, from: try session.traffic.start("send", [
                    "--to", destination, "--syscall", "sendto", "--count", "300", "--ptime-ms", "5", "--comm", comm,
                ]))
                let sent = ["pid": "\(send.pid)", "direction": "sent"]
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: sent, expected: Double(send.packets))
                #expect(metrics.sum(MonitorMetric.packets, where: sent) == Double(send.packets))
                #expect(session.monitor.child.isRunning)
                let said = session.monitor.child.stderr.components(separatedBy: "\n")
                    .filter { $0.contains("cannot write standard output (No space left on device): the --interval table stops") }
                #expect(said.count == 1, "\(session.monitor.child.stderr.suffix(1000))")
            }
        }

        /// A consumer that stops draining (SIGSTOP: descheduled, swapped out, stuck) while a sender
        /// runs at full speed: the ring buffer fills, every event that did not fit is counted as
        /// dropped, and once the consumer runs again it answers and counts new traffic exactly.
        @Test func aStalledConsumerCountsItsDropsAndRecovers() throws {
            let comm = uniqueComm("e2e-stall")
            try withMonitor(comms: [comm], arguments: ["--ring-buffer-bytes", "65536"]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                session.monitor.child.signal(SIGSTOP)
                let blast: BlastReport
                do {
                    defer { session.monitor.child.signal(SIGCONT) }
                    blast = try TrafficTool.report(BlastReport.self, from: try session.traffic.start("blast", [
                        "--to", destination, "--count", "50000", "--seconds", "8", "--comm", comm,
                    ]))
                }
                let blasted = ["pid": "\(blast.pid)", "direction": "sent"]
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: blasted)
                let counted = metrics.sum(MonitorMetric.packets, where: blasted)
                let dropped = metrics.sum(MonitorMetric.ringbufDropped)
                print("stalled consumer: sent \(blast.packets), counted \(counted), ring buffer drops \(dropped)")
                #expect(dropped > 0, "a 64 KiB ring buffer cannot hold \(blast.packets) events")
                #expect(counted < Double(blast.packets))
                #expect(counted + dropped >= Double(blast.packets),
                        "silent loss: sent \(blast.packets), counted \(counted), dropped \(dropped)")

                // Recovered: a paced stream after the stall is counted exactly, with no new drops.
                let send = try TrafficTool.report(SendReport.self, from: try session.traffic.start("send", [
                    "--to", destination, "--syscall", "sendto", "--count", "200", "--ptime-ms", "2", "--comm", comm,
                ]))
                let paced = ["pid": "\(send.pid)", "direction": "sent"]
                let after = try session.monitor.settledScrape(MonitorMetric.packets, where: paced, expected: Double(send.packets))
                #expect(after.sum(MonitorMetric.packets, where: paced) == Double(send.packets))
                #expect(after.sum(MonitorMetric.ringbufDropped) == dropped, "drops after the consumer resumed")
                #expect(session.monitor.isHealthy)
            }
        }
    }
}
