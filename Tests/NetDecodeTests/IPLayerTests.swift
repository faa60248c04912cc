import Testing
import RTPCore
@testable import NetDecode

@Suite struct IPLayerTests {
    private let udp = TestFrames.udp(sourcePort: 5004, destinationPort: 6000, payload: TestFrames.udpPayload)

    /// Hop-by-hop (8) → routing (24) → destination options (8) → fragment (8, atomic) → AH (16) → UDP.
    private var extensionChain: [UInt8] {
        let hopByHop: [UInt8] = [43, 0, 1, 4, 0, 0, 0, 0]                 // next routing, len 0 → 8 bytes
        let routing: [UInt8] = [60, 2, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16)  // len 2 → 24
        let destination: [UInt8] = [44, 0, 1, 4, 0, 0, 0, 0]              // next fragment
        let fragment: [UInt8] = [51, 0, 0, 0, 0, 0, 0, 9]                 // offset 0, M 0, next AH
        let authentication: [UInt8] = [17, 2, 0, 0] + [UInt8](repeating: 0, count: 12)  // (2+2)*4 = 16
        return hopByHop + routing + destination + fragment + authentication
    }

    @Test func ipv6ExtensionHeaderChainIsWalked() {
        var harness = DecodeHarness(.ipv6)
        #expect(harness.decode(TestFrames.ipv6(nextHeader: 0, payload: extensionChain + udp)) == .delivered(1))
        #expect(harness.datagrams == [DecodedDatagram(
            time: 1_000, transport: .udp, source: "[2001:db8::1]:5004", destination: "[2001:db8::2]:6000",
            payload: TestFrames.udpPayload, originalLength: 16)])
    }

    @Test func ipv6ChainRunningPastThePacketIsMalformed() {
        var harness = DecodeHarness(.ipv6)
        // Routing header claims 8 × (255 + 1) bytes.
        let frame = TestFrames.ipv6(nextHeader: 43, payload: [17, 255, 0, 0, 0, 0, 0, 0] + udp)
        #expect(harness.decode(frame) == .malformed(.ipBadExtensionHeader))
        #expect(harness.counters.malformed == ["ip_bad_extension_header": 1])
    }

    @Test func ipv6EndlessChainIsBounded() {
        let hopByHops = (0..<20).flatMap { _ in [UInt8](arrayLiteral: 0, 0, 0, 0, 0, 0, 0, 0) }
        var harness = DecodeHarness(.ipv6)
        #expect(harness.decode(TestFrames.ipv6(nextHeader: 0, payload: hopByHops + udp)) == .malformed(.ipBadExtensionHeader))
    }

    @Test func ipv6EncryptedOrEmptyPayloadIsIgnored() {
        var harness = DecodeHarness(.ipv6)
        #expect(harness.decode(TestFrames.ipv6(nextHeader: 50, payload: [UInt8](repeating: 1, count: 32))) == .ignored)
        #expect(harness.decode(TestFrames.ipv6(nextHeader: 59, payload: [])) == .ignored)
    }

    @Test func ipv6Fragments() {
        var harness = DecodeHarness(.ipv6)
        // Non-first: offset 185 (× 8 bytes), M set.
        let later: [UInt8] = [17, 0] + TestFrames.bigEndian16(185 << 3 | 1) + [0, 0, 0, 1]
        #expect(harness.decode(TestFrames.ipv6(nextHeader: 44, payload: later + [UInt8](repeating: 0, count: 40))) == .fragmentSkipped)
        // First: offset 0, M set; UDP says 1008 bytes, 40 are here.
        let first: [UInt8] = [17, 0, 0, 1, 0, 0, 0, 1]
        let firstPart = TestFrames.udp(sourcePort: 5004, destinationPort: 6000, payload: [UInt8](repeating: 0x80, count: 32), lengthField: 1008)
        #expect(harness.decode(TestFrames.ipv6(nextHeader: 44, payload: first + firstPart)) == .delivered(1))
        #expect(harness.datagrams.first?.payload.count == 32)
        #expect(harness.datagrams.first?.originalLength == 1000)
        #expect(harness.counters.fragmentsSkipped == 1)
    }

    @Test func ipv4Fragments() {
        var harness = DecodeHarness(.ipv4)
        let firstPart = TestFrames.udp(sourcePort: 5004, destinationPort: 6000, payload: [UInt8](repeating: 0x80, count: 1472), lengthField: 2008)
        // First fragment: MF set, offset 0.
        #expect(harness.decode(TestFrames.ipv4(flagsAndOffset: 0x2000, payload: firstPart)) == .delivered(1))
        // Second (last) fragment: offset 185 × 8 = 1480, MF clear.
        #expect(harness.decode(TestFrames.ipv4(flagsAndOffset: 185, payload: [UInt8](repeating: 0, count: 528))) == .fragmentSkipped)
        #expect(harness.datagrams.map(\.payload.count) == [1472])
        #expect(harness.datagrams.map(\.originalLength) == [2000])
        #expect(harness.counters.fragmentsSkipped == 1)
        // Don't-fragment set, no fragmentation: an ordinary datagram.
        #expect(harness.decode(TestFrames.ipv4(flagsAndOffset: 0x4000, payload: udp)) == .delivered(1))
    }

    @Test func ipv4HeaderChecks() {
        var harness = DecodeHarness(.ipv4)
        var badIHL = TestFrames.ipv4UDP
        badIHL[0] = 0x44  // IHL 4 words < 5
        #expect(harness.decode(badIHL) == .malformed(.ipBadHeader))
        var shortTotal = TestFrames.ipv4UDP
        shortTotal[2] = 0; shortTotal[3] = 19  // total length shorter than the header
        #expect(harness.decode(shortTotal) == .malformed(.ipBadHeader))
        var longIHL = TestFrames.ipv4UDP
        longIHL[0] = 0x4F  // 60-byte header, frame holds 44 bytes
        #expect(harness.decode(longIHL) == .malformed(.ipTruncated))
        #expect(harness.counters.malformed == ["ip_bad_header": 2, "ip_truncated": 1])
    }

    @Test func ipv4OptionsAreSkipped() {
        var harness = DecodeHarness(.ipv4)
        let frame = TestFrames.ipv4(options: [0x94, 0x04, 0, 0], payload: udp)  // router alert
        #expect(harness.decode(frame) == .delivered(1))
        #expect(harness.datagrams.first?.payload == TestFrames.udpPayload)
    }

    @Test func segmentationOffloadTotalLengthZeroUsesCapturedBytes() {
        var harness = DecodeHarness(.ipv4)
        #expect(harness.decode(TestFrames.ipv4(totalLength: 0, payload: udp)) == .delivered(1))
        #expect(harness.datagrams.first?.payload == TestFrames.udpPayload)
    }

    @Test func otherProtocolsAreIgnored() {
        var harness = DecodeHarness(.ipv4)
        #expect(harness.decode(TestFrames.ipv4(protocol: 1, payload: [8, 0, 0, 0, 0, 0, 0, 0])) == .ignored)
    }

    @Test func udpLengthChecks() {
        var harness = DecodeHarness(.ipv4)
        let tooShort = TestFrames.udp(sourcePort: 1, destinationPort: 2, payload: [1, 2], lengthField: 4)
        let tooLong = TestFrames.udp(sourcePort: 1, destinationPort: 2, payload: [1, 2], lengthField: 11)
        #expect(harness.decode(TestFrames.ipv4(payload: tooShort)) == .malformed(.udpBadLength))
        #expect(harness.decode(TestFrames.ipv4(payload: tooLong)) == .malformed(.udpBadLength))
        // UDP shorter than its IP payload: trailing bytes are not part of the datagram.
        let shorter = TestFrames.udp(sourcePort: 1, destinationPort: 2, payload: [1, 2, 3], lengthField: 9)
        #expect(harness.decode(TestFrames.ipv4(payload: shorter)) == .delivered(1))
        #expect(harness.datagrams.map(\.payload) == [[1]])
        #expect(harness.counters.malformed == ["udp_bad_length": 2])
    }

    /// Every prefix of a valid frame decodes without trapping, and each lands in the right bucket:
    /// 14 Ethernet + 20 IPv4 + 8 UDP + 16 RTP = 58 bytes.
    @Test func everyTruncationOfAnIPv4FrameIsCountedNotFatal() {
        let frame = TestFrames.ethernetIPv4UDP
        #expect(frame.count == 58)
        var harness = DecodeHarness(.ethernet)
        for length in 0...frame.count {
            harness.decode(Array(frame.prefix(length)))
        }
        #expect(harness.counters.malformed == ["link_truncated": 14, "ip_truncated": 20, "udp_truncated": 8])
        // Lengths 42…58 deliver the datagram cut by the "snaplen", always knowing the wire length.
        #expect(harness.datagrams.count == 17)
        #expect(harness.datagrams.map(\.payload.count) == Array(0...16))
        #expect(harness.datagrams.allSatisfy { $0.originalLength == 16 })
    }

    /// 4 NULL + 40 IPv6 + 64 extension headers + 8 UDP + 16 RTP = 132 bytes.
    @Test func everyTruncationOfAnIPv6ChainIsCountedNotFatal() {
        let frame: [UInt8] = [30, 0, 0, 0] + TestFrames.ipv6(nextHeader: 0, payload: extensionChain + udp)
        #expect(frame.count == 132)
        var harness = DecodeHarness(.null)
        for length in 0...frame.count {
            harness.decode(Array(frame.prefix(length)))
        }
        #expect(harness.counters.malformed == ["link_truncated": 4, "ip_truncated": 40 + 64, "udp_truncated": 8])
        #expect(harness.datagrams.count == 17)
    }
}
