import Foundation
import Testing

extension MonitorEndToEnd {
    @Suite("One WebRTC-style 5-tuple: STUN, DTLS, SRTP, SRTCP")
    struct WebRTC {
        /// RFC 7983 demultiplexing: first byte 0–3 is STUN, 20–63 DTLS, 128–191 RTP/RTCP, and
        /// RTCP by packet type 192–223. Only the SRTP (RTP header in clear) is a stream.
        @Test func onlyTheSRTPBecomesAStream() throws {
            let comm = uniqueComm("e2e-webrtc")
            try withMonitor(comms: [comm], arguments: ["--clock-rate", "111=48000"]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                // A listener (not monitored) so the connected socket gets no ICMP errors back.
                let listener = try session.traffic.startReceiver(bind: destination, syscall: "recvfrom", count: 100_000,
                                                                 comm: uniqueComm("e2e-sink"))
                let webrtc = try session.traffic.start("webrtc", [
                    "--to", destination, "--count", "150", "--ptime-ms", "10", "--ssrc", "\(randomSSRC())", "--comm", comm,
                ])
                let report = try TrafficTool.report(WebRTCReport.self, from: webrtc)
                listener.stop()
                try #require(report.srtpPackets == 150 && report.stunPackets > 0 && report.dtlsRecords > 0
                             && report.srtcpPackets > 0)

                let ours = ["pid": "\(report.pid)"]
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: ours,
                                                                 expected: Double(report.srtpPackets))
                if let stream = singleSeries(metrics, MonitorMetric.packets, ours) {
                    #expect(stream.labels["ssrc"] == ssrcLabel(report.ssrc))
                    #expect(stream.labels["direction"] == "sent")
                    #expect(stream.labels["payload_type"] == "111")
                    #expect(stream.value == Double(report.srtpPackets), "STUN/DTLS/SRTCP must not be counted as RTP")
                }

                let streams = try session.monitor.streams().filter { jsonInt($0["pid"]) == Int(report.pid) }
                #expect(streams.count == 1, "/streams entries for pid \(report.pid): \(streams)")
                if let stream = streams.first {
                    #expect(jsonInt(stream["ssrc"]) == Int(report.ssrc))
                    #expect(jsonInt(stream["packets"]) == report.srtpPackets)
                    #expect(jsonInt(stream["payload_type"]) == 111)
                }
            }
        }
    }
}
