#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RTPCore

@Suite struct RTPHeaderTests {
    @Test func decodesFixedHeaderWithCSRCAndOneByteExtension() {
        // V=2 P=0 X=1 CC=1, M=1 PT=96, seq 0x1234, ts 0xDEADBEEF, ssrc 0x01020304, 1 CSRC,
        // extension 0xBEDE length 1 word, 2 payload bytes.
        let bytes: [UInt8] = [0x91, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04,
                              0xAA, 0xBB, 0xCC, 0xDD,
                              0xBE, 0xDE, 0x00, 0x01, 0x10, 0x7F, 0x00, 0x00,
                              0x55, 0x66]
        let header = bytes.withUnsafeBytes { try? RTPHeader.decode($0).get() }
        #expect(header?.marker == true)
        #expect(header?.payloadType == 96)
        #expect(header?.sequenceNumber == 0x1234)
        #expect(header?.timestamp == 0xDEAD_BEEF)
        #expect(header?.ssrc == 0x0102_0304)
        #expect(header?.csrcCount == 1)
        #expect(header?.extensionKind == .oneByte)
        #expect(header?.extensionLength == 4)
        #expect(header?.payloadOffset == 24)
        #expect(header?.payloadLength == 2)
    }

    @Test func rejectsWithAReason() {
        func reject(_ bytes: [UInt8]) -> RTPRejection? {
            bytes.withUnsafeBytes { raw in
                if case .failure(let reason) = RTPHeader.decode(raw) { return reason }
                return nil
            }
        }
        #expect(reject([0x80, 0x00]) == .tooShort)
        #expect(reject([0x40] + Array(repeating: 0, count: 11)) == .badVersion)
        #expect(reject([0x8F] + Array(repeating: 0, count: 11)) == .csrcOverrun)
        #expect(reject([0x90] + Array(repeating: 0, count: 11) + [0xBE, 0xDE, 0x00, 0x05]) == .extensionOverrun)
        #expect(reject([0xA0] + Array(repeating: 0, count: 11) + [0x01, 0x00]) == .badPadding)
    }

    @Test func paddingIsExcludedFromThePayload() throws {
        // P=1, 4 payload bytes then 3 padding bytes whose last byte counts them.
        let bytes: [UInt8] = [0xA0, 0x08, 0x00, 0x07, 0, 0, 0, 0xA0, 0, 0, 0, 5, 1, 2, 3, 4, 0, 0, 3]
        let header = try bytes.withUnsafeBytes { try RTPHeader.decode($0).get() }
        #expect(header.payloadType == 8)
        #expect(header.marker == false)
        #expect(header.hasPadding)
        #expect(header.paddingLength == 3)
        #expect(header.payloadOffset == 12)
        #expect(header.payloadLength == 4)
        #expect(header.extensionKind == nil)
    }

    @Test func csrcsAreReadOnlyFromABufferThatHoldsThem() throws {
        let bytes: [UInt8] = [0x82, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x0A, 0, 0, 0, 0x0B]
        let header = try bytes.withUnsafeBytes { try RTPHeader.decode($0).get() }
        #expect(bytes.withUnsafeBytes { header.csrcs(in: $0) } == [10, 11])
        #expect(Array(bytes.prefix(16)).withUnsafeBytes { header.csrcs(in: $0) } == [])
    }

    @Test func extensionProfilesAreIdentified() {
        func kind(_ profile: (UInt8, UInt8)) -> RTPExtensionProfile? {
            let bytes: [UInt8] = [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, profile.0, profile.1, 0, 0]
            return bytes.withUnsafeBytes { try? RTPHeader.decode($0).get().extensionKind }
        }
        #expect(kind((0xBE, 0xDE)) == .oneByte)
        #expect(kind((0x10, 0x00)) == .twoByte(appBits: 0))
        #expect(kind((0x10, 0x0F)) == .twoByte(appBits: 15))
        #expect(kind((0x10, 0x10)) == .other(0x1010))
        #expect(kind((0x00, 0x01)) == .other(1))
    }

    @Test func paddingMayNotEatTheHeaderExtension() {
        // X=1 and P=1: a 1-word extension, no payload, padding count 1 is still inside the extension → rejected.
        let bytes: [UInt8] = [0xB0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x10, 0, 0, 1]
        #expect(bytes.withUnsafeBytes { raw -> RTPRejection? in
            if case .failure(let reason) = RTPHeader.decode(raw) { return reason }
            return nil
        } == .badPadding)
    }

    @Test func endpointsFormatLikeTheJSONContract() {
        #expect(Endpoint("127.0.0.1:5004")?.description == "127.0.0.1:5004")
        #expect(Endpoint("[::1]:5004")?.description == "[::1]:5004")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("2001:4860:4864:6::81")?.description == "2001:4860:4864:6::81")
        #expect(IPAddress("::ffff:1.2.3.4")?.description == "::ffff:102:304")
    }

    /// IPv4 endpoints are spelled byte by byte; the C library's inet_ntop is the reference.
    @Test func ipv4EndpointsSpellAsInetNtop() {
        var generator = SystemRandomNumberGenerator()
        var cases: [(UInt32, UInt16)] = [(0, 0), (0xFFFF_FFFF, 65535), (0x7F00_0001, 5004), (0x0A00_0009, 10), (0x6464_6464, 9999)]
        for _ in 0..<5000 {
            cases.append((UInt32.random(in: .min ... .max, using: &generator), UInt16.random(in: .min ... .max, using: &generator)))
        }
        for (value, port) in cases {
            var address = in_addr(s_addr: value.bigEndian)
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let reference = String(cString: inet_ntop(AF_INET, &address, &text, socklen_t(text.count))!)
            #expect(IPAddress(v4: value).description == reference)
            #expect(Endpoint(address: IPAddress(v4: value), port: port).description == "\(reference):\(port)")
        }
    }
}
