// Hand-built frames for decoder and capture tests. Checksums are left zero: nothing checks them.
// (PcapSourceTests uses this file through a symlink, so both test targets share one builder.)

enum TestFrames {
    static func bigEndian16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func bigEndian32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// A 16-byte RTP packet: version 2, PT 0, the given sequence number, timestamp 160 × seq,
    /// SSRC 0x11223344, 4 payload bytes 0xAA.
    static func rtp(sequence: UInt16) -> [UInt8] {
        [0x80, 0x00] + bigEndian16(sequence) + bigEndian32(UInt32(sequence) * 160)
            + bigEndian32(0x1122_3344) + [0xAA, 0xAA, 0xAA, 0xAA]
    }

    static func udp(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8], lengthField: UInt16? = nil) -> [UInt8] {
        bigEndian16(sourcePort) + bigEndian16(destinationPort)
            + bigEndian16(lengthField ?? UInt16(8 + payload.count)) + [0, 0] + payload
    }

    static let syn: UInt8 = 0x02, ack: UInt8 = 0x10, psh: UInt8 = 0x08, fin: UInt8 = 0x01, rst: UInt8 = 0x04

    static func tcp(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, flags: UInt8, payload: [UInt8]) -> [UInt8] {
        bigEndian16(sourcePort) + bigEndian16(destinationPort) + bigEndian32(sequence) + bigEndian32(0)
            + [0x50, flags] + bigEndian16(65535) + [0, 0, 0, 0] + payload
    }

    /// IPv4 with a 20-byte header (or longer with `options`); `flagsAndOffset` is the raw 16-bit field.
    static func ipv4(
        source: [UInt8] = [10, 0, 0, 1], destination: [UInt8] = [10, 0, 0, 2], protocol proto: UInt8 = 17,
        flagsAndOffset: UInt16 = 0, options: [UInt8] = [], totalLength: UInt16? = nil, payload: [UInt8]
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        return [0x40 | UInt8(headerLength / 4), 0]
            + bigEndian16(totalLength ?? UInt16(headerLength + payload.count))
            + [0x12, 0x34] + bigEndian16(flagsAndOffset) + [64, proto, 0, 0]
            + source + destination + options + payload
    }

    static let v6Source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    static let v6Destination: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]

    /// IPv6; `payload` starts with any extension headers, `nextHeader` names the first one.
    static func ipv6(nextHeader: UInt8 = 17, payloadLength: UInt16? = nil, payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + bigEndian16(payloadLength ?? UInt16(payload.count)) + [nextHeader, 64]
            + v6Source + v6Destination + payload
    }

    static func ethernet(etherType: UInt16, vlanTags: [UInt16] = [], payload: [UInt8]) -> [UInt8] {
        let macs: [UInt8] = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]
        // Each tag is its TPID followed by a TCI (VLAN id 100 + position).
        var tags: [UInt8] = []
        for (index, tpid) in vlanTags.enumerated() {
            tags += bigEndian16(tpid) + bigEndian16(100 + UInt16(index))
        }
        return macs + tags + bigEndian16(etherType) + payload
    }

    /// Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, 6-byte address padded to 8, protocol.
    static func sll(protocol proto: UInt16, payload: [UInt8]) -> [UInt8] {
        [0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 1, 0, 0] + bigEndian16(proto) + payload
    }

    /// Linux cooked v2: protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type 4 (outgoing), address.
    static func sll2(protocol proto: UInt16, payload: [UInt8]) -> [UInt8] {
        bigEndian16(proto) + [0, 0] + bigEndian32(2) + [0, 1, 4, 6] + [0x02, 0, 0, 0, 0, 1, 0, 0] + payload
    }

    /// The standard test datagram: 10.0.0.1:5004 → 10.0.0.2:6000, RTP sequence 7.
    static let udpPayload = rtp(sequence: 7)
    static let ipv4UDP = ipv4(payload: udp(sourcePort: 5004, destinationPort: 6000, payload: udpPayload))
    static let ethernetIPv4UDP = ethernet(etherType: 0x0800, payload: ipv4UDP)
}
