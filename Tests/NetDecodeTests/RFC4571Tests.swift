import Testing
import RTPCore
@testable import NetDecode

@Suite struct RFC4571Tests {
    /// One RTP packet with its RFC 4571 length prefix: 2 + 16 = 18 bytes.
    private func framed(_ sequence: UInt16) -> [UInt8] {
        TestFrames.bigEndian16(16) + TestFrames.rtp(sequence: sequence)
    }

    /// 10.0.0.1:40000 → 10.0.0.2:5000, or the reverse direction.
    private func segment(_ sequence: UInt32, flags: UInt8 = TestFrames.ack | TestFrames.psh, _ data: [UInt8], fromServer: Bool = false) -> [UInt8] {
        let (client, server): ([UInt8], [UInt8]) = ([10, 0, 0, 1], [10, 0, 0, 2])
        let tcp = fromServer
            ? TestFrames.tcp(sourcePort: 5000, destinationPort: 40000, sequence: sequence, flags: flags, payload: data)
            : TestFrames.tcp(sourcePort: 40000, destinationPort: 5000, sequence: sequence, flags: flags, payload: data)
        return TestFrames.ethernet(etherType: 0x0800, payload: TestFrames.ipv4(
            source: fromServer ? server : client, destination: fromServer ? client : server, protocol: 6, payload: tcp))
    }

    private func sequences(_ harness: DecodeHarness) -> [UInt16] {
        harness.datagrams.map { UInt16($0.payload[2]) << 8 | UInt16($0.payload[3]) }
    }

    @Test func frameSplitAcrossThreeSegmentsAndTwoFramesInOne() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        harness.decode(segment(1000, flags: TestFrames.syn, []))           // data starts at 1001
        let first = framed(1)
        // One byte of the length prefix, then 9 bytes, then the last 8.
        #expect(harness.decode(segment(1001, Array(first[0..<1]))) == .delivered(0))
        #expect(harness.decode(segment(1002, Array(first[1..<10]))) == .delivered(0))
        #expect(harness.decode(segment(1011, Array(first[10..<18]))) == .delivered(1))
        #expect(harness.decode(segment(1019, framed(2) + framed(3))) == .delivered(2))

        #expect(sequences(harness) == [1, 2, 3])
        #expect(harness.datagrams.allSatisfy {
            $0.transport == .tcp && $0.source == "10.0.0.1:40000" && $0.destination == "10.0.0.2:5000"
                && $0.payload.count == 16 && $0.originalLength == 16
        })
        #expect(harness.counters.totalIssues == 0)
    }

    @Test func retransmissionsAndOverlapsAreDeliveredOnce() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        harness.decode(segment(1000, flags: TestFrames.syn, []))
        harness.decode(segment(1001, framed(1) + framed(2)))               // 1001..<1037
        #expect(harness.decode(segment(1001, framed(1) + framed(2))) == .delivered(0))  // retransmitted
        // Overlap: re-sends frame 2 (1019..<1037) together with new frame 3.
        #expect(harness.decode(segment(1019, framed(2) + framed(3))) == .delivered(1))
        #expect(harness.decode(segment(1037, [])) == .delivered(0))        // bare ACK
        #expect(sequences(harness) == [1, 2, 3])
        #expect(harness.counters.totalIssues == 0)
    }

    @Test func gapResetsAndResynchronisesOnAFrameStart() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        harness.decode(segment(1000, flags: TestFrames.syn, []))
        let first = framed(1)
        harness.decode(segment(1001, Array(first[0..<10])))               // half a frame buffered
        // 1011..<1019 lost. The next segment starts mid-frame (RTP payload bytes): not a boundary.
        #expect(harness.decode(segment(1019, [0xAA, 0xAA, 0xAA, 0xAA])) == .delivered(0))
        // Contiguous with the dropped segment, starts a frame: resynchronised.
        #expect(harness.decode(segment(1023, framed(5))) == .delivered(1))
        #expect(sequences(harness) == [5])
        #expect(harness.counters[.tcpSequenceGap] == 1)
    }

    @Test func directionsAreIndependentAndMidStreamJoinFindsABoundary() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        // No SYN seen for either direction: the capture started mid-connection.
        #expect(harness.decode(segment(7, Array(framed(9).suffix(5)))) == .delivered(0))  // tail of a frame
        #expect(harness.decode(segment(12, framed(10))) == .delivered(1))
        #expect(harness.decode(segment(500, framed(20), fromServer: true)) == .delivered(1))
        #expect(sequences(harness) == [10, 20])
        #expect(harness.datagrams.last?.source == "10.0.0.2:5000")
        #expect(harness.decoder.tcpFlowCount == 2)
    }

    @Test func finAndRstForgetTheDirection() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        harness.decode(segment(1000, flags: TestFrames.syn, []))
        harness.decode(segment(1001, framed(1), fromServer: false))
        #expect(harness.decoder.tcpFlowCount == 1)
        harness.decode(segment(1019, flags: TestFrames.fin | TestFrames.ack, []))
        #expect(harness.decoder.tcpFlowCount == 0)
        harness.decode(segment(1, framed(2), fromServer: true))
        harness.decode(segment(19, flags: TestFrames.rst, [], fromServer: true))
        #expect(harness.decoder.tcpFlowCount == 0)
        #expect(sequences(harness) == [1, 2])
    }

    @Test func snaplenCutSegmentResetsTheParser() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        harness.decode(segment(1000, flags: TestFrames.syn, []))
        let whole = segment(1001, framed(1) + framed(2))
        #expect(harness.decode(Array(whole.dropLast(5))) == .delivered(1))  // frame 2 lost its tail
        #expect(harness.decode(segment(1037, framed(3))) == .delivered(1))
        #expect(sequences(harness) == [1, 3])
        #expect(harness.counters[.tcpTruncated] == 1)
        #expect(harness.counters[.tcpSequenceGap] == 0)
    }

    @Test func otherTCPPortsAreIgnored() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        let http = TestFrames.ethernet(etherType: 0x0800, payload: TestFrames.ipv4(protocol: 6, payload:
            TestFrames.tcp(sourcePort: 40001, destinationPort: 80, sequence: 1, flags: TestFrames.ack, payload: framed(1))))
        #expect(harness.decode(http) == .ignored)
        var noPorts = DecodeHarness(.ethernet)
        #expect(noPorts.decode(segment(1, framed(1))) == .ignored)
    }

    @Test func badTCPHeaderAndEveryTruncation() {
        var harness = DecodeHarness(.ethernet, tcpPorts: [5000])
        var badOffset = segment(1, framed(1))
        badOffset[14 + 20 + 12] = 0x40  // data offset 4 words
        #expect(harness.decode(badOffset) == .malformed(.tcpBadHeader))
        let frame = segment(1, framed(1))
        for length in 0..<frame.count {
            harness.decode(Array(frame.prefix(length)))
        }
        // 72 bytes: 14 Ethernet + 20 IPv4 + 20 TCP + 18 data. Prefixes 0…13 and 14…33 are link/IP
        // cuts, 34…53 cut the TCP header (20). Prefix 54 has the header and none of the 18 data
        // bytes: the direction is created, the cut counted (21st) and the bytes marked as passed;
        // prefixes 55…71 carry the same sequence range, so they are retransmissions: dropped.
        #expect(harness.counters[.linkTruncated] == 14)
        #expect(harness.counters[.ipTruncated] == 20)
        #expect(harness.counters[.tcpTruncated] == 21)
        #expect(harness.counters[.tcpBadHeader] == 1)
        #expect(harness.datagrams.isEmpty)
    }
}
