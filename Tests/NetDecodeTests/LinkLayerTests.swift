import Testing
import RTPCore
@testable import NetDecode

@Suite struct LinkLayerTests {
    private let expected = DecodedDatagram(
        time: 1_000, transport: .udp, source: "10.0.0.1:5004", destination: "10.0.0.2:6000",
        payload: TestFrames.udpPayload, originalLength: 16
    )

    private func decodeOne(_ linkType: LinkType, _ frame: [UInt8]) -> (FrameOutcome, [DecodedDatagram]) {
        var harness = DecodeHarness(linkType)
        let outcome = harness.decode(frame)
        return (outcome, harness.datagrams)
    }

    @Test func linkTypeNumbersMatchTcpdumpOrg() {
        #expect(LinkType.linuxSLL2.rawValue == 276)
        #expect(LinkType(dlt: 12) == .raw)  // DLT_RAW on Linux for LINKTYPE_RAW files
        #expect(LinkType(dlt: 101) == .raw)
        #expect(LinkType(dlt: 113) == .linuxSLL)
        #expect(LinkType(dlt: 147) == nil)
    }

    @Test func ethernetIPv4UDP() {
        let (outcome, datagrams) = decodeOne(.ethernet, TestFrames.ethernetIPv4UDP)
        #expect(outcome == .delivered(1))
        #expect(datagrams == [expected])
    }

    @Test func ethernetPaddingIsNotPayload() {
        // A 1-byte UDP payload makes a 43-byte frame; Ethernet pads it to 60 with zeros.
        let ip = TestFrames.ipv4(payload: TestFrames.udp(sourcePort: 1, destinationPort: 2, payload: [0x80]))
        let frame = TestFrames.ethernet(etherType: 0x0800, payload: ip) + [UInt8](repeating: 0, count: 17)
        #expect(frame.count == 60)
        let (_, datagrams) = decodeOne(.ethernet, frame)
        #expect(datagrams.map(\.payload) == [[0x80]])
    }

    @Test func vlanAndQinQ() {
        let single = TestFrames.ethernet(etherType: 0x0800, vlanTags: [0x8100], payload: TestFrames.ipv4UDP)
        let qinq = TestFrames.ethernet(etherType: 0x0800, vlanTags: [0x88A8, 0x8100], payload: TestFrames.ipv4UDP)
        let oldQinQ = TestFrames.ethernet(etherType: 0x0800, vlanTags: [0x9100, 0x8100], payload: TestFrames.ipv4UDP)
        for frame in [single, qinq, oldQinQ] {
            #expect(decodeOne(.ethernet, frame).1 == [expected])
        }
    }

    @Test func absurdVLANStackIsMalformed() {
        let frame = TestFrames.ethernet(etherType: 0x0800, vlanTags: Array(repeating: 0x8100, count: 9), payload: TestFrames.ipv4UDP)
        #expect(decodeOne(.ethernet, frame).0 == .malformed(.linkBadHeader))
        let eight = TestFrames.ethernet(etherType: 0x0800, vlanTags: Array(repeating: 0x8100, count: 8), payload: TestFrames.ipv4UDP)
        #expect(decodeOne(.ethernet, eight).0 == .delivered(1))
    }

    @Test func arpIsIgnored() {
        let arp = TestFrames.ethernet(etherType: 0x0806, payload: [UInt8](repeating: 0, count: 28))
        var harness = DecodeHarness(.ethernet)
        #expect(harness.decode(arp) == .ignored)
        #expect(harness.counters.framesIgnored == 1)
        #expect(harness.counters.totalIssues == 0)
    }

    @Test func linuxCookedV1AndV2() {
        #expect(decodeOne(.linuxSLL, TestFrames.sll(protocol: 0x0800, payload: TestFrames.ipv4UDP)).1 == [expected])
        #expect(decodeOne(.linuxSLL2, TestFrames.sll2(protocol: 0x0800, payload: TestFrames.ipv4UDP)).1 == [expected])
        // A VLAN tag left in place by the kernel: TCI and inner type follow the cooked header.
        let tagged = TestFrames.sll2(protocol: 0x8100, payload: [0, 100, 0x08, 0x00] + TestFrames.ipv4UDP)
        #expect(decodeOne(.linuxSLL2, tagged).1 == [expected])
        #expect(decodeOne(.linuxSLL2, Array(TestFrames.sll2(protocol: 0x0800, payload: []).prefix(19))).0 == .malformed(.linkTruncated))
    }

    @Test func bsdNullInEitherByteOrderAndEveryIPv6Family() {
        let littleEndianInet: [UInt8] = [2, 0, 0, 0]
        let bigEndianInet: [UInt8] = [0, 0, 0, 2]
        #expect(decodeOne(.null, littleEndianInet + TestFrames.ipv4UDP).1 == [expected])
        #expect(decodeOne(.null, bigEndianInet + TestFrames.ipv4UDP).1 == [expected])
        let ipv6 = TestFrames.ipv6(payload: TestFrames.udp(sourcePort: 5004, destinationPort: 6000, payload: [0x80, 1]))
        for family: UInt8 in [24, 28, 30] {
            let (outcome, datagrams) = decodeOne(.null, [family, 0, 0, 0] + ipv6)
            #expect(outcome == .delivered(1))
            #expect(datagrams.first?.source == "[2001:db8::1]:5004")
        }
        #expect(decodeOne(.null, [0, 0, 0, 30] + ipv6).0 == .delivered(1))
        #expect(decodeOne(.null, [7, 0, 0, 0] + ipv6).0 == .ignored)
    }

    @Test func openBSDLoopIsNetworkOrder() {
        #expect(decodeOne(.loop, [0, 0, 0, 2] + TestFrames.ipv4UDP).1 == [expected])
        // LOOP never byte-swaps: a little-endian family is not AF_INET.
        #expect(decodeOne(.loop, [2, 0, 0, 0] + TestFrames.ipv4UDP).0 == .ignored)
    }

    @Test func rawAndBareIPLinkTypes() {
        let ipv6 = TestFrames.ipv6(payload: TestFrames.udp(sourcePort: 5004, destinationPort: 6000, payload: TestFrames.udpPayload))
        #expect(decodeOne(.raw, TestFrames.ipv4UDP).1 == [expected])
        #expect(decodeOne(.raw, ipv6).1.first?.destination == "[2001:db8::2]:6000")
        #expect(decodeOne(.raw, [0x50] + TestFrames.ipv4UDP).0 == .malformed(.ipBadHeader))
        #expect(decodeOne(.raw, []).0 == .malformed(.linkTruncated))
        #expect(decodeOne(.ipv4, TestFrames.ipv4UDP).1 == [expected])
        #expect(decodeOne(.ipv6, ipv6).1.first?.payload == TestFrames.udpPayload)
        #expect(decodeOne(.ipv4, ipv6).0 == .malformed(.ipBadHeader))
    }
}
