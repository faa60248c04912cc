// RFC 8285 header-extension elements (one-byte and two-byte forms) inside an RTP header extension.

/// One extension element: its local ID and where its data lies in the packet buffer.
public struct RTPHeaderExtensionElement: Equatable, Sendable {
    public var id: UInt8
    /// Offset of the element's data (after its ID/length header) in the packet buffer.
    public var offset: Int
    /// Data length in bytes (one-byte form: 1–16; two-byte form: 0–255).
    public var length: Int

    public init(id: UInt8, offset: Int, length: Int) {
        self.id = id
        self.offset = offset
        self.length = length
    }
}

extension RTPHeader {
    /// The RFC 8285 elements of the header extension, read from the buffer this header was decoded from.
    ///
    /// Empty when there is no extension or its profile is not 0xBEDE / 0x100X (such extensions have no
    /// element structure). An element running past the extension is `.extensionOverrun`.
    public func extensionElements(in bytes: UnsafeRawBufferPointer) -> Result<[RTPHeaderExtensionElement], RTPRejection> {
        guard let kind = extensionKind else { return .success([]) }
        // The header geometry came from `decode`, but `bytes` is the caller's: re-check it holds the extension.
        let end = extensionOffset + extensionLength
        guard extensionOffset >= 0, end <= bytes.count else { return .failure(.extensionOverrun) }
        switch kind {
        case .oneByte:
            return RTPExtensionElementParser.oneByte(bytes, from: extensionOffset, to: end)
        case .twoByte:
            return RTPExtensionElementParser.twoByte(bytes, from: extensionOffset, to: end)
        case .other:
            return .success([])
        }
    }
}

/// The two RFC 8285 element layouts. Padding bytes (0) may appear between and after elements.
enum RTPExtensionElementParser {
    /// RFC 8285 §4.2: one byte `ID(4) | L(4)` then L+1 data bytes; IDs 1–14.
    static func oneByte(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int)
        -> Result<[RTPHeaderExtensionElement], RTPRejection> {
        var elements: [RTPHeaderExtensionElement] = []
        var offset = start
        while offset < end {
            let header = bytes[offset]
            if header == 0 {  // padding
                offset += 1
                continue
            }
            let id = header >> 4
            // ID 15 is reserved: "processing of the entire extension should terminate" (RFC 8285 §4.2).
            // ID 0 with a non-zero length is not padding and has no meaning either; libwebrtc stops there too.
            if id == 15 || id == 0 { break }
            let length = Int(header & 0x0F) + 1
            guard offset + 1 + length <= end else { return .failure(.extensionOverrun) }
            elements.append(RTPHeaderExtensionElement(id: id, offset: offset + 1, length: length))
            offset += 1 + length
        }
        return .success(elements)
    }

    /// RFC 8285 §4.3: `ID(8) | L(8)` then L data bytes (L may be 0); ID 0 is a padding byte.
    static func twoByte(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int)
        -> Result<[RTPHeaderExtensionElement], RTPRejection> {
        var elements: [RTPHeaderExtensionElement] = []
        var offset = start
        while offset < end {
            let id = bytes[offset]
            if id == 0 {  // padding
                offset += 1
                continue
            }
            guard offset + 2 <= end else { return .failure(.extensionOverrun) }
            let length = Int(bytes[offset + 1])
            guard offset + 2 + length <= end else { return .failure(.extensionOverrun) }
            elements.append(RTPHeaderExtensionElement(id: id, offset: offset + 2, length: length))
            offset += 2 + length
        }
        return .success(elements)
    }
}
