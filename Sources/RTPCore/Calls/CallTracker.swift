/// Follows SIP calls message by message and remembers where their media was announced, so that RTP
/// streams can be grouped into calls (`CallReportBuilder`) and T.38 ports stop being taken for RTP.
///
/// A call is one Call-ID that carried an INVITE. Other SIP (REGISTER, OPTIONS, MESSAGE, …) only
/// counts in `statistics`. Call state follows RFC 3261: the initial INVITE transaction (a 401/407
/// challenge and the authenticated INVITE that follows are the same call), 18x ringing or early
/// media, the 2xx answer, CANCEL, BYE; re-INVITE and UPDATE with SDP add media announcements.
///
/// Media: every `m=` line of every SDP (offer or answer, INVITE, 18x, 2xx, ACK, UPDATE, PRACK) is an
/// announcement "side S receives <media> at address:port from time t". A stream is matched to the
/// call whose latest announcement of its destination (else of its source, for symmetric RTP) came
/// at or before the stream's first packet — so a port reused by a later call goes to the later call.
///
/// Bounds: at most `configuration.maxCalls` calls (the oldest evicted first, counted); per call at
/// most `CallRecord.maxMedia` announcements. Live, `expire(now:)` drops ended calls after
/// `endedCallLinger` and silent unfinished ones after their timeouts.
public final class CallTracker {
    public struct Configuration: Sendable {
        public var maxCalls = 100_000
        /// Live: ended calls stay visible (for `/calls`) this long after their end. nil = forever.
        public var endedCallLinger: Nanoseconds? = nil
        /// Live: a call with no final response and no SIP for this long is dropped (RFC 3261's
        /// Timer C is 3 minutes for a proxy's INVITE transaction).
        public var unansweredTimeout: Nanoseconds = 300_000_000_000
        /// Live: an answered call with no SIP for this long is dropped (session timers refresh far
        /// more often; calls without them still end with a BYE that arrives in time for most).
        public var answeredTimeout: Nanoseconds = 4 * 3600 * 1_000_000_000

        public init() {}
    }

    public let configuration: Configuration
    public private(set) var statistics = SIPStatistics()
    /// Per traced process (live): calls started and ended, by outcome.
    public private(set) var processCounters: [ProcessIdentity: ProcessCallCounters] = [:]

    private var calls: [String: CallRecord] = [:]
    /// Live: when each process last sent or received SIP (its counters go once it is quiet and callless).
    private var processLastSeen: [ProcessIdentity: Nanoseconds] = [:]
    /// Call-IDs in creation order, for evicting the oldest at the cap (stale entries skipped).
    private var creationOrder: [(callID: String, serial: UInt64)] = []
    private var creationHead = 0
    private var nextSerial: UInt64 = 0
    private var index = MediaIndex()
    private var copies = SIPCopies()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var callCount: Int { calls.count }

    /// Whether any T.38 switch was ever announced: lets the packet path skip the lookup otherwise.
    public private(set) var hasNonRTPMedia = false

    // MARK: - Ingest

    /// Accounts one parsed SIP message; `session` is its SDP body, parsed by the caller (nil when it
    /// has none or it did not parse).
    public func ingest(_ message: SIPMessage, session: SessionDescription?, time: Nanoseconds, source: Endpoint,
                       destination: Endpoint, transport: TransportProtocol, process: ProcessContext? = nil) {
        let signature = Self.signature(message, source: source, destination: destination)
        let sighting = copies.observe(signature, direction: process?.direction, time: time)
        if sighting == .transmission { statistics.count(message) }
        let call: CallRecord
        if let existing = calls[message.callID] {
            call = existing
        } else {
            guard message.method == "INVITE" else { return }
            call = create(message, time: time, source: source, destination: destination, transport: transport)
        }
        let processIdentity = process.map { ProcessIdentity(pid: $0.pid, comm: $0.comm) }
        if let processIdentity { processLastSeen[processIdentity] = time }
        if let processIdentity, call.processes.insert(processIdentity).inserted {
            // A process joining later catches up with what the call already went through.
            var counters = processCounters[processIdentity, default: ProcessCallCounters()]
            counters.started &+= 1
            if call.isAnswered { counters.answered &+= 1 }
            if call.outcomeRecorded { counters.record(end: call.state) }
            processCounters[processIdentity] = counters
        }
        guard sighting == .transmission else {
            call.lastActivity = max(call.lastActivity, time)
            return
        }
        if call.signatures.contains(signature) {
            call.retransmissions += 1
            statistics.retransmissions &+= 1
            call.lastActivity = max(call.lastActivity, time)
            return
        }
        if call.signatures.count < CallRecord.maxSignatures { call.signatures.insert(signature) }
        call.messages += 1
        call.lastActivity = max(call.lastActivity, time)
        let wasAnswered = call.isAnswered
        apply(message, to: call, time: time, source: source)
        if let session { learnMedia(session, from: message, call: call, time: time, source: source) }
        if !wasAnswered, call.isAnswered {
            for process in call.processes { processCounters[process]?.answered &+= 1 }
        }
        // A 401/407 challenge is normally followed by an authenticated INVITE: its failure only
        // counts if the call is dropped without one.
        if call.state.isEnded, !call.awaitsChallengeRetry { recordOutcome(of: call) }
    }

    private func create(_ invite: SIPMessage, time: Nanoseconds, source: Endpoint, destination: Endpoint,
                        transport: TransportProtocol) -> CallRecord {
        nextSerial &+= 1
        let call = CallRecord(callID: invite.callID, serial: nextSerial, invite: invite, time: time,
                              source: source, destination: destination, transport: transport)
        calls[invite.callID] = call
        creationOrder.append((invite.callID, nextSerial))
        statistics.calls &+= 1
        while calls.count > max(configuration.maxCalls, 1) { evictOldest() }
        compactCreationOrder()
        return call
    }

    private func apply(_ message: SIPMessage, to call: CallRecord, time: Nanoseconds, source: Endpoint) {
        let side = call.sender(of: message, source: source)
        switch message.startLine {
        case .request(let method, _):
            switch method {
            case "INVITE":
                if message.to.tag == nil {
                    // A new initial INVITE (after a 401/407 challenge): its responses now decide.
                    if message.cseq.number != call.initialCSeq, !call.isAnswered, !call.outcomeRecorded {
                        call.initialCSeq = message.cseq.number
                        call.finalCode = nil
                        call.endTime = nil
                        call.endedBy = nil
                    }
                } else if call.messages > 1 {
                    call.reinvites += 1
                }
            case "UPDATE":
                if !message.body.isEmpty { call.reinvites += 1 }
            case "CANCEL":
                if call.answerTime == nil { call.cancelled = true }
                if call.endTime == nil, call.answerTime == nil {
                    call.endedBy = "cancel"
                    call.reason = message.reason
                }
            case "BYE":
                if call.endTime == nil {
                    call.endTime = time
                    call.endedBy = side.rawValue
                    call.reason = message.reason
                }
            default:
                break
            }
        case .response(let code, _):
            guard message.cseq.method == "INVITE" else { return }
            if side == .callee, call.calleeUserAgent == nil { call.calleeUserAgent = message.userAgent }
            if call.calleeTag == nil, code > 100, let tag = message.to.tag { call.calleeTag = tag }
            guard message.cseq.number == call.initialCSeq, call.answerTime == nil, !call.joinedEstablished else { return }
            switch code {
            case 101...199:
                if call.firstResponseTime == nil { call.firstResponseTime = time }
                if call.ringTime == nil { call.ringTime = time }
            case 200...299:
                if call.firstResponseTime == nil { call.firstResponseTime = time }
                call.answerTime = time
                call.finalCode = code
                // A CANCEL that crossed the 2xx lost the race: the call is up.
                call.cancelled = false
                call.endTime = nil
                call.endedBy = nil
                call.to.tag = message.to.tag ?? call.to.tag
            case 300...699:
                call.finalCode = code
                if call.endTime == nil { call.endTime = time }
                if call.endedBy == nil { call.endedBy = code == 487 && call.cancelled ? "cancel" : "failure" }
            default:
                break
            }
        }
    }

    private func recordOutcome(of call: CallRecord) {
        guard !call.outcomeRecorded else { return }
        call.outcomeRecorded = true
        for process in call.processes { processCounters[process]?.record(end: call.state) }
    }

    private func learnMedia(_ session: SessionDescription, from message: SIPMessage, call: CallRecord,
                            time: Nanoseconds, source: Endpoint) {
        let side = call.sender(of: message, source: source)
        let label = message.method ?? "\(message.statusCode ?? 0) \(message.cseq.method)"
        for section in session.media {
            let encodings = section.payloadTypes.map { type in
                section.rtpMaps.first { $0.payloadType == type }.map { "\($0.encoding)/\($0.clockRate)" }
                    ?? (type < 96 ? PayloadTypeNames.name(for: type) : String(type))
            }
            let item = CallMedia(
                time: Self.seconds(time), side: side, media: section.media.lowercased(),
                address: session.connectionAddress(of: section), port: section.port, proto: section.proto,
                formats: section.formats, codecs: encodings, direction: session.direction(of: section),
                t38: section.isT38, message: label)
            guard call.announce(item) else { continue }
            if let endpoint = item.endpoint {
                index.add(endpoint, entry: MediaIndex.Entry(time: time, callID: call.callID, serial: call.serial,
                                                             side: side, replacesRTP: item.replacesRTP))
                if item.replacesRTP { hasNonRTPMedia = true }
            }
        }
    }

    // MARK: - Lookups

    /// The call (and the side receiving there) that announced `endpoint` most recently at or before
    /// `time`; else the earliest announcement after it (RTP seen before its SDP).
    func owner(of endpoint: Endpoint, at time: Nanoseconds) -> (call: CallRecord, side: CallSide, replacesRTP: Bool)? {
        guard let entry = index.entry(for: endpoint, at: time),
              let call = calls[entry.callID], call.serial == entry.serial else { return nil }
        return (call, entry.side, entry.replacesRTP)
    }

    /// As `owner(of:at:)` over every announced endpoint with this port.
    func ownerOfPort(_ port: UInt16, at time: Nanoseconds)
        -> (call: CallRecord, side: CallSide, replacesRTP: Bool)? {
        guard let entry = index.entry(forPort: port, at: time),
              let call = calls[entry.callID], call.serial == entry.serial else { return nil }
        return (call, entry.side, entry.replacesRTP)
    }

    /// Whether a packet between these endpoints at `time` belongs to media that replaced RTP (a T.38
    /// switch), so the packet path must not start an RTP stream from it.
    public func isNonRTPMedia(source: Endpoint, destination: Endpoint, at time: Nanoseconds) -> Bool {
        guard hasNonRTPMedia else { return false }
        // Either end: tshark's T.38 conversation covers the announced address and port with any peer.
        return index.entry(for: destination, at: time, onlyAtOrBefore: true)?.replacesRTP == true
            || index.entry(for: source, at: time, onlyAtOrBefore: true)?.replacesRTP == true
    }

    /// Calls in the order they started.
    var callsInOrder: [CallRecord] {
        calls.values.sorted { ($0.inviteTime, $0.serial) < ($1.inviteTime, $1.serial) }
    }

    // MARK: - Bounds

    /// Live: drops ended calls older than the linger time and silent unfinished calls. Returns how many.
    @discardableResult
    public func expire(now: Nanoseconds) -> Int {
        var expired: [String] = []
        for (callID, call) in calls {
            if let end = call.endTime, call.state.isEnded {
                if let linger = configuration.endedCallLinger, end < now &- linger {
                    recordOutcome(of: call)
                    expired.append(callID)
                }
                continue
            }
            let timeout = call.answerTime != nil || call.joinedEstablished
                ? configuration.answeredTimeout : configuration.unansweredTimeout
            if call.lastActivity < now &- timeout {
                expired.append(callID)
                statistics.callsExpired &+= 1
                for process in call.processes { processCounters[process]?.expired &+= 1 }
            }
        }
        for callID in expired { remove(callID) }
        compactCreationOrder()
        forgetQuietProcesses(now: now)
        return expired.count
    }

    /// Drops the counters (and so the series) of processes that take part in no tracked call and
    /// sent or received no SIP for the linger time: exited processes do not pile up.
    private func forgetQuietProcesses(now: Nanoseconds) {
        guard let linger = configuration.endedCallLinger, !processLastSeen.isEmpty else { return }
        let referenced = Set(calls.values.flatMap(\.processes))
        for (process, lastSeen) in processLastSeen where lastSeen < now &- linger && !referenced.contains(process) {
            processLastSeen[process] = nil
            processCounters[process] = nil
        }
    }

    private func evictOldest() {
        while creationHead < creationOrder.count {
            let (callID, serial) = creationOrder[creationHead]
            creationHead += 1
            guard let call = calls[callID], call.serial == serial else { continue }
            if call.state.isEnded {
                recordOutcome(of: call)
            } else {
                for process in call.processes { processCounters[process]?.expired &+= 1 }
            }
            remove(callID)
            statistics.callsEvicted &+= 1
            return
        }
    }

    private func remove(_ callID: String) {
        guard let call = calls.removeValue(forKey: callID) else { return }
        for item in call.media {
            if let endpoint = item.endpoint { index.remove(endpoint, serial: call.serial) }
        }
    }

    private func compactCreationOrder() {
        guard creationHead > 1024, creationHead * 2 > creationOrder.count else { return }
        creationOrder = creationOrder[creationHead...].filter { calls[$0.callID]?.serial == $0.serial }
        creationHead = 0
    }

    // MARK: - Helpers

    /// What makes two sightings the same message: same hop (addresses), start line, CSeq, top Via
    /// branch and To tag. Seen again in the same direction it is a retransmission; live, seen in
    /// the other direction it is the receiving end's copy (`SIPCopies`).
    private static func signature(_ message: SIPMessage, source: Endpoint, destination: Endpoint) -> Int {
        var hasher = Hasher()
        hasher.combine(source)
        hasher.combine(destination)
        switch message.startLine {
        case .request(let method, let uri): hasher.combine(method); hasher.combine(uri)
        case .response(let code, _): hasher.combine(code)
        }
        hasher.combine(message.cseq)
        hasher.combine(message.topViaBranch)
        hasher.combine(message.to.tag)
        return hasher.finalize()
    }

    static func seconds(_ time: Nanoseconds) -> Double { EpochTime.seconds(time) }
}

/// Media announcements by endpoint, each list in time order.
struct MediaIndex {
    struct Entry {
        var time: Nanoseconds
        var callID: String
        var serial: UInt64
        var side: CallSide
        var replacesRTP: Bool
    }

    private var entries: [Endpoint: [Entry]] = [:]
    private var endpointsByPort: [UInt16: Set<Endpoint>] = [:]

    mutating func add(_ endpoint: Endpoint, entry: Entry) {
        endpointsByPort[endpoint.port, default: []].insert(endpoint)
        var list = entries[endpoint, default: []]
        // Messages arrive in capture order; keep the list sorted even if they do not.
        let position = list.lastIndex { $0.time <= entry.time }.map { $0 + 1 } ?? 0
        list.insert(entry, at: position)
        entries[endpoint] = list
    }

    mutating func remove(_ endpoint: Endpoint, serial: UInt64) {
        guard var list = entries[endpoint] else { return }
        list.removeAll { $0.serial == serial }
        entries[endpoint] = list.isEmpty ? nil : list
        if list.isEmpty {
            endpointsByPort[endpoint.port]?.remove(endpoint)
            if endpointsByPort[endpoint.port]?.isEmpty == true { endpointsByPort[endpoint.port] = nil }
        }
    }

    /// The best entry over every endpoint with this port (latest at or before `time`, else the
    /// earliest after it).
    func entry(forPort port: UInt16, at time: Nanoseconds) -> Entry? {
        var before: Entry?
        var after: Entry?
        for endpoint in endpointsByPort[port] ?? [] {
            guard let list = entries[endpoint] else { continue }
            if let latest = list.last(where: { $0.time <= time }), latest.time >= before?.time ?? .min {
                before = latest
            } else if let first = list.first, first.time > time, first.time < after?.time ?? .max {
                after = first
            }
        }
        return before ?? after
    }

    /// The latest entry at or before `time`, else (unless `onlyAtOrBefore`) the earliest after it.
    func entry(for endpoint: Endpoint, at time: Nanoseconds, onlyAtOrBefore: Bool = false) -> Entry? {
        guard let list = entries[endpoint] else { return nil }
        if let latest = list.last(where: { $0.time <= time }) { return latest }
        return onlyAtOrBefore ? nil : list.first
    }
}

/// Per traced process: how many calls it took part in and how they ended. Cumulative.
public struct ProcessCallCounters: Sendable, Equatable {
    public var started: UInt64 = 0
    /// Calls answered with a 2xx (answer-seizure ratio = answered / started).
    public var answered: UInt64 = 0
    public var completed: UInt64 = 0
    public var cancelled: UInt64 = 0
    public var failed: UInt64 = 0
    /// Dropped unfinished (timeout or the call cap).
    public var expired: UInt64 = 0

    public init() {}

    mutating func record(end state: CallState) {
        switch state {
        case .completed: completed &+= 1
        case .cancelled: cancelled &+= 1
        case .failed: failed &+= 1
        default: break
        }
    }

    /// Calls started and neither ended nor expired.
    public var active: UInt64 { started &- completed &- cancelled &- failed &- expired }
}

/// Counts over every SIP message (not only calls), in the spirit of `tshark -z sip,stat`.
public struct SIPStatistics: Codable, Sendable, Equatable {
    public var messages: UInt64 = 0
    /// Messages that repeat an earlier one on the same hop (same start line, CSeq, Via branch).
    public var retransmissions: UInt64 = 0
    public var requests: [String: UInt64] = [:]
    /// By status code, as text (`"200"`).
    public var responses: [String: UInt64] = [:]
    public var calls: UInt64 = 0
    /// Calls dropped at the call cap before they were reported.
    public var callsEvicted: UInt64 = 0
    /// Live: unfinished calls dropped after their timeout.
    public var callsExpired: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case messages, retransmissions, requests, responses, calls
        case callsEvicted = "calls_evicted", callsExpired = "calls_expired"
    }

    /// Another capture's counts added to these (several files in one analysis).
    public mutating func add(_ other: SIPStatistics) {
        messages &+= other.messages
        retransmissions &+= other.retransmissions
        requests.merge(other.requests, uniquingKeysWith: &+)
        responses.merge(other.responses, uniquingKeysWith: &+)
        calls &+= other.calls
        callsEvicted &+= other.callsEvicted
        callsExpired &+= other.callsExpired
    }

    mutating func count(_ message: SIPMessage) {
        messages &+= 1
        switch message.startLine {
        case .request(let method, _): requests[method, default: 0] &+= 1
        case .response(let code, _): responses[String(code), default: 0] &+= 1
        }
    }
}
