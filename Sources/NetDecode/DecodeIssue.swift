import RTPCore

/// Why a frame (or part of a TCP stream) could not be turned into datagrams. The raw values are the
/// keys of `AnalysisSummary.malformed`.
public enum DecodeIssue: String, CaseIterable, Sendable {
    /// The frame ends inside the link-layer header.
    case linkTruncated = "link_truncated"
    /// The link-layer header is inconsistent (e.g. more VLAN tags than any real network stacks).
    case linkBadHeader = "link_bad_header"
    /// The frame ends inside the IPv4/IPv6 header.
    case ipTruncated = "ip_truncated"
    /// Wrong IP version, IHL < 5, total length shorter than the header.
    case ipBadHeader = "ip_bad_header"
    /// An IPv6 extension header runs past the end of the packet, or the chain is absurdly long.
    case ipBadExtensionHeader = "ip_bad_extension_header"
    /// The frame ends inside the UDP header.
    case udpTruncated = "udp_truncated"
    /// UDP length field below 8 or beyond the IP payload.
    case udpBadLength = "udp_bad_length"
    /// The frame ends inside the TCP header, or a reassembled segment lost its tail to the snaplen.
    case tcpTruncated = "tcp_truncated"
    /// TCP data offset below 5 words or beyond the IP payload.
    case tcpBadHeader = "tcp_bad_header"
    /// Bytes missing in a TCP direction: its RFC 4571 parser was reset.
    case tcpSequenceGap = "tcp_sequence_gap"
    /// Too many TCP directions tracked at once: segments of new ones are dropped.
    case tcpFlowLimit = "tcp_flow_limit"
    /// SIP over TCP: a message without a valid Content-Length (delivered without its body).
    case sipTCPBadContentLength = "sip_tcp_bad_content_length"
    /// SIP over TCP: a message larger than `SIPParser.maxMessageBytes` (skipped).
    case sipTCPTooLarge = "sip_tcp_too_large"
    /// SIP over TCP: bytes skipped while looking for a message start (counted in bytes).
    case sipTCPUnframedBytes = "sip_tcp_unframed_bytes"

    /// The SIP framer's reasons under the same keys.
    init(_ issue: SIPStreamFramer.Issue) {
        switch issue {
        case .badContentLength: self = .sipTCPBadContentLength
        case .tooLarge: self = .sipTCPTooLarge
        case .unframedBytes: self = .sipTCPUnframedBytes
        }
    }

    /// The `AnalysisSummary.malformed` key.
    public var key: String { rawValue }
}

/// What the decoder counted besides the datagrams it delivered. Kept as plain integers indexed by
/// issue so that counting on the per-packet path never hashes or allocates.
public struct DecodeCounters: Equatable, Sendable {
    private static let issues = DecodeIssue.allCases

    /// Non-first IPv4/IPv6 fragments: they carry no transport header, so they cannot be attributed.
    public var fragmentsSkipped: UInt64 = 0
    /// Frames that are valid but carry nothing for us: ARP, ICMP, ESP, TCP on other ports, …
    public var framesIgnored: UInt64 = 0
    private var issueCounts = [UInt64](repeating: 0, count: DecodeCounters.issues.count)

    public init() {}

    public subscript(issue: DecodeIssue) -> UInt64 {
        issueCounts[Self.issues.firstIndex(of: issue)!]
    }

    public mutating func record(_ issue: DecodeIssue, count: UInt64 = 1) {
        issueCounts[Self.issues.firstIndex(of: issue)!] += count
    }

    /// Non-zero issue counts keyed as in `AnalysisSummary.malformed`.
    public var malformed: [String: UInt64] {
        var result: [String: UInt64] = [:]
        for (issue, count) in zip(Self.issues, issueCounts) where count > 0 {
            result[issue.key] = count
        }
        return result
    }

    /// Sum of all issue counts.
    public var totalIssues: UInt64 { issueCounts.reduce(0, +) }
}
