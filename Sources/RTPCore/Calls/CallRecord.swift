/// Which end of a call: the caller sent the initial INVITE, the callee answered it.
public enum CallSide: String, Sendable, Codable, Equatable {
    case caller, callee

    public var other: CallSide { self == .caller ? .callee : .caller }
}

/// Where a call is, from its SIP alone.
public enum CallState: String, Sendable, Codable, Equatable, CaseIterable {
    /// INVITE sent, nothing but 100 Trying back yet.
    case trying
    /// A 18x came back (ringing or early media), no final response yet.
    case ringing
    /// A 2xx answered the INVITE; no BYE yet.
    case answered
    /// Answered, then ended by BYE.
    case completed
    /// CANCELled before an answer (487 or no final response after the CANCEL).
    case cancelled
    /// Refused or failed: a final 3xx–6xx (other than 487 after CANCEL), and no new INVITE after it.
    case failed

    public var isEnded: Bool { self == .completed || self == .cancelled || self == .failed }
}

/// One media section one side announced in an SDP (offer or answer) at a given time.
public struct CallMedia: Sendable, Codable, Equatable {
    /// Capture (or wall) time of the SIP message, seconds since the epoch.
    public var time: Double
    /// The side that announced it: media described here flows *to* this side at `address:port`.
    public var side: CallSide
    /// audio, video, image (T.38), application …
    public var media: String
    public var address: String?
    public var port: UInt16
    public var proto: String
    /// Payload types (RTP) or format names (`t38`).
    public var formats: [String]
    /// rtpmap encodings in format order, e.g. `PCMA/8000`.
    public var codecs: [String]
    public var direction: MediaDirection
    public var t38: Bool
    /// The SIP message that carried it, e.g. `INVITE`, `200 INVITE`.
    public var message: String

    enum CodingKeys: String, CodingKey {
        case time, side, media, address, port, proto, formats, codecs, direction, t38, message
    }

    /// Where RTP for this section should arrive, when it is RTP media with a usable address.
    var endpoint: Endpoint? {
        guard port != 0, let address, let ip = IPAddress(address), !ip.isUnspecified else { return nil }
        return Endpoint(address: ip, port: port)
    }

    var isRTP: Bool { proto.contains("RTP/") }

    /// Media that is not RTP on a port that may have carried RTP: T.38 over UDPTL.
    var replacesRTP: Bool { t38 && !isRTP }

    /// Same announcement, time and message aside (a retransmitted or relayed SDP).
    func sameContent(as other: CallMedia) -> Bool {
        side == other.side && media == other.media && address == other.address && port == other.port
            && proto == other.proto && formats == other.formats && direction == other.direction
    }
}

extension IPAddress {
    /// 0.0.0.0 / :: — RFC 2543-style hold (`c=IN IP4 0.0.0.0`): no media goes there.
    var isUnspecified: Bool { high == 0 && low == 0 }
}

extension Endpoint {
    /// `[::ffff:a.b.c.d]:p` (an IPv4 peer of a dual-stack socket) as `a.b.c.d:p`, as SDP names it.
    var unmappingIPv4: Endpoint {
        guard address.family == .v6, address.high == 0, address.low >> 32 == 0xFFFF else { return self }
        return Endpoint(address: IPAddress(v4: UInt32(truncatingIfNeeded: address.low)), port: port)
    }
}

/// Process that sent or received a call's SIP (live), for per-process call counters.
public struct ProcessIdentity: Hashable, Sendable, Comparable {
    public var pid: Int32
    public var comm: String

    public init(pid: Int32, comm: String) {
        self.pid = pid
        self.comm = comm
    }

    public static func < (a: ProcessIdentity, b: ProcessIdentity) -> Bool { (a.pid, a.comm) < (b.pid, b.comm) }
}

/// The state of one call (one Call-ID with an INVITE), updated message by message.
final class CallRecord {
    let callID: String
    /// Creation order, for eviction.
    let serial: UInt64
    var from: SIPNameAddress
    var to: SIPNameAddress
    var callerTag: String?
    var calleeTag: String?
    var callerSignalling: Endpoint
    var calleeSignalling: Endpoint
    var transport: TransportProtocol
    /// The call was first seen by a re-INVITE: it began before the capture.
    var joinedEstablished: Bool

    var inviteTime: Nanoseconds
    var firstResponseTime: Nanoseconds?
    var ringTime: Nanoseconds?
    var answerTime: Nanoseconds?
    var endTime: Nanoseconds?
    var lastActivity: Nanoseconds
    /// CSeq of the latest initial (dialog-creating) INVITE: a 401/407 challenge is followed by a new one.
    var initialCSeq: UInt32
    var finalCode: Int?
    var cancelled = false
    /// The outcome went into the per-process counters (once per call).
    var outcomeRecorded = false
    var endedBy: String?
    var reason: String?
    var callerUserAgent: String?
    var calleeUserAgent: String?

    var messages = 0
    var retransmissions = 0
    var reinvites = 0
    var media: [CallMedia] = []
    var processes: Set<ProcessIdentity> = []
    /// Signatures of messages seen, to recognise retransmissions (bounded).
    var signatures: Set<Int> = []

    static let maxMedia = 32
    static let maxSignatures = 512

    init(callID: String, serial: UInt64, invite: SIPMessage, time: Nanoseconds, source: Endpoint,
         destination: Endpoint, transport: TransportProtocol) {
        self.callID = callID
        self.serial = serial
        from = invite.from
        to = invite.to
        callerTag = invite.from.tag
        calleeTag = invite.to.tag
        callerSignalling = source
        calleeSignalling = destination
        self.transport = transport
        joinedEstablished = invite.to.tag != nil
        inviteTime = time
        lastActivity = time
        initialCSeq = invite.cseq.number
        callerUserAgent = invite.userAgent
    }

    /// Answered by a 2xx, or first seen established (a re-INVITE of a call older than the capture).
    var isAnswered: Bool { answerTime != nil || joinedEstablished }

    var state: CallState {
        if isAnswered { return endTime == nil ? .answered : .completed }
        if cancelled && (finalCode == nil || finalCode == 487) { return .cancelled }
        if let finalCode, finalCode >= 300 { return .failed }
        // A BYE without an answer (a broken agent, or the answer was not captured).
        if endTime != nil { return .failed }
        return ringTime != nil ? .ringing : .trying
    }

    /// Refused with 401/407: the caller is expected to retry with credentials.
    var awaitsChallengeRetry: Bool { state == .failed && (finalCode == 401 || finalCode == 407) }

    /// Which side sent `message`: requests come from the side whose tag is in From; responses from
    /// the other one. Without tags, the INVITE's source address decides.
    func sender(of message: SIPMessage, source: Endpoint) -> CallSide {
        if let callerTag, let tag = message.from.tag {
            let fromCaller = tag == callerTag
            return message.isRequest == fromCaller ? .caller : .callee
        }
        return source == callerSignalling ? .caller : (source == calleeSignalling ? .callee : .caller)
    }

    /// Adds an announcement unless the same side already announced exactly this (relayed or
    /// retransmitted SDP). Returns whether it was added.
    @discardableResult
    func announce(_ item: CallMedia) -> Bool {
        if let previous = media.last(where: { $0.side == item.side && $0.media == item.media }),
           previous.sameContent(as: item) {
            return false
        }
        if media.count >= Self.maxMedia { media.removeFirst() }
        media.append(item)
        return true
    }

    /// The latest RTP announcement of each side (what the final offer/answer agreed).
    func latestRTPMedia(of side: CallSide) -> CallMedia? {
        media.last { $0.side == side && $0.isRTP && $0.media == "audio" }
            ?? media.last { $0.side == side && $0.isRTP }
    }
}
