/// One call as `analyze --calls`, the JSON `calls` array and the live `/calls` show it. Times are
/// seconds since the Unix epoch, durations say their unit. Unknown values are JSON null.
public struct CallReport: Codable, Sendable, Equatable {
    public var callID: String
    /// `user@host` of the From and To URIs of the initial INVITE.
    public var from: String
    public var to: String
    public var fromDisplayName: String?
    public var toDisplayName: String?
    /// Signalling endpoints of the initial INVITE (`ip:port`), and its transport.
    public var caller: String
    public var callee: String
    public var transport: String
    public var state: CallState
    /// The call was first seen by a re-INVITE: it began before the capture (no setup figures).
    public var joinedEstablished: Bool
    /// The first INVITE.
    public var startTime: Double
    public var ringTime: Double?
    public var answerTime: Double?
    public var endTime: Double?
    /// Post-dial delay: first INVITE to the first 18x or 2xx.
    public var setupMs: Double?
    /// First INVITE to the 2xx answer.
    public var answerMs: Double?
    /// Answer to BYE (or to the last media or SIP seen, while the call is still up).
    public var durationS: Double?
    /// The final response to the (last) initial INVITE: 200, 486, 487, 603 …
    public var finalCode: Int?
    /// `caller` or `callee` (who sent the BYE), `cancel`, `failure`; nil while the call is up.
    public var endedBy: String?
    /// The Reason header (RFC 3326) of the BYE or CANCEL.
    public var reason: String?
    public var callerUserAgent: String?
    public var calleeUserAgent: String?
    public var sipMessages: Int
    public var retransmissions: Int
    /// re-INVITEs and UPDATEs with a body.
    public var reinvites: Int
    /// Every media section announced, in order.
    public var media: [CallMedia]
    /// The RTP streams of the call, each keyed like the report's `streams` entries.
    public var streams: [CallStreamReport]
    /// The two directions of the media and whether RTP flowed in each.
    public var legs: [CallLeg]
    public var packets: UInt64
    public var lost: Int64
    public var expected: Int64
    /// Lost / expected over all streams (0…1); nil without streams.
    public var lossRatio: Double?
    /// Answered, media expected both ways, RTP in one direction only.
    public var oneWayAudio: Bool
    /// Answered with media expected, and no RTP at all.
    public var noRTP: Bool
    /// A T.38 fax switch was negotiated (`m=image … t38`).
    public var t38: Bool
    /// Live: the processes that sent or received the call's SIP.
    public var processes: [CallProcess]?

    enum CodingKeys: String, CodingKey {
        case callID = "call_id", from, to, fromDisplayName = "from_display_name", toDisplayName = "to_display_name"
        case caller, callee, transport, state, joinedEstablished = "joined_established"
        case startTime = "start_time", ringTime = "ring_time", answerTime = "answer_time", endTime = "end_time"
        case setupMs = "setup_ms", answerMs = "answer_ms", durationS = "duration_s", finalCode = "final_code"
        case endedBy = "ended_by", reason, callerUserAgent = "caller_user_agent", calleeUserAgent = "callee_user_agent"
        case sipMessages = "sip_messages", retransmissions, reinvites, media, streams, legs
        case packets, lost, expected, lossRatio = "loss_ratio", oneWayAudio = "one_way_audio", noRTP = "no_rtp"
        case t38, processes
    }

    /// Explicit nulls for unknown values (as stream reports do).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(callID, forKey: .callID)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(fromDisplayName, forKey: .fromDisplayName)
        try c.encode(toDisplayName, forKey: .toDisplayName)
        try c.encode(caller, forKey: .caller)
        try c.encode(callee, forKey: .callee)
        try c.encode(transport, forKey: .transport)
        try c.encode(state, forKey: .state)
        try c.encode(joinedEstablished, forKey: .joinedEstablished)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(ringTime, forKey: .ringTime)
        try c.encode(answerTime, forKey: .answerTime)
        try c.encode(endTime, forKey: .endTime)
        try c.encode(setupMs, forKey: .setupMs)
        try c.encode(answerMs, forKey: .answerMs)
        try c.encode(durationS, forKey: .durationS)
        try c.encode(finalCode, forKey: .finalCode)
        try c.encode(endedBy, forKey: .endedBy)
        try c.encode(reason, forKey: .reason)
        try c.encode(callerUserAgent, forKey: .callerUserAgent)
        try c.encode(calleeUserAgent, forKey: .calleeUserAgent)
        try c.encode(sipMessages, forKey: .sipMessages)
        try c.encode(retransmissions, forKey: .retransmissions)
        try c.encode(reinvites, forKey: .reinvites)
        try c.encode(media, forKey: .media)
        try c.encode(streams, forKey: .streams)
        try c.encode(legs, forKey: .legs)
        try c.encode(packets, forKey: .packets)
        try c.encode(lost, forKey: .lost)
        try c.encode(expected, forKey: .expected)
        try c.encode(lossRatio, forKey: .lossRatio)
        try c.encode(oneWayAudio, forKey: .oneWayAudio)
        try c.encode(noRTP, forKey: .noRTP)
        try c.encode(t38, forKey: .t38)
        try c.encodeIfPresent(processes, forKey: .processes)
    }
}

/// A process taking part in a call's signalling (live).
public struct CallProcess: Codable, Sendable, Equatable {
    public var pid: Int32
    public var comm: String

    public init(pid: Int32, comm: String) {
        self.pid = pid
        self.comm = comm
    }
}

/// One direction of a call's media.
public struct CallLeg: Codable, Sendable, Equatable {
    public var from: CallSide
    public var to: CallSide
    /// The SDP exchange lets `from` send to `to` (a receiving port, directions allowing it).
    public var expected: Bool
    public var streams: Int
    public var packets: UInt64
}

/// A stream of a call: the key of its entry in the report's `streams`, the direction, and its
/// figures beside what the receiver's RTCP said about it.
public struct CallStreamReport: Codable, Sendable, Equatable {
    public var ssrc: UInt32
    public var src: String
    public var dst: String
    public var transport: String
    public var from: CallSide
    public var to: CallSide
    /// How the stream was placed: its `destination` or its `source` endpoint was announced in SDP.
    public var matchedBy: String
    public var payloadType: UInt8
    public var packets: UInt64
    public var expected: Int64
    public var lost: Int64
    public var jitterMs: Double?
    public var maxJitterMs: Double?
    public var startTime: Double
    public var endTime: Double
    /// The receiver's latest RTCP report block about this SSRC, when one was seen.
    public var rtcp: RTCPReportBlockReport?
    public var pid: Int32?
    public var direction: Direction?

    enum CodingKeys: String, CodingKey {
        case ssrc, src, dst, transport, from, to, matchedBy = "matched_by", payloadType = "payload_type"
        case packets, expected, lost, jitterMs = "jitter_ms", maxJitterMs = "max_jitter_ms"
        case startTime = "start_time", endTime = "end_time", rtcp, pid, direction
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ssrc, forKey: .ssrc)
        try c.encode(src, forKey: .src)
        try c.encode(dst, forKey: .dst)
        try c.encode(transport, forKey: .transport)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(matchedBy, forKey: .matchedBy)
        try c.encode(payloadType, forKey: .payloadType)
        try c.encode(packets, forKey: .packets)
        try c.encode(expected, forKey: .expected)
        try c.encode(lost, forKey: .lost)
        try c.encode(jitterMs, forKey: .jitterMs)
        try c.encode(maxJitterMs, forKey: .maxJitterMs)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(endTime, forKey: .endTime)
        try c.encode(rtcp, forKey: .rtcp)
        try c.encodeIfPresent(pid, forKey: .pid)
        try c.encodeIfPresent(direction, forKey: .direction)
    }
}

extension CallTracker {
    /// Every tracked call with the streams (from the same analysis) that belong to it.
    public func reports(streams: [StreamReport], rtcp: [RTCPReporterReport]) -> [CallReport] {
        var streamsByCall: [String: [CallStreamReport]] = [:]
        for stream in streams {
            guard let placed = place(stream) else { continue }
            var entry = CallStreamReport(
                ssrc: stream.ssrc, src: stream.src, dst: stream.dst, transport: stream.transport,
                from: placed.from, to: placed.from.other, matchedBy: placed.matchedBy,
                payloadType: stream.payloadType, packets: stream.packets, expected: stream.expected,
                lost: stream.lost, jitterMs: stream.jitterMs, maxJitterMs: stream.maxJitterMs,
                startTime: stream.startTime, endTime: stream.endTime, rtcp: nil, pid: stream.pid,
                direction: stream.direction)
            entry.rtcp = Self.receiverReport(about: stream, in: rtcp)
            streamsByCall[placed.callID, default: []].append(entry)
        }
        return callsInOrder.map { report($0, streams: streamsByCall[$0.callID] ?? []) }
    }

    /// The call a stream belongs to and which side sends it.
    private func place(_ stream: StreamReport) -> (callID: String, from: CallSide, matchedBy: String)? {
        guard let source = Endpoint(stream.src)?.unmappingIPv4, let destination = Endpoint(stream.dst)?.unmappingIPv4
        else { return nil }
        let time = Self.nanoseconds(stream.startTime)
        if let owner = owner(of: destination, at: time) ?? ownerByPort(of: destination, at: time) {
            return (owner.call.callID, owner.side.other, "destination")
        }
        if let owner = owner(of: source, at: time) ?? ownerByPort(of: source, at: time) {
            return (owner.call.callID, owner.side, "source")
        }
        return nil
    }

    /// Live sockets bound to the wildcard address show 0.0.0.0 (or ::) as their local side: match
    /// those by port among the announced endpoints (of either family: a dual-stack socket bound to
    /// `::` carries IPv4 media too).
    private func ownerByPort(of endpoint: Endpoint, at time: Nanoseconds)
        -> (call: CallRecord, side: CallSide, replacesRTP: Bool)? {
        guard endpoint.address.isUnspecified else { return nil }
        return ownerOfPort(endpoint.port, at: time)
    }

    private func report(_ call: CallRecord, streams: [CallStreamReport]) -> CallReport {
        let milliseconds = { (end: Nanoseconds?) -> Double? in
            end.map { Double($0 &- call.inviteTime) / 1e6 }
        }
        let answered = call.answerTime != nil || call.joinedEstablished
        let lastMedia = streams.map(\.endTime).max()
        var duration: Double?
        if let answer = call.answerTime {
            let end = call.endTime.map(Self.seconds) ?? max(lastMedia ?? 0, Self.seconds(call.lastActivity))
            duration = max(0, end - Self.seconds(answer))
        }
        let wire = Self.wireStreams(streams)
        let legs = [CallSide.caller, .callee].map { sender -> CallLeg in
            let flowing = wire.filter { $0.from == sender }
            return CallLeg(from: sender, to: sender.other, expected: answered && expectsMedia(call, from: sender),
                           streams: flowing.count, packets: flowing.reduce(0) { $0 &+ $1.packets })
        }
        let expectedLegs = legs.filter(\.expected)
        let packets = wire.reduce(UInt64(0)) { $0 &+ $1.packets }
        let lost = wire.reduce(Int64(0)) { $0 &+ $1.lost }
        let expected = wire.reduce(Int64(0)) { $0 &+ $1.expected }
        return CallReport(
            callID: call.callID, from: call.from.userAtHost, to: call.to.userAtHost,
            fromDisplayName: call.from.displayName, toDisplayName: call.to.displayName,
            caller: call.callerSignalling.description, callee: call.calleeSignalling.description,
            transport: call.transport.description, state: call.state, joinedEstablished: call.joinedEstablished,
            startTime: Self.seconds(call.inviteTime), ringTime: call.ringTime.map(Self.seconds),
            answerTime: call.answerTime.map(Self.seconds), endTime: call.endTime.map(Self.seconds),
            setupMs: call.joinedEstablished ? nil : milliseconds(call.firstResponseTime),
            answerMs: call.joinedEstablished ? nil : milliseconds(call.answerTime),
            durationS: duration, finalCode: call.finalCode, endedBy: call.endedBy, reason: call.reason,
            callerUserAgent: call.callerUserAgent, calleeUserAgent: call.calleeUserAgent,
            sipMessages: call.messages, retransmissions: call.retransmissions, reinvites: call.reinvites,
            media: call.media, streams: streams, legs: legs, packets: packets, lost: lost, expected: expected,
            lossRatio: expected > 0 ? Double(lost) / Double(expected) : nil,
            oneWayAudio: expectedLegs.count == 2 && expectedLegs.filter({ $0.packets > 0 }).count == 1,
            noRTP: !expectedLegs.isEmpty && packets == 0,
            t38: call.media.contains(where: \.t38),
            processes: call.processes.isEmpty ? nil
                : call.processes.sorted().map { CallProcess(pid: $0.pid, comm: $0.comm) })
    }

    /// Live, RTP between two local sockets is seen twice: sent by one process and received by the
    /// other. A call's legs and totals count each stream on the wire once, through the receiver's
    /// view (what arrived, and its loss); `streams` keeps both views.
    static func wireStreams(_ streams: [CallStreamReport]) -> [CallStreamReport] {
        struct WireKey: Hashable {
            let ssrc: UInt32
            let from: CallSide
            let sourcePort: UInt16?
            let destinationPort: UInt16?
        }
        var views: [WireKey: Int] = [:]
        var wire: [CallStreamReport] = []
        for stream in streams {
            // Ports, not addresses: a socket bound to the wildcard address shows 0.0.0.0 locally.
            let key = WireKey(ssrc: stream.ssrc, from: stream.from, sourcePort: Endpoint(stream.src)?.port,
                              destinationPort: Endpoint(stream.dst)?.port)
            if let index = views[key], let seen = wire[index].direction, let this = stream.direction, seen != this {
                if this == .received { wire[index] = stream }
                continue
            }
            if views[key] == nil { views[key] = wire.count }
            wire.append(stream)
        }
        return wire
    }

    /// Whether `sender` may send RTP: the other side announced an RTP port that receives, and
    /// `sender`'s own announcements (if any) let it send.
    private func expectsMedia(_ call: CallRecord, from sender: CallSide) -> Bool {
        let receiving = call.media.contains {
            $0.side == sender.other && $0.isRTP && $0.endpoint != nil && $0.direction.announcerReceives
        }
        let sending = call.media.filter { $0.side == sender && $0.isRTP }
        return receiving && (sending.isEmpty || sending.contains { $0.port != 0 && $0.direction.announcerSends })
    }

    /// The latest report block about `stream`'s SSRC from a reporter at the stream's receiving address.
    static func receiverReport(about stream: StreamReport, in reporters: [RTCPReporterReport]) -> RTCPReportBlockReport? {
        guard let destination = Endpoint(stream.dst) else { return nil }
        for reporter in reporters {
            guard let reporterSource = Endpoint(reporter.src), reporterSource.address == destination.address
                    || destination.address.isUnspecified else { continue }
            if let block = reporter.reportBlocks.first(where: { $0.sourceSSRC == stream.ssrc }) { return block }
        }
        return nil
    }

    static func nanoseconds(_ seconds: Double) -> Nanoseconds {
        guard seconds.isFinite, abs(seconds) < 9e9 else { return 0 }
        let whole = seconds.rounded(.down)
        return Int64(whole) * 1_000_000_000 + Int64(((seconds - whole) * 1e9).rounded())
    }
}

/// The live `/calls` document: every tracked call with its streams, and the SIP counts.
public struct CallsDocument: Codable, Sendable, Equatable {
    public var calls: [CallReport]
    public var sip: SIPStatistics

    public init(calls: [CallReport] = [], sip: SIPStatistics = SIPStatistics()) {
        self.calls = calls
        self.sip = sip
    }
}
