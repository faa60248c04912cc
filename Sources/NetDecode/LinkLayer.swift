import RTPCore

/// The network protocol found behind a link-layer header.
enum NetworkProtocol {
    case ipv4
    case ipv6
}

/// Where the link layer says the IP header starts, or why there is none.
enum LinkLayerResult {
    case network(NetworkProtocol, offset: Int)
    /// A valid frame carrying something else (ARP, LLDP, 802.2 LLC…).
    case notIP
    case issue(DecodeIssue)
}

/// Strips link-layer headers. Pure functions of the frame bytes.
enum LinkLayer {
    /// Real networks stack two tags (QinQ); more than this is a corrupt or hostile frame.
    static let maxVLANTags = 8

    static func locateNetworkHeader(in frame: UnsafeRawBufferPointer, linkType: LinkType) -> LinkLayerResult {
        switch linkType {
        case .ethernet:
            // dst MAC (6), src MAC (6), EtherType (2).
            guard frame.count >= 14 else { return .issue(.linkTruncated) }
            return followEtherType(frame.loadBigEndianUInt16(at: 12), payloadOffset: 14, in: frame)
        case .linuxSLL:
            // packet type (2), ARPHRD (2), address length (2), address (8), protocol (2).
            guard frame.count >= 16 else { return .issue(.linkTruncated) }
            return followEtherType(frame.loadBigEndianUInt16(at: 14), payloadOffset: 16, in: frame)
        case .linuxSLL2:
            // protocol (2), reserved (2), interface index (4), ARPHRD (2), packet type (1),
            // address length (1), address (8): the protocol comes first in v2.
            guard frame.count >= 20 else { return .issue(.linkTruncated) }
            return followEtherType(frame.loadBigEndianUInt16(at: 0), payloadOffset: 20, in: frame)
        case .null:
            // The address family in the *capturing* host's byte order, which the file does not
            // record. Families are small numbers, so a value with high bits set is byte-swapped.
            guard frame.count >= 4 else { return .issue(.linkTruncated) }
            let raw = UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            return addressFamily(raw & 0xFFFF_0000 == 0 ? raw : raw.byteSwapped)
        case .loop:
            // Like NULL, but always network byte order (OpenBSD).
            guard frame.count >= 4 else { return .issue(.linkTruncated) }
            return addressFamily(frame.loadBigEndianUInt32(at: 0))
        case .raw:
            guard frame.count >= 1 else { return .issue(.linkTruncated) }
            switch frame[0] >> 4 {
            case 4: return .network(.ipv4, offset: 0)
            case 6: return .network(.ipv6, offset: 0)
            default: return .issue(.ipBadHeader)
            }
        case .ipv4:
            return .network(.ipv4, offset: 0)
        case .ipv6:
            return .network(.ipv6, offset: 0)
        }
    }

    /// Follows an EtherType through any stack of 802.1Q / 802.1ad (QinQ) tags. Each tag sits where
    /// the payload would start: TCI (2 bytes) then the next EtherType (2 bytes).
    private static func followEtherType(
        _ firstType: UInt16, payloadOffset firstPayloadOffset: Int, in frame: UnsafeRawBufferPointer
    ) -> LinkLayerResult {
        var etherType = firstType
        var payloadOffset = firstPayloadOffset
        for _ in 0...maxVLANTags {
            switch etherType {
            case 0x0800:
                return .network(.ipv4, offset: payloadOffset)
            case 0x86DD:
                return .network(.ipv6, offset: payloadOffset)
            case 0x8100, 0x88A8, 0x9100, 0x9200:
                guard frame.count >= payloadOffset + 4 else { return .issue(.linkTruncated) }
                etherType = frame.loadBigEndianUInt16(at: payloadOffset + 2)
                payloadOffset += 4
            default:
                return .notIP
            }
        }
        return .issue(.linkBadHeader)
    }

    /// BSD AF_ values: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD),
    /// 30 (macOS) — a file can come from any of them.
    private static func addressFamily(_ family: UInt32) -> LinkLayerResult {
        switch family {
        case 2: return .network(.ipv4, offset: 4)
        case 24, 28, 30: return .network(.ipv6, offset: 4)
        default: return .notIP
        }
    }
}
