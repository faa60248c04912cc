import Testing
@testable import RTPCore

@Suite struct RTPHeaderExtensionTests {
    /// Fixed header with X=1 (V=2, PT 96, seq 1, ts 0, SSRC 1), then the extension header and data.
    private func packet(profile: (UInt8, UInt8), words: UInt8, data: [UInt8], payload: [UInt8] = [0xAA]) -> [UInt8] {
        [0x90, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, profile.0, profile.1, 0x00, words] + data + payload
    }

    private func elements(_ bytes: [UInt8]) -> Result<[RTPHeaderExtensionElement], RTPRejection>? {
        bytes.withUnsafeBytes { raw in
            guard case .success(let header) = RTPHeader.decode(raw) else { return nil }
            return header.extensionElements(in: raw)
        }
    }

    @Test func oneByteElementsWithPadding() {
        // ID 1 len 1 (0x10: 1 byte), padding 0, ID 2 len 3 (0x22: 3 bytes), then 2 padding bytes → 8 bytes = 2 words.
        let bytes = packet(profile: (0xBE, 0xDE), words: 2, data: [0x10, 0x7F, 0x00, 0x22, 0xA1, 0xA2, 0xA3, 0x00])
        // Data starts at 16: element 1's data at 17, element 2's header at 19, data at 20.
        #expect(elements(bytes) == .success([
            RTPHeaderExtensionElement(id: 1, offset: 17, length: 1),
            RTPHeaderExtensionElement(id: 2, offset: 20, length: 3),
        ]))
    }

    @Test func oneByteMaximumLengthAndReservedID15() {
        // ID 14 with L=15 → 16 data bytes, then ID 15 stops parsing (the byte after it is ignored).
        let bytes = packet(profile: (0xBE, 0xDE), words: 5,
                           data: [0xEF] + Array(1...16) + [0xF3, 0x11, 0x00])
        #expect(elements(bytes) == .success([RTPHeaderExtensionElement(id: 14, offset: 17, length: 16)]))
    }

    @Test func oneByteOverrun() {
        // ID 3 claims 4 bytes (0x33) but only 3 remain in the 1-word extension.
        #expect(elements(packet(profile: (0xBE, 0xDE), words: 1, data: [0x33, 1, 2, 3])) == .failure(.extensionOverrun))
    }

    @Test func twoByteElements() {
        // Profile 0x1000 (appBits 0): ID 5 len 0, padding, ID 200 len 3 → 2 + 1 + 5 = 8 bytes.
        let bytes = packet(profile: (0x10, 0x00), words: 2, data: [0x05, 0x00, 0x00, 0xC8, 0x03, 0xB1, 0xB2, 0xB3])
        #expect(bytes.withUnsafeBytes { try? RTPHeader.decode($0).get().extensionKind } == .twoByte(appBits: 0))
        #expect(elements(bytes) == .success([
            RTPHeaderExtensionElement(id: 5, offset: 18, length: 0),
            RTPHeaderExtensionElement(id: 200, offset: 21, length: 3),
        ]))
    }

    @Test func twoByteOverruns() {
        // Length 9 but 2 data bytes remain.
        #expect(elements(packet(profile: (0x10, 0x01), words: 1, data: [0x07, 0x09, 1, 2])) == .failure(.extensionOverrun))
        // An element header cut in half by the end of the extension.
        #expect(elements(packet(profile: (0x10, 0x01), words: 1, data: [0x07, 0x01, 0x55, 0x08])) == .failure(.extensionOverrun))
    }

    @Test func otherProfilesAndNoExtensionHaveNoElements() {
        #expect(elements(packet(profile: (0xAB, 0xCD), words: 1, data: [1, 2, 3, 4])) == .success([]))
        let plain: [UInt8] = [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA]
        #expect(elements(plain) == .success([]))
    }

    @Test func aShorterBufferThanTheDecodedOneIsAnOverrunNotACrash() throws {
        let bytes = packet(profile: (0xBE, 0xDE), words: 1, data: [0x10, 0x7F, 0x00, 0x00])
        let header = try bytes.withUnsafeBytes { try RTPHeader.decode($0).get() }
        let result = Array(bytes.prefix(18)).withUnsafeBytes { header.extensionElements(in: $0) }
        #expect(result == .failure(.extensionOverrun))
    }
}
