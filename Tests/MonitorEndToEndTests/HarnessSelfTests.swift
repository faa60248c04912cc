import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The test harness's own pieces, checked without the monitor (no eBPF needed).
@Suite("Harness: exposition parser and endpoint labels")
struct HarnessSelfTests {
    @Test func parsesSamplesWithLabelsEscapesAndTimestamps() throws {
        let page = """
            # HELP rtpscope_rtp_packets_total RTP packets seen.
            # TYPE rtpscope_rtp_packets_total counter
            rtpscope_rtp_packets_total{ssrc="0x5eed0001",direction="sent",local="127.0.0.1:40000",remote="[::1]:5004",pid="42",comm="a \\"q\\" b\\\\c\\nd",payload_type="0"} 147
            rtpscope_rtp_packets_total{ssrc="0x5eed0002",direction="received",pid="43"} 3.5e2 1700000000000
            rtpscope_rtp_jitter_seconds{ssrc="0x5eed0001",direction="sent",} 0.0099
            rtpscope_ringbuf_dropped_events_total 0
            rtpscope_weird{le="+Inf"} +Inf

            """
        let exposition = try Exposition(parsing: page)
        #expect(exposition.samples.count == 5)

        let sent = try #require(exposition.samples(MonitorMetric.packets, where: ["direction": "sent"]).first)
        #expect(sent.value == 147)
        #expect(sent.labels["comm"] == "a \"q\" b\\c\nd")
        #expect(sent.labels["remote"] == "[::1]:5004")
        #expect(sent.labels.count == 7)
        #expect(exposition.sum(MonitorMetric.packets) == 497)
        #expect(exposition.sum(MonitorMetric.packets, where: ["pid": "43"]) == 350)
        #expect(exposition.samples(MonitorMetric.jitter).first?.value == 0.0099)
        #expect(exposition.contains(MonitorMetric.ringbufDropped))
        #expect(exposition.samples("rtpscope_weird").first?.value == .infinity)
        #expect(exposition.samples(MonitorMetric.packets, where: ["pid": "44"]).isEmpty)
    }

    @Test(arguments: ["no_value{a=\"b\"}", "m{a=b} 1", "m{a=\"b} 1", "m 1 notatime", "m{=\"b\"} 1"])
    func rejectsMalformedLines(_ line: String) {
        #expect(throws: E2EError.self) { try Exposition(parsing: line) }
    }

    @Test func endpointsCompareByValue() {
        #expect(EndpointText("[::1]:5004") == EndpointText("::1:5004"))
        #expect(EndpointText("[0:0::1]:5004") == EndpointText("[::1]:5004"))
        #expect(EndpointText("127.0.0.1:5004")?.description == "127.0.0.1:5004")
        #expect(EndpointText("[::1]:5004")?.description == "[::1]:5004")
        #expect(EndpointText("127.0.0.1:5004") != EndpointText("127.0.0.1:5005"))
        #expect(EndpointText("localhost:5004") == nil)
        #expect(ssrcLabel(0x5eed) == "0x00005eed")
        #expect(uniqueComm("e2e-something-long").utf8.count <= 15)
    }
}

/// rtptraffic must put on the wire exactly what it reports, or every monitor assertion built on
/// its reports is meaningless. Checked against dumpcap + tshark (needs capture rights on lo).
/// Nested in MonitorEndToEnd so it never runs alongside a timing-sensitive monitor test.
extension MonitorEndToEnd {
@Suite("Harness: rtptraffic against a capture")
struct TrafficToolSelfTests {
    @Test func sendPutsTheReportedImpairmentsOnTheWire() throws {
        guard geteuid() == 0 else { try Test.cancel("capturing on lo needs root") }
        let children = ChildProcesses()
        defer { children.stopAll() }
        let traffic = try TrafficTool(children: children)
        let port = try freePort(udp: true)
        let capture = try LoopbackCapture(port: port, children: children)
        let sender = try traffic.start("send", [
            "--to", "127.0.0.1:\(port)", "--syscall", "sendmmsg", "--batch", "3", "--count", "20", "--ptime-ms", "2",
            "--seq-start", "65530", "--drop", "65533,2", "--dup", "65535", "--reorder", "5",
        ])
        let report = try TrafficTool.report(SendReport.self, from: sender)
        // seq 65530…65535, 0…13 (wrapping), minus 65533 and 2, plus a second 65535, 5 after 6.
        #expect(report.packets == 19)
        #expect(report.expectedLost == 1)  // RFC 3550: 2 lost, but the duplicate counts as received
        #expect(report.syscalls == 7)      // ⌈19 / 3⌉ sendmmsg calls
        #expect(try capture.stopAndCountRTPPackets() == 19)
    }

    @Test func webrtcSendsOnlyItsSRTPAsRTPVersion2NonRTCP() throws {
        guard geteuid() == 0 else { try Test.cancel("capturing on lo needs root") }
        let children = ChildProcesses()
        defer { children.stopAll() }
        let traffic = try TrafficTool(children: children)
        let port = try freePort(udp: true)
        let receiver = try traffic.startReceiver(bind: "127.0.0.1:\(port)", syscall: "recvmmsg", count: 100_000,
                                                 comm: "e2e-self-rx", timeoutMs: 3000)
        let webrtc = try traffic.start("webrtc", ["--to", "127.0.0.1:\(port)", "--count", "100", "--no-pace"])
        let sent = try TrafficTool.report(WebRTCReport.self, from: webrtc)
        let received = try TrafficTool.report(ReceiveReport.self, from: receiver)
        // The receiver counts datagrams that look like RTP (version 2, PT outside 192–223).
        #expect(received.rtpPackets == sent.srtpPackets)
        #expect(received.received == sent.srtpPackets + sent.srtcpPackets + sent.stunPackets + sent.dtlsRecords)
    }
}
}
