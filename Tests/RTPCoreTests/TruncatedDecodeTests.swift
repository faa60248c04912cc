import Testing
@testable import RTPCore

/// Decoders told the datagram's real length: what the copy holds is checked, what it cuts off is not
/// held against the packet.
@Suite struct TruncatedDecodeTests {
    private func decodeRTP(_ bytes: [UInt8], copied: Int, originalLength: Int? = nil) -> Result<RTPHeader, RTPRejection> {
        bytes.withUnsafeBytes { RTPHeader.decode(UnsafeRawBufferPointer(rebasing: $0[0..<copied]), originalLength: originalLength ?? bytes.count) }
    }

    /// V=2 P=1 X=1 CC=2, PT 96, seq 7, a 2-word one-byte extension, 100 payload bytes, 20 of padding.
    static let padded: [UInt8] = {
        var bytes: [UInt8] = [0xB2, 96, 0, 7, 0, 0, 0, 160, 0, 0, 0, 9] + [UInt8](repeating: 1, count: 8)
        bytes += [0xBE, 0xDE, 0, 2, 0x10, 0xAA, 0, 0, 0, 0, 0, 0]
        bytes += [UInt8](repeating: 0xD5, count: 100) + [UInt8](repeating: 0, count: 19) + [20]
        return bytes
    }()

    @Test func aPacketCutAnywhereAfterItsFixedHeaderDecodesAsTruncated() throws {
        let whole = try decodeRTP(Self.padded, copied: Self.padded.count).get()
        #expect(!whole.isTruncated && whole.paddingLength == 20 && whole.payloadLength == 100)
        for copied in 12..<Self.padded.count {
            let header = try decodeRTP(Self.padded, copied: copied).get()
            #expect(header.isTruncated, "cut at \(copied)")
            #expect(header.sequenceNumber == 7 && header.ssrc == 9 && header.payloadType == 96)
            #expect(header.originalLength == Self.padded.count)
            #expect(header.paddingLength == 0, "the padding count is the last byte: not copied")
            if copied >= 24 {
                #expect(header.extensionLength == 8 && header.payloadOffset == 32)
            }
        }
        for copied in 1..<12 {
            #expect(throws: RTPRejection.headerTruncated) { try decodeRTP(Self.padded, copied: copied).get() }
        }
    }

    @Test func realLengthsAreStillChecked() {
        // Padding count larger than the packet, copied whole: malformed as before.
        var bad = Self.padded
        bad[bad.count - 1] = 200
        #expect(throws: RTPRejection.badPadding) { try decodeRTP(bad, copied: bad.count).get() }
        // An extension longer than the real datagram: malformed even though only a prefix was copied.
        var long = Self.padded
        long[23] = 200
        #expect(throws: RTPRejection.extensionOverrun) { try decodeRTP(long, copied: 40).get() }
        // Version is checked from the first byte, copied or not.
        #expect(throws: RTPRejection.badVersion) { try decodeRTP([0x40] + Self.padded.dropFirst(), copied: 4).get() }
        // Shorter than a header on the wire.
        #expect(throws: RTPRejection.tooShort) { try decodeRTP([0x80, 0, 0], copied: 3).get() }
    }

    private func decodeRTCP(_ bytes: [UInt8], copied: Int) -> RTCPDecodeResult {
        bytes.withUnsafeBytes { RTCPDecoder.decodeCompound(UnsafeRawBufferPointer(rebasing: $0[0..<copied]), originalLength: bytes.count) }
    }

    @Test func aCompoundCutAnywhereKeepsWhatWasCopied() {
        // The SR with one block (52 bytes) then an SDES with a CNAME.
        let sdes: [UInt8] = [0x81, 202, 0, 4, 0x11, 0x22, 0x33, 0x44, 1, 6] + Array("abc@de".utf8) + [0, 0, 0, 0]
        let compound = RTCPDecoderTests.senderReport + sdes
        for copied in 1..<compound.count {
            let result = decodeRTCP(compound, copied: copied)
            #expect(result.rejection == nil && result.truncated, "cut at \(copied)")
            guard case .senderReport(let sr)? = result.packets.first else {
                #expect(copied < 28, "the SR's fixed part was copied at \(copied)")
                continue
            }
            #expect(sr.ssrc == 0x1122_3344)
            #expect(sr.reports.count == (copied >= 52 ? 1 : 0))
            if copied >= 52 + 18 {
                guard case .sourceDescription(let description)? = result.packets.last else {
                    Issue.record("SDES missing at \(copied)")
                    continue
                }
                #expect(description.chunks.first?.cname == "abc@de")
            }
        }
        // A length field past the real end is still malformed.
        var overrun = compound
        overrun[3] = 40
        #expect(decodeRTCP(overrun, copied: 30).rejection == .lengthOverrun)
    }
}
