import Foundation
import Testing
import RTPCore
@testable import NetDecode

/// SIP over TCP (RFC 3261 §18.3): messages framed by Content-Length out of reassembled segments.
@Suite struct SIPOverTCPTests {
    static let invite = [
        "INVITE sip:bob@biloxi.example.com;transport=tcp SIP/2.0",
        "Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
        "To: Bob <sip:bob@biloxi.example.com>",
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
        "CSeq: 314159 INVITE",
        "Content-Type: application/sdp",
        "Content-Length: 102",
        "",
        "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n"
            + "a=sendrecv\r\n",
    ].joined(separator: "\r\n")
    static let ringing = [
        "SIP/2.0 180 Ringing",
        "Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
        "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
        "CSeq: 314159 INVITE",
        "l: 0",
        "", "",
    ].joined(separator: "\r\n")

    /// 10.0.0.1:40000 → 10.0.0.2:5060 (or back) carrying `data` at `sequence`.
    private func segment(_ sequence: UInt32, flags: UInt8 = TestFrames.ack | TestFrames.psh, _ data: [UInt8],
                         fromServer: Bool = false) -> [UInt8] {
        let (client, server): ([UInt8], [UInt8]) = ([10, 0, 0, 1], [10, 0, 0, 2])
        let tcp = fromServer
            ? TestFrames.tcp(sourcePort: 5060, destinationPort: 40000, sequence: sequence, flags: flags, payload: data)
            : TestFrames.tcp(sourcePort: 40000, destinationPort: 5060, sequence: sequence, flags: flags, payload: data)
        return TestFrames.ethernet(etherType: 0x0800, payload: TestFrames.ipv4(
            source: fromServer ? server : client, destination: fromServer ? client : server, protocol: 6, payload: tcp))
    }

    @Test func contentLengthIsRight() {
        let body = Self.invite.components(separatedBy: "\r\n\r\n")[1]
        #expect(body.utf8.count == 102)
    }

    /// A message split at every byte offset into two segments comes out whole, once.
    @Test func messageSplitAtEveryOffset() {
        let bytes = Array(Self.invite.utf8)
        for cut in 1..<bytes.count {
            var harness = DecodeHarness(.ethernet, sipTCPPorts: [5060])
            harness.decode(segment(1000, flags: TestFrames.syn, []))
            harness.decode(segment(1001, Array(bytes[0..<cut])))
            harness.decode(segment(1001 + UInt32(cut), Array(bytes[cut...])))
            #expect(harness.datagrams.map(\.payload) == [bytes], "cut at \(cut)")
            #expect(harness.datagrams.first?.transport == .tcp)
            #expect(harness.counters.totalIssues == 0)
        }
    }

    /// Two messages and RFC 5626 keep-alives in one segment; the other direction on its own.
    @Test func severalMessagesAndKeepAlives() {
        var harness = DecodeHarness(.ethernet, sipTCPPorts: [5060])
        harness.decode(segment(1000, flags: TestFrames.syn, []))
        let stream = Array(("\r\n\r\n" + Self.invite + Self.invite + "\r\n").utf8)
        #expect(harness.decode(segment(1001, stream)) == .delivered(2))
        #expect(harness.decode(segment(5000, flags: TestFrames.syn | TestFrames.ack, [], fromServer: true)) == .delivered(0))
        #expect(harness.decode(segment(5001, Array(Self.ringing.utf8), fromServer: true)) == .delivered(1))
        #expect(harness.datagrams.map(\.destination) == ["10.0.0.2:5060", "10.0.0.2:5060", "10.0.0.1:40000"])
        #expect(harness.datagrams[2].payload == Array(Self.ringing.utf8))
    }

    /// Joined mid-connection (no SYN) or after a gap: bytes are skipped, counted, until a line that
    /// starts like SIP; then messages flow again.
    @Test func resynchronisesAfterAGap() {
        var harness = DecodeHarness(.ethernet, sipTCPPorts: [5060])
        let bytes = Array(Self.invite.utf8)
        // Mid-stream: the tail of some body, then a whole message.
        let tail = Array("a=ptime:20\r\n".utf8)
        harness.decode(segment(7000, tail + bytes))
        #expect(harness.datagrams.map(\.payload) == [bytes])
        #expect(harness.counters[.sipTCPUnframedBytes] == UInt64(tail.count))
        // Half a message, then a gap (bytes never captured), then a whole message.
        let next = 7000 + UInt32(tail.count + bytes.count)
        harness.decode(segment(next, Array(bytes[0..<100])))
        harness.decode(segment(next + 400, bytes))
        #expect(harness.datagrams.count == 2)
        #expect(harness.counters[.tcpSequenceGap] == 1)
    }

    @Test func missingContentLengthAndOversize() {
        var harness = DecodeHarness(.ethernet, sipTCPPorts: [5060])
        harness.decode(segment(1000, flags: TestFrames.syn, []))
        let noLength = Self.ringing.replacingOccurrences(of: "l: 0\r\n", with: "")
        harness.decode(segment(1001, Array(noLength.utf8)))
        #expect(harness.datagrams.count == 1)
        #expect(harness.counters[.sipTCPBadContentLength] == 1)
        let huge = Self.ringing.replacingOccurrences(of: "l: 0", with: "l: 70000")
        harness.decode(segment(1001 + UInt32(noLength.utf8.count), Array(huge.utf8)))
        #expect(harness.counters[.sipTCPTooLarge] == 1)
        #expect(harness.datagrams.count == 1)
    }

    /// TCP on ports that are neither RFC 4571 nor SIP is still ignored.
    @Test func otherPortsIgnored() {
        var harness = DecodeHarness(.ethernet, sipTCPPorts: [5080])
        #expect(harness.decode(segment(1001, Array(Self.invite.utf8))) == .ignored)
    }
}
