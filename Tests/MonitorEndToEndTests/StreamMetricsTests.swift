import Foundation
import Testing

extension MonitorEndToEnd {
    @Suite("--stream-metrics: per-stream series for the worst streams, exact totals for all")
    struct StreamMetricsSelection {
        @Test("top:2 exports the two lossiest of four streams; /health and the per-process and per-peer sums count all four")
        func topTwoOfFour() throws {
            let comm = uniqueComm("e2e-top")
            try withMonitor(comms: [comm], arguments: ["--stream-metrics", "top:2"]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                // Each its own process: three lost, two lost, the most packets, and a plain one.
                let plans: [(ssrc: UInt32, count: Int, drop: [Int])] = [
                    (0x7E57_0001, 40, [1010, 1011, 1012]), (0x7E57_0002, 40, [1020, 1021]),
                    (0x7E57_0003, 60, []), (0x7E57_0004, 40, []),
                ]
                var sent: [SendReport] = []
                for plan in plans {
                    var arguments = ["--to", destination, "--syscall", "sendto", "--count", "\(plan.count)",
                                     "--ptime-ms", "5", "--ssrc", ssrcLabel(plan.ssrc), "--comm", comm]
                    if !plan.drop.isEmpty { arguments += ["--drop", plan.drop.map(String.init).joined(separator: ",")] }
                    sent.append(try TrafficTool.report(SendReport.self, from: try session.traffic.start("send", arguments)))
                }
                #expect(sent.map(\.expectedLost) == [3, 2, 0, 0])
                let total = sent.reduce(0) { $0 + $1.packets }
                let peer = ["remote_ip": "127.0.0.1", "direction": "sent"]
                let metrics = try session.monitor.settledScrape("rtpscope_peer_rtp_packets_total", where: peer,
                                                                expected: Double(total))

                let exported = metrics.samples(MonitorMetric.packets, where: ["comm": comm])
                #expect(Set(exported.compactMap { $0.labels["ssrc"] }) == [ssrcLabel(plans[0].ssrc), ssrcLabel(plans[1].ssrc)],
                        "exported: \(exported)")
                #expect(metrics.sum("rtpscope_streams") == 4)
                #expect(metrics.sum("rtpscope_streams_exported") == 2)
                for report in sent {
                    let process = ["pid": "\(report.pid)", "comm": comm, "direction": "sent"]
                    #expect(metrics.sum("rtpscope_process_rtp_packets_total", where: process) == Double(report.packets))
                    #expect(metrics.sum("rtpscope_process_rtp_lost_packets", where: process) == Double(report.expectedLost))
                    #expect(metrics.sum("rtpscope_process_rtp_expected_packets", where: process)
                        == Double(report.packets + report.expectedLost))
                    #expect(metrics.sum("rtpscope_process_streams", where: process) == 1)
                }
                #expect(metrics.sum("rtpscope_peer_rtp_packets_total", where: peer) == Double(total))
                #expect(metrics.sum("rtpscope_peer_rtp_lost_packets", where: peer) == 5)
                #expect(metrics.sum("rtpscope_peer_streams", where: peer) == 4)
                // PCMU has a static clock: every stream is one observation of the peer's jitter histogram.
                #expect(metrics.sum("rtpscope_peer_stream_jitter_seconds_count", where: peer) == 4)

                let health = try JSONSerialization.jsonObject(with: Data(try session.monitor.get("/health").body.utf8))
                    as? [String: Any]
                #expect(jsonInt(health?["streams"]) == 4)
                #expect(jsonInt(health?["streams_exported"]) == 2)
                #expect(jsonInt(health?["streams_left_out"]) == 2)
                #expect(health?["stream_metrics"] as? String == "top:2")
                // /streams keeps every stream whatever --stream-metrics says.
                #expect(try session.monitor.streams().filter { ($0["comm"] as? String) == comm }.count == 4)
            }
        }

        @Test("rtpscope_build_info carries the revision and Swift version make recorded, and the process metrics are there")
        func buildInfoAndProcessMetrics() throws {
            // make build-info writes them before the release build these tests drive.
            let header = try String(contentsOf: PackagePaths.root.appendingPathComponent(
                "Sources/CBuildInfo/generated/build_info.h"), encoding: .utf8)
            func recorded(_ name: String) -> String? {
                header.split(separator: "\n").first { $0.hasPrefix("#define \(name) ") }?
                    .split(separator: "\"").dropFirst().first.map(String.init)
            }
            let revision = try #require(recorded("RTPSCOPE_REVISION"))
            let swiftVersion = try #require(recorded("RTPSCOPE_SWIFT_VERSION"))
            if FileManager.default.fileExists(atPath: PackagePaths.root.appendingPathComponent(".git").path) {
                #expect(revision.count == 40 && revision.allSatisfy(\.isHexDigit), "revision \(revision)")
            }
            #expect(swiftVersion.first?.isNumber == true, "swift version \(swiftVersion)")
            try withMonitor(comms: [uniqueComm("e2e-build")]) { session in
                let metrics = try session.monitor.scrape()
                let info = try #require(metrics.samples("rtpscope_build_info").first)
                #expect(info.labels["revision"] == revision)
                #expect(info.labels["swiftversion"] == swiftVersion)
                #expect(info.value == 1)
                #expect(metrics.sum("process_resident_memory_bytes") > 1_000_000)
                #expect(metrics.sum("process_open_fds") > 3)
                #expect(metrics.sum("process_start_time_seconds") > Date().timeIntervalSince1970 - 600)
            }
        }
    }
}
