/// Why a payload was refused as RTP. Every rejection is counted under one of these reasons.
public enum RTPRejection: String, Error, Sendable, Codable, CaseIterable {
    case tooShort = "too_short"                       // < 12 bytes
    case badVersion = "bad_version"                   // version != 2
    case csrcOverrun = "csrc_overrun"                 // CSRC list runs past the end
    case extensionOverrun = "extension_overrun"       // header extension runs past the end
    case badPadding = "bad_padding"                   // padding count 0 or larger than the payload
}

/// RFC 8285 header-extension profiles, identified by the "defined by profile" word.
public enum RTPExtensionProfile: Equatable, Sendable {
    case oneByte                 // 0xBEDE
    case twoByte(appBits: UInt8) // 0x100X
    case other(UInt16)
}

/// A decoded RTP fixed header (RFC 3550 §5.1) and the geometry of what follows it.
/// Decoding never copies: offsets point into the caller's buffer.
public struct RTPHeader: Equatable, Sendable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcCount: Int
    public var hasPadding: Bool
    public var hasExtension: Bool
    /// Extension profile word and length in bytes (excluding the 4-byte extension header).
    public var extensionProfile: UInt16
    public var extensionLength: Int
    /// Offset of the extension data (after the 4-byte extension header), if any.
    public var extensionOffset: Int
    public var paddingLength: Int
    /// Offset and length of the media payload (after header, CSRCs and extension, before padding).
    public var payloadOffset: Int
    public var payloadLength: Int

    public var extensionKind: RTPExtensionProfile? {
        guard hasExtension else { return nil }
        if extensionProfile == 0xBEDE { return .oneByte }
        if extensionProfile & 0xFFF0 == 0x1000 { return .twoByte(appBits: UInt8(extensionProfile & 0x0F)) }
        return .other(extensionProfile)
    }

    /// Decodes the header. On failure returns the reason, never traps.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<RTPHeader, RTPRejection> {
        let count = bytes.count
        guard count >= 12 else { return .failure(.tooShort) }
        let b0 = bytes[0]
        guard b0 >> 6 == 2 else { return .failure(.badVersion) }
        let b1 = bytes[1]
        let csrcCount = Int(b0 & 0x0F)
        var offset = 12 + 4 * csrcCount
        guard offset <= count else { return .failure(.csrcOverrun) }
        let hasExtension = b0 & 0x10 != 0
        var extensionProfile: UInt16 = 0
        var extensionLength = 0
        var extensionOffset = 0
        if hasExtension {
            guard offset + 4 <= count else { return .failure(.extensionOverrun) }
            extensionProfile = bytes.loadBigEndianUInt16(at: offset)
            extensionLength = Int(bytes.loadBigEndianUInt16(at: offset + 2)) * 4
            extensionOffset = offset + 4
            offset = extensionOffset + extensionLength
            guard offset <= count else { return .failure(.extensionOverrun) }
        }
        let hasPadding = b0 & 0x20 != 0
        var paddingLength = 0
        if hasPadding {
            paddingLength = Int(bytes[count - 1])
            guard paddingLength > 0, paddingLength <= count - offset else { return .failure(.badPadding) }
        }
        return .success(RTPHeader(
            marker: b1 & 0x80 != 0,
            payloadType: b1 & 0x7F,
            sequenceNumber: bytes.loadBigEndianUInt16(at: 2),
            timestamp: bytes.loadBigEndianUInt32(at: 4),
            ssrc: bytes.loadBigEndianUInt32(at: 8),
            csrcCount: csrcCount,
            hasPadding: hasPadding,
            hasExtension: hasExtension,
            extensionProfile: extensionProfile,
            extensionLength: extensionLength,
            extensionOffset: extensionOffset,
            paddingLength: paddingLength,
            payloadOffset: offset,
            payloadLength: count - offset - paddingLength
        ))
    }

    /// The CSRC identifiers, read from the buffer the header was decoded from. Empty if `bytes` is too
    /// short to hold them (a different buffer than the one decoded), rather than reading past its end.
    public func csrcs(in bytes: UnsafeRawBufferPointer) -> [UInt32] {
        guard csrcCount >= 0, 12 + 4 * csrcCount <= bytes.count else { return [] }
        return (0..<csrcCount).map { bytes.loadBigEndianUInt32(at: 12 + 4 * $0) }
    }
}
