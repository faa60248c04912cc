import Foundation
import Testing

extension MonitorEndToEnd {
    /// Hostile traffic must not exhaust the monitor: an SSRC flood is capped at --max-streams with
    /// every eviction counted, RSS stays under a bound, and /metrics keeps answering; single
    /// packets of RTP-looking garbage never become streams.
    @Suite("SSRC flood")
    struct Flood {
        /// The documented bound (README, Limits): with the default 16 MiB ring buffer and
        /// --max-streams 1000, the monitor stays under this resident size whatever the flood.
        static let rssBoundMiB = 256.0

        @Test func streamsAreCappedAndEvictionsCounted() throws {
            let comm = uniqueComm("e2e-flood")
            try withMonitor(comms: [comm], arguments: ["--max-streams", "1000"]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                // 100,000 streams of 2 packets (each confirms on its second packet).
                let blast = try session.traffic.start("blast", [
                    "--to", destination, "--count", "200000", "--ssrc-every", "2", "--seconds", "20", "--comm", comm,
                ])
                let report = try TrafficTool.report(BlastReport.self, from: blast, seconds: 30)
                let settled = try session.monitor.settledScrape("rtpscope_streams_evicted_total", where: [:])
                let streams = settled.sum("rtpscope_streams")
                let evicted = settled.sum("rtpscope_streams_evicted_total")
                let dropped = settled.sum(MonitorMetric.ringbufDropped)
                let rss = Self.residentMiB(session.monitor.child.pid)
                print("flood: \(report.ssrcs) SSRCs × 2 packets in \(report.seconds) s → streams \(streams), evicted \(evicted), ring-buffer drops \(dropped), monitor RSS \(rss) MiB")
                #expect(streams <= 1000)
                #expect(streams > 0)
                if dropped == 0 {
                    #expect(streams + evicted == Double(report.ssrcs), "every stream is either exported or counted as evicted")
                } else {
                    #expect(streams + evicted + dropped >= Double(report.ssrcs))
                }
                #expect(rss < Self.rssBoundMiB, "RSS \(rss) MiB over the \(Self.rssBoundMiB) MiB bound")
                let start = Date()
                let page = try session.monitor.get("/metrics")
                print("flood: /metrics \(page.body.utf8.count) bytes in \(Date().timeIntervalSince(start)) s")
                #expect(page.status == 200)
            }
        }

        @Test func singlePacketsNeverBecomeStreams() throws {
            let comm = uniqueComm("e2e-garbage")
            try withMonitor(comms: [comm]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                let blast = try session.traffic.start("blast", [
                    "--to", destination, "--count", "50000", "--ssrc-every", "1", "--seconds", "20", "--comm", comm,
                ])
                let report = try TrafficTool.report(BlastReport.self, from: blast, seconds: 30)
                // Default socket capture: every datagram the blast sent is an egress event.
                let metrics = try session.monitor.settledScrape(MonitorMetric.events, where: ["syscall": "egress"],
                                                                expected: Double(report.packets))
                #expect(metrics.sum(MonitorMetric.events, where: ["syscall": "egress"]) == Double(report.packets))
                #expect(metrics.sum("rtpscope_streams") == 0, "one packet per SSRC must never confirm a stream")
                #expect(metrics.sum("rtpscope_streams_evicted_total") == 0)
                #expect(Self.residentMiB(session.monitor.child.pid) < Self.rssBoundMiB)
            }
        }

        static func residentMiB(_ pid: Int32) -> Double {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return .infinity }
            return kib / 1024
        }
    }
}
