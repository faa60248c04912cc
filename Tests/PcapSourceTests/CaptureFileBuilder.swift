import Foundation

/// Writes classic pcap and pcapng files byte by byte, so tests control every field (and every
/// corruption) without depending on libpcap's writer.
struct CaptureFileBuilder {
    enum Format {
        case microsecondLittleEndian, nanosecondLittleEndian, microsecondBigEndian
    }

    struct Record {
        var seconds: UInt32
        var subseconds: UInt32
        var frame: [UInt8]
        /// Overrides for the record header (crafting lies); default to the frame's length.
        var capturedLength: UInt32? = nil
        var originalLength: UInt32? = nil
    }

    static func pcap(format: Format = .microsecondLittleEndian, snaplen: UInt32 = 65535, linkType: UInt32 = 1, records: [Record]) -> [UInt8] {
        let bigEndian = format == .microsecondBigEndian
        func word(_ value: UInt32) -> [UInt8] {
            withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian, Array.init)
        }
        func half(_ value: UInt16) -> [UInt8] {
            withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian, Array.init)
        }
        let magic: UInt32 = format == .nanosecondLittleEndian ? 0xA1B2_3C4D : 0xA1B2_C3D4
        var bytes = word(magic) + half(2) + half(4) + word(0) + word(0) + word(snaplen) + word(linkType)
        for record in records {
            bytes += word(record.seconds) + word(record.subseconds)
                + word(record.capturedLength ?? UInt32(record.frame.count))
                + word(record.originalLength ?? UInt32(record.frame.count)) + record.frame
        }
        return bytes
    }

    /// A little-endian pcapng block: type, total length, body padded to 32 bits, total length.
    static func pcapngBlock(type: UInt32, body: [UInt8]) -> [UInt8] {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let length = le32(UInt32(12 + padded.count))
        return le32(type) + length + padded + length
    }

    static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
    static func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }

    /// Section header (byte-order magic, version 1.0, unknown section length), one interface of
    /// `linkType` (default resolution: microseconds), then `blocks`.
    static func pcapng(linkType: UInt16 = 1, blocks: [[UInt8]]) -> [UInt8] {
        let sectionHeader = pcapngBlock(type: 0x0A0D_0D0A, body: le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8))
        return sectionHeader + interfaceDescription(linkType: linkType) + blocks.flatMap { $0 }
    }

    /// Interface description block: link type, reserved, snaplen 65535, no options.
    static func interfaceDescription(linkType: UInt16) -> [UInt8] {
        pcapngBlock(type: 1, body: le16(linkType) + le16(0) + le32(65535))
    }

    /// Enhanced packet block; `microseconds` since the epoch.
    static func enhancedPacket(interface: UInt32 = 0, microseconds: UInt64, frame: [UInt8]) -> [UInt8] {
        pcapngBlock(type: 6, body: le32(interface) + le32(UInt32(microseconds >> 32)) + le32(UInt32(microseconds & 0xFFFF_FFFF))
            + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame)
    }
}

/// A private temporary directory per test, removed at the end.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pcapsource-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
