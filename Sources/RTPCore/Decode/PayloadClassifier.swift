// Demultiplexing what shares one 5-tuple (WebRTC puts STUN, DTLS and SRTP/SRTCP on a single port).

/// What a datagram's payload most likely is, judged from its first two bytes only.
/// Raw values are used as metric labels.
public enum PayloadKind: String, Sendable, CaseIterable {
    case stun
    case zrtp
    case dtls
    case turnChannel = "turn_channel"
    case rtp
    case rtcp
    case unknown
}

/// RFC 7983 §7 first-byte demultiplexing, refined by the RFC 5761 §4 rtcp-mux rule.
///
/// Called for every datagram, so it reads at most two bytes, does not allocate, and decides with a
/// handful of integer comparisons. It only says what a payload *looks like*; the RTP and RTCP
/// decoders still validate the rest.
public enum PayloadClassifier {
    @inlinable
    public static func classify(_ bytes: UnsafeRawBufferPointer) -> PayloadKind {
        guard let first = bytes.first else { return .unknown }
        switch first {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannel
        case 128...191:
            // RFC 5761 §4: with rtcp-mux, RTP payload types 64–95 are never used, so a second byte of
            // 192–223 (marker bit set + PT 64–95, i.e. RTCP packet types 192–223) means RTCP.
            guard bytes.count >= 2 else { return .unknown }
            let second = bytes[1]
            return second >= 192 && second <= 223 ? .rtcp : .rtp
        default: return .unknown
        }
    }
}
