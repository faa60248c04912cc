import Testing
@testable import RTPCore

@Suite struct PayloadClassifierTests {
    private func kind(_ bytes: [UInt8]) -> PayloadKind {
        bytes.withUnsafeBytes { PayloadClassifier.classify($0) }
    }

    /// A second byte of 0 keeps 128–191 on the RTP side, so only the first byte matters here.
    @Test(arguments: [
        (UInt8(0), PayloadKind.stun), (3, .stun), (4, .unknown), (15, .unknown),
        (16, .zrtp), (19, .zrtp), (20, .dtls), (63, .dtls), (64, .turnChannel), (79, .turnChannel),
        (80, .unknown), (127, .unknown), (128, .rtp), (191, .rtp), (192, .unknown), (255, .unknown),
    ])
    func firstByteRanges(first: UInt8, expected: PayloadKind) {
        #expect(kind([first, 0]) == expected)
    }

    /// RFC 5761: second byte 192–223 is RTCP (SR is 200, RR 201), everything else RTP.
    @Test(arguments: [
        (UInt8(0), PayloadKind.rtp), (96, .rtp), (191, .rtp), (192, .rtcp), (200, .rtcp), (201, .rtcp),
        (223, .rtcp), (224, .rtp), (255, .rtp),
    ])
    func rtcpMuxSecondByte(second: UInt8, expected: PayloadKind) {
        #expect(kind([0x80, second]) == expected)
        #expect(kind([0xBF, second]) == expected)
    }

    @Test func shortInputs() {
        #expect(kind([]) == .unknown)
        // One byte is enough for the non-RTP ranges but not to tell RTP from RTCP.
        #expect(kind([0x80]) == .unknown)
        #expect(kind([0x00]) == .stun)
        #expect(kind([0x17]) == .dtls)
    }

    @Test func rawValuesAreMetricLabels() {
        #expect(PayloadKind.turnChannel.rawValue == "turn_channel")
        #expect(PayloadKind.allCases.map(\.rawValue) == ["stun", "zrtp", "dtls", "turn_channel", "rtp", "rtcp", "unknown"])
    }
}
