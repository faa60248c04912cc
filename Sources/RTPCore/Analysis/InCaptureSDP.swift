/// Finds SDP carried by SIP in the capture itself, so dynamic payload types get their clock rate the
/// way tshark gets it (tshark learns `a=rtpmap` from SIP/SDP it dissects; without this, `--compat
/// wireshark` could not reproduce its jitter for e.g. G.726 on PT 96+).
///
/// Only non-RTP datagrams are looked at, and a two-byte-class pre-check rejects anything that does not
/// start like a SIP request or response before any text is built. Learnt rates are per payload type for
/// the whole analysis (tshark scopes them to the SDP's conversation): good enough for captures of one
/// call or of calls agreeing on their dynamic numbers; `--clock-rate` overrides it.
enum InCaptureSDP {
    private static let methods: [String] = [
        "INVITE ", "ACK ", "BYE ", "CANCEL ", "OPTIONS ", "UPDATE ", "PRACK ", "SIP/2.0 ",
    ]

    /// The rtpmaps of a SIP message's SDP body, or nil when `payload` is not SIP with SDP.
    static func rtpMaps(in payload: UnsafeRawBufferPointer) -> [RTPMap]? {
        guard payload.count > 32, let first = payload.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "U")
        else { return nil }
        guard looksLikeSIP(payload), let bodyStart = endOfHeaders(payload) else { return nil }
        let body = String(decoding: UnsafeRawBufferPointer(rebasing: payload[bodyStart...]), as: UTF8.self)
        guard body.hasPrefix("v=0"), let session = try? SDPParser.parse(body) else { return nil }
        return session.media.flatMap { $0.rtpMaps }
    }

    /// Offset just past the blank line ending the SIP headers (CRLFCRLF, or bare LFLF).
    private static func endOfHeaders(_ payload: UnsafeRawBufferPointer) -> Int? {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var index = 0
        while index + 1 < payload.count {
            if payload[index] == lf {
                if payload[index + 1] == lf { return index + 2 }
                if payload[index + 1] == cr, index + 2 < payload.count, payload[index + 2] == lf { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    /// Whether the payload is SIP at all (counted as non-RTP instead of by its first byte).
    static func looksLikeSIP(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count > 8, let first = payload.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "U")
        else { return false }
        let prefix = String(decoding: UnsafeRawBufferPointer(rebasing: payload[0..<8]), as: UTF8.self)
        return methods.contains { prefix.hasPrefix($0) || $0.hasPrefix(prefix) }
    }
}
