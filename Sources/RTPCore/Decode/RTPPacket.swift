/// Why a payload was refused as RTP. Every rejection is counted under one of these reasons.
public enum RTPRejection: String, Error, Sendable, Codable, CaseIterable {
    case tooShort = "too_short"                       // < 12 bytes
    case badVersion = "bad_version"                   // version != 2
    case csrcOverrun = "csrc_overrun"                 // CSRC list runs past the end
    case extensionOverrun = "extension_overrun"       // header extension runs past the end
    case badPadding = "bad_padding"                   // padding count 0 or larger than the payload
    /// Not malformed: the source copied fewer than 12 bytes of a longer datagram (a snaplen cut
    /// inside the fixed header), so the SSRC and sequence number cannot be read.
    case headerTruncated = "header_truncated"
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

    /// The datagram's length on the wire; larger than the buffer decoded when the source copied only
    /// a prefix (a snaplen). Then `isTruncated` is set.
    public var originalLength: Int
    /// The copy ends before the packet does: the fields that lie beyond it (CSRCs, the extension,
    /// the padding count in the last byte) could not all be read; what could is checked. Such a packet
    /// is valid RTP as far as anyone can tell and is counted as RTP, never as malformed.
    public var isTruncated: Bool

    /// Decodes the header. On failure returns the reason, never traps.
    ///
    /// `originalLength` is the datagram's length on the wire when `bytes` is only its first part
    /// (`Datagram.originalLength`). Every length check runs against the real length; bytes beyond the
    /// copy are cut off, not missing: a CSRC list, extension or padding that the real length holds but
    /// the copy does not is accepted (`isTruncated`), and only what was copied is validated. Padding is
    /// then unknown (its count is the packet's last byte) and taken as 0.
    public static func decode(_ bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) -> Result<RTPHeader, RTPRejection> {
        let count = bytes.count
        let length = max(originalLength ?? count, count)
        guard length >= 12 else { return .failure(.tooShort) }
        if count >= 1 && bytes[0] >> 6 != 2 { return .failure(.badVersion) }
        guard count >= 12 else { return .failure(.headerTruncated) }
        let b0 = bytes[0]
        let b1 = bytes[1]
        let csrcCount = Int(b0 & 0x0F)
        var offset = 12 + 4 * csrcCount
        guard offset <= length else { return .failure(.csrcOverrun) }
        let hasExtension = b0 & 0x10 != 0
        var extensionProfile: UInt16 = 0
        var extensionLength = 0
        var extensionOffset = 0
        if hasExtension {
            guard offset + 4 <= length else { return .failure(.extensionOverrun) }
            extensionOffset = offset + 4
            if offset + 4 <= count {
                extensionProfile = bytes.loadBigEndianUInt16(at: offset)
                extensionLength = Int(bytes.loadBigEndianUInt16(at: offset + 2)) * 4
            }
            // A cut extension header: its length is unknown, the payload starts somewhere after it.
            offset = extensionOffset + extensionLength
            guard offset <= length else { return .failure(.extensionOverrun) }
        }
        let hasPadding = b0 & 0x20 != 0
        var paddingLength = 0
        if hasPadding && count == length {
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
            payloadLength: length - offset - paddingLength,
            originalLength: length,
            isTruncated: count < length
        ))
    }

    /// The CSRC identifiers, read from the buffer the header was decoded from. Empty if `bytes` is too
    /// short to hold them (a different buffer than the one decoded), rather than reading past its end.
    public func csrcs(in bytes: UnsafeRawBufferPointer) -> [UInt32] {
        guard csrcCount >= 0, 12 + 4 * csrcCount <= bytes.count else { return [] }
        return (0..<csrcCount).map { bytes.loadBigEndianUInt32(at: 12 + 4 * $0) }
    }
}
