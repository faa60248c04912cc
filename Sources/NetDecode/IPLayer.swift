import RTPCore

/// An IP packet's addresses and where its transport header is.
struct IPPacket {
    var source: IPAddress
    var destination: IPAddress
    var transportProtocol: UInt8
    /// Offset of the transport header in the frame.
    var payloadOffset: Int
    /// Transport bytes the header says the packet has (this fragment only, when fragmented).
    var declaredPayloadLength: Int
    /// Transport bytes actually present in the frame: never more than declared (Ethernet padding is
    /// cut off), fewer when the capture snaplen cut the packet.
    var capturedPayloadLength: Int
    /// The first fragment of a fragmented datagram: its transport header is complete, its payload
    /// is only the first part.
    var isFirstFragment: Bool
}

enum IPLayerResult {
    case packet(IPPacket)
    /// A non-first fragment: no transport header, nothing to attribute it to.
    case laterFragment
    /// Valid IP, but nothing a transport decoder can read (ESP, no next header).
    case opaque
    case issue(DecodeIssue)
}

/// IPv4 and IPv6 header decoding. Pure functions of the frame bytes.
enum IPLayer {
    /// Longer IPv6 extension chains than this do not occur in practice; the bound keeps hostile
    /// input from costing more than a few dozen reads.
    static let maxExtensionHeaders = 16

    static func decodeIPv4(_ frame: UnsafeRawBufferPointer, at ip: Int) -> IPLayerResult {
        guard frame.count - ip >= 20 else { return .issue(.ipTruncated) }
        let versionAndIHL = frame[ip]
        let headerLength = Int(versionAndIHL & 0x0F) * 4
        guard versionAndIHL >> 4 == 4, headerLength >= 20 else { return .issue(.ipBadHeader) }
        guard frame.count - ip >= headerLength else { return .issue(.ipTruncated) }

        let totalLength = Int(frame.loadBigEndianUInt16(at: ip + 2))
        let capturedAfterHeader = frame.count - ip - headerLength
        let declaredPayload: Int
        if totalLength == 0 {
            // Segmentation offload: a sender-side capture sees the super-packet before the NIC
            // splits it, with total length 0. Trust the captured bytes (as Wireshark does).
            declaredPayload = capturedAfterHeader
        } else {
            guard totalLength >= headerLength else { return .issue(.ipBadHeader) }
            declaredPayload = totalLength - headerLength
        }

        let flagsAndOffset = frame.loadBigEndianUInt16(at: ip + 6)
        guard flagsAndOffset & 0x1FFF == 0 else { return .laterFragment }

        return .packet(IPPacket(
            source: IPAddress(v4Bytes: frame, at: ip + 12),
            destination: IPAddress(v4Bytes: frame, at: ip + 16),
            transportProtocol: frame[ip + 9],
            payloadOffset: ip + headerLength,
            declaredPayloadLength: declaredPayload,
            capturedPayloadLength: min(declaredPayload, capturedAfterHeader),
            isFirstFragment: flagsAndOffset & 0x2000 != 0
        ))
    }

    static func decodeIPv6(_ frame: UnsafeRawBufferPointer, at ip: Int) -> IPLayerResult {
        guard frame.count - ip >= 40 else { return .issue(.ipTruncated) }
        guard frame[ip] >> 4 == 6 else { return .issue(.ipBadHeader) }

        let capturedAfterHeader = frame.count - ip - 40
        let payloadLength = Int(frame.loadBigEndianUInt16(at: ip + 4))
        // 0 means a jumbogram (or segmentation offload): the captured bytes are all we know.
        let declaredEnd = ip + 40 + (payloadLength == 0 ? capturedAfterHeader : payloadLength)
        let capturedEnd = min(declaredEnd, frame.count)

        var nextHeader = frame[ip + 6]
        var cursor = ip + 40
        var isFirstFragment = false

        /// Checks that `length` header bytes at the cursor exist, telling a cut capture from a lie.
        func extensionBytesMissing(_ length: Int) -> DecodeIssue? {
            if cursor + length > declaredEnd { return .ipBadExtensionHeader }
            if cursor + length > capturedEnd { return .ipTruncated }
            return nil
        }

        for _ in 0..<maxExtensionHeaders {
            switch nextHeader {
            case 0, 43, 60, 135, 139, 140:
                // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-byte
                // units, not counting the first 8.
                if let issue = extensionBytesMissing(2) { return .issue(issue) }
                let length = (Int(frame[cursor + 1]) + 1) * 8
                if let issue = extensionBytesMissing(length) { return .issue(issue) }
                nextHeader = frame[cursor]
                cursor += length
            case 44:
                // Fragment header: fixed 8 bytes; offset in the top 13 bits, M flag in the lowest.
                if let issue = extensionBytesMissing(8) { return .issue(issue) }
                let offsetAndFlags = frame.loadBigEndianUInt16(at: cursor + 2)
                guard offsetAndFlags & 0xFFF8 == 0 else { return .laterFragment }
                isFirstFragment = offsetAndFlags & 1 != 0
                nextHeader = frame[cursor]
                cursor += 8
            case 51:
                // Authentication header: length in 4-byte units, not counting the first 8.
                if let issue = extensionBytesMissing(2) { return .issue(issue) }
                let length = (Int(frame[cursor + 1]) + 2) * 4
                if let issue = extensionBytesMissing(length) { return .issue(issue) }
                nextHeader = frame[cursor]
                cursor += length
            case 50, 59:
                // ESP encrypts everything after it; 59 says nothing follows.
                return .opaque
            default:
                return .packet(IPPacket(
                    source: IPAddress(v6Bytes: frame, at: ip + 8),
                    destination: IPAddress(v6Bytes: frame, at: ip + 24),
                    transportProtocol: nextHeader,
                    payloadOffset: cursor,
                    declaredPayloadLength: declaredEnd - cursor,
                    capturedPayloadLength: capturedEnd - cursor,
                    isFirstFragment: isFirstFragment
                ))
            }
        }
        return .issue(.ipBadExtensionHeader)
    }
}
