/// The engine: sources push datagrams in, reports come out. One instance per analysis (offline) or
/// per monitor (live); not thread-safe — the owner serialises access.
///
/// Per datagram: RFC 7983 classification; STUN/DTLS/ZRTP/TURN are counted; RTCP goes to the RTCP
/// decoder and the reporter table; RTP is decoded and accounted to its stream with one dictionary
/// lookup in `StreamTable`. Nothing on the RTP path allocates except the creation of a new stream.
///
/// Detection (`configuration.mode`):
/// - **strict (default), heuristic:** a new (5-tuple, SSRC) is a *candidate* until RFC 3550 A.1
///   probation succeeds (MIN_SEQUENTIAL = 2 consecutive sequence numbers). Its statistics are kept from
///   its first packet, so a confirmed stream includes them. Candidates that never confirm are not
///   reported; their packets are `summary.unconfirmedRTP`. At most `maxCandidates` are tracked (oldest
///   dropped first), so random traffic cannot grow memory. A single RTP-looking datagram never
///   becomes a stream.
/// - **wireshark:** tshark's heuristic accepts any version-2 datagram whose payload type is not 72–76
///   and whose header fits, as a stream of its own from the first packet — so do we (streams of one
///   packet included), except on ports tshark would have given to another dissector (well-known ports
///   below 1024 and a few registered ones: SIP, mDNS, SSDP…), where its RTP heuristic never runs.
/// - `forcedUDPPorts` (tshark's decode-as) confirms immediately in both modes; with `heuristic` off only
///   forced ports (and TCP, which the source only delivers for configured RFC 4571 ports) carry RTP.
public final class StreamAnalyzer {
    public let configuration: AnalyzerConfiguration
    /// Sources add their own counts here (packets read, link errors, fragments skipped, link type).
    // `@exclusivity(unchecked)` on the per-packet state: the analyzer is single-threaded by contract and
    // never holds overlapping accesses, and the dynamic checks were ~15 % of the per-packet cost.
    @exclusivity(unchecked) public var summary = AnalysisSummary()
    /// Streams removed by idle timeout or the stream cap (live).
    public private(set) var evictedStreams: UInt64 = 0
    /// Per-second series of capture time (`analyze --openmetrics`); nil, the default, costs one check
    /// per datagram.
    @exclusivity(unchecked) public var sampler: CaptureTimeSampler?

    /// Candidate streams tracked at once before the oldest is dropped.
    public static let maxCandidates = 4096

    // Internal (not private) for the exporter's read-only pass in StreamAnalyzer+Export.swift.
    @exclusivity(unchecked) var streams = StreamTable()
    private var confirmedCount = 0
    private var candidateCount = 0
    /// Candidates in creation order (entries go stale when a candidate confirms or is evicted; they are
    /// skipped when popped), so dropping the oldest is amortised O(1) even under a flood of garbage.
    private var candidateOrder: [StreamKey] = []
    private var candidateOrderHead = 0
    /// Packets of candidates that were dropped or evicted without ever confirming.
    private(set) var droppedCandidatePackets: UInt64 = 0
    private var resolver: ClockRateResolver
    private let forcedPorts: PortBitmap?
    let rtcp = RTCPAccounting()
    /// Relative-time base (ns) for tshark-compatible times: the capture's first frame.
    @exclusivity(unchecked) private var timeBase: Nanoseconds?
    /// Send stalls detected since the last `takeSendStalls()` (live, outgoing streams).
    private var newStalls: [(key: StreamKey, stall: SendStall)] = []

    public init(configuration: AnalyzerConfiguration) {
        self.configuration = configuration
        self.resolver = ClockRateResolver(explicitRates: configuration.explicitClockRates,
                                          sdpRates: configuration.sdpClockRates)
        self.forcedPorts = configuration.forcedUDPPorts.isEmpty ? nil : PortBitmap(configuration.forcedUDPPorts)
    }

    /// A payload type's clock learnt while running (e.g. from SDP seen inside the capture). Applies to
    /// streams created afterwards; explicit rates still win.
    /// `encodingName` is the rtpmap encoding (e.g. `opus`, `telephone-event`), when known.
    public func learnClockRate(payloadType: UInt8, rate: Int, encodingName: String? = nil) {
        guard rate > 0 else { return }
        resolver.sdpRates[payloadType] = rate
        if let name = encodingName, name.lowercased().hasPrefix("telephone-event") {
            resolver.telephoneEventTypes.insert(payloadType)
        }
    }

    // MARK: - Ingest

    /// Classifies, decodes and accounts one datagram. Never traps on any input.
    public func ingest(_ datagram: Datagram) {
        // Before accounting the datagram: a sample at second T holds exactly what arrived before T.
        if let sampler, datagram.time >= sampler.nextBoundary { sampler.reach(datagram.time, of: self) }
        summary.datagrams &+= 1
        let payload = datagram.payload
        switch PayloadClassifier.classify(payload) {
        case .rtp:
            ingestRTP(datagram)
        case .rtcp:
            ingestRTCP(datagram)
        case .stun:
            summary.demultiplexed["stun", default: 0] &+= 1
        case .dtls:
            summary.demultiplexed["dtls", default: 0] &+= 1
        case .zrtp:
            summary.demultiplexed["zrtp", default: 0] &+= 1
        case .turnChannel, .unknown:
            // SIP requests start with 'A'…'P' and so look like TURN channel data by first byte alone.
            if InCaptureSDP.looksLikeSIP(payload) {
                summary.nonRTP &+= 1
                learnClockRates(fromSIP: payload)
            } else if payload.first.map({ $0 >= 64 && $0 <= 79 }) == true {
                summary.demultiplexed["turn_channel", default: 0] &+= 1
            } else {
                summary.nonRTP &+= 1
            }
        }
    }

    private func learnClockRates(fromSIP payload: UnsafeRawBufferPointer) {
        guard let maps = InCaptureSDP.rtpMaps(in: payload) else { return }
        // `--sdp` files describe the session deliberately: they win over what the capture shows.
        for map in maps where map.payloadType >= 96 && configuration.sdpClockRates[map.payloadType] == nil {
            learnClockRate(payloadType: map.payloadType, rate: map.clockRate, encodingName: map.encoding)
        }
    }

    private func isForced(_ datagram: borrowing Datagram) -> Bool {
        if datagram.transport == .tcp { return true }
        guard let forcedPorts else { return false }
        return forcedPorts.contains(datagram.source.port) || forcedPorts.contains(datagram.destination.port)
    }

    private func ingestRTP(_ datagram: borrowing Datagram) {
        let forced = isForced(datagram)
        guard forced || configuration.heuristic else {
            summary.nonRTP &+= 1
            return
        }
        let header: RTPHeader
        switch RTPHeader.decode(datagram.payload) {
        case .success(let decoded): header = decoded
        case .failure(let reason):
            summary.malformed[Self.malformedKey(reason), default: 0] &+= 1
            return
        }
        if !forced {
            // RFC 3551 reserves 72–76 (they alias RTCP SR/RR…); tshark's heuristic refuses them too.
            if header.payloadType >= 72 && header.payloadType <= 76 {
                summary.malformed["rtp_rtcp_conflict_payload_type", default: 0] &+= 1
                return
            }
            if configuration.mode == .wireshark && WiresharkPorts.claimedByOtherDissector(datagram) {
                summary.nonRTP &+= 1
                return
            }
        }
        summary.rtpPackets &+= 1
        let relativeMs = configuration.mode == .wireshark ? relativeMilliseconds(datagram.time) : 0
        let packedKey = PackedStreamKey(transport: datagram.transport, source: datagram.source,
                                        destination: datagram.destination, ssrc: header.ssrc,
                                        pid: datagram.process?.pid, direction: datagram.process?.direction)
        let hash = streams.hash(packedKey)
        if let index = streams.index(of: packedKey, hash: hash) {
            let confirmedNow = streams[index].measurements.ingest(
                header, time: datagram.time, wireLength: datagram.originalLength, relativeMilliseconds: relativeMs)
            // Before promote(): enforcing the stream cap may evict and move entries, so `index` is
            // only valid until then.
            if configuration.sendStallFactor != nil, let stall = streams[index].measurements.takeNewStall() {
                newStalls.append((streams[index].key, stall))
            }
            if confirmedNow { promote() }
            return
        }
        let key = StreamKey(transport: datagram.transport, source: datagram.source,
                            destination: datagram.destination, ssrc: header.ssrc,
                            pid: datagram.process?.pid, direction: datagram.process?.direction)
        let confirmed = forced || configuration.mode == .wireshark
        let stream = StreamStatistics(
            key: key, processName: datagram.process?.comm,
            measurements: StreamMeasurements(firstTime: datagram.time, payloadType: header.payloadType,
                                             resolver: resolver, confirmed: confirmed,
                                             tracksWireshark: configuration.mode == .wireshark,
                                             pacingStallFactor: datagram.process?.direction == .sent
                                                 ? configuration.sendStallFactor : nil))
        if confirmed {
            confirmedCount += 1
        } else {
            if candidateCount >= Self.maxCandidates { dropOldestCandidate() }
            candidateCount += 1
            recordCandidate(key)
        }
        let index = streams.insert(stream, hash: hash)
        if streams[index].measurements.ingest(header, time: datagram.time, wireLength: datagram.originalLength,
                                              relativeMilliseconds: relativeMs) {
            promote()
        }
        if confirmed { enforceStreamCap() }
    }

    /// A candidate just confirmed.
    private func promote() {
        candidateCount -= 1
        confirmedCount += 1
        enforceStreamCap()
    }

    /// tshark's `rel_ts` in milliseconds: relative to the capture's first frame when the source said
    /// when that was, else to the first RTP packet (deltas and jitter only use differences anyway).
    private func relativeMilliseconds(_ time: Nanoseconds) -> Double {
        if timeBase == nil {
            timeBase = summary.firstPacketTime.map(Self.nanoseconds(fromSeconds:)) ?? time
        }
        return Self.milliseconds(time &- (timeBase ?? time))
    }

    private func ingestRTCP(_ datagram: Datagram) {
        let result = RTCPDecoder.decodeCompound(datagram.payload)
        if let rejection = result.rejection {
            summary.malformed[Self.malformedKey(rejection), default: 0] &+= 1
        }
        if result.isSRTCP {
            // SRTCP report blocks are encrypted: count, never parse.
            summary.srtcpPackets &+= 1
            return
        }
        guard !result.packets.isEmpty else { return }
        summary.rtcpPackets &+= 1
        rtcp.ingest(result.packets, datagram: datagram)
    }

    // MARK: - Bounds (live)

    /// Live: removes streams idle since before `now - streamIdleTimeout`; returns how many.
    @discardableResult
    public func evictIdleStreams(now: Nanoseconds) -> Int {
        guard let timeout = configuration.streamIdleTimeout else { return 0 }
        let cutoff = now &- timeout
        let idle = streams.entries.filter { $0.lastTime < cutoff }.map(\.key)
        for key in idle {
            if let index = streams.index(of: key) { remove(at: index) }
        }
        rtcp.evict(before: cutoff)
        return idle.count
    }

    /// Beyond `maxStreams` confirmed streams, evicts the least recently seen ones (a scan, but only
    /// when a stream is confirmed while at the cap).
    private func enforceStreamCap() {
        while confirmedCount > max(configuration.maxStreams, 0) {
            var oldest: (index: Int, lastTime: Nanoseconds)?
            for (index, stream) in streams.entries.enumerated() where stream.isConfirmed {
                if let current = oldest, current.lastTime <= stream.lastTime { continue }
                oldest = (index, stream.lastTime)
            }
            guard let oldest else { return }
            remove(at: oldest.index)
        }
    }

    private func dropOldestCandidate() {
        while candidateOrderHead < candidateOrder.count {
            let key = candidateOrder[candidateOrderHead]
            candidateOrderHead += 1
            if let index = streams.index(of: key), !streams[index].isConfirmed {
                remove(at: index)
                break
            }
        }
    }

    private func recordCandidate(_ key: StreamKey) {
        candidateOrder.append(key)
        // Keep the order bounded: drop consumed and stale (confirmed or evicted) entries now and then.
        if candidateOrder.count > 2 * Self.maxCandidates {
            candidateOrder = candidateOrder[candidateOrderHead...].filter { key in
                streams.index(of: key).map { !streams[$0].isConfirmed } ?? false
            }
            candidateOrderHead = 0
        }
    }

    private func remove(at index: Int) {
        let stream = streams.remove(at: index)
        if stream.isConfirmed {
            confirmedCount -= 1
            evictedStreams &+= 1
        } else {
            candidateCount -= 1
            droppedCandidatePackets &+= stream.packets
        }
    }

    // MARK: - Output

    /// Number of confirmed streams currently tracked.
    public var streamCount: Int { confirmedCount }

    /// Confirmed streams ordered by first packet time (then key text, for stable output).
    private var confirmedStreams: [StreamStatistics] {
        streams.entries.filter(\.isConfirmed).sorted {
            ($0.firstTime, $0.key.source, $0.key.destination, $0.key.ssrc)
                < ($1.firstTime, $1.key.source, $1.key.destination, $1.key.ssrc)
        }
    }

    /// A snapshot of every confirmed stream, the RTCP reporters and the summary.
    public func report() -> AnalysisReport {
        let streamReports = confirmedStreams.map { $0.report(mode: configuration.mode) }
        var summary = self.summary
        summary.unconfirmedRTP = droppedCandidatePackets
            &+ streams.entries.reduce(0) { $1.isConfirmed ? $0 : $0 &+ $1.packets }
        let clocks = Dictionary(streamReports.compactMap { r in r.clockRate.map { (r.ssrc, $0) } },
                                uniquingKeysWith: { first, _ in first })
        return AnalysisReport(streams: streamReports, rtcp: rtcp.reports { clocks[$0] }, summary: summary)
    }

    /// Live view for the exporter: every confirmed stream's report, interval histogram and last arrival.
    public func streamSnapshots() -> [StreamSnapshot] {
        confirmedStreams.map {
            StreamSnapshot(key: $0.key, report: $0.report(mode: configuration.mode),
                           intervalHistogram: $0.measurements.intervals, lastSeen: $0.lastTime,
                           pacing: $0.measurements.pacing)
        }
    }

    /// Send stalls detected since the previous call (outgoing streams, `sendStallFactor` set).
    public func takeSendStalls() -> [(key: StreamKey, stall: SendStall)] {
        defer { newStalls.removeAll(keepingCapacity: true) }
        return newStalls
    }

    /// Records the cause of a stall taken from `takeSendStalls()` (ignored if the stream is gone).
    public func recordStallCause(_ cause: StallCause, for key: StreamKey) {
        guard let index = streams.index(of: key) else { return }
        streams[index].measurements.classifyStall(cause)
    }

    /// RFC 3550 A.3 fraction lost (0…1) of a stream since the previous call for it: for RTCP-like
    /// interval reporting. nil for an unknown (or not yet confirmed) stream.
    public func takeIntervalFractionLost(for key: StreamKey) -> Double? {
        guard let index = streams.index(of: key), streams[index].isConfirmed else { return nil }
        return Double(streams[index].measurements.takeIntervalFractionLost()) / 256
    }

    // MARK: - Helpers

    static func nanoseconds(fromSeconds seconds: Double) -> Nanoseconds {
        // Split so that microsecond capture times survive the trip through Double exactly.
        let whole = seconds.rounded(.down)
        guard whole.isFinite, abs(whole) < 9e9 else { return 0 }
        let micros = ((seconds - whole) * 1e6).rounded()
        return Int64(whole) * 1_000_000_000 + Int64(micros) * 1000
    }

    /// nstime_to_msec: seconds·1000 + nanoseconds/1e6, as tshark computes relative times.
    static func milliseconds(_ nanoseconds: Nanoseconds) -> Double {
        let (seconds, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return Double(seconds) * 1000 + Double(remainder) / 1e6
    }

    static func malformedKey(_ reason: RTPRejection) -> String {
        switch reason {
        case .tooShort: return "rtp_too_short"
        case .badVersion: return "rtp_bad_version"
        case .csrcOverrun: return "rtp_csrc_overrun"
        case .extensionOverrun: return "rtp_extension_overrun"
        case .badPadding: return "rtp_bad_padding"
        }
    }

    /// RTCP rejections are rarer than RTP ones and their set is still growing: build the key.
    static func malformedKey(_ reason: RTCPRejection) -> String { "rtcp_" + reason.rawValue }
}

/// A set of ports as 65536 bits: checked twice per packet, so a bit test instead of two hashed lookups.
struct PortBitmap {
    private var words = [UInt64](repeating: 0, count: 1024)

    init(_ ports: Set<UInt16>) {
        for port in ports { words[Int(port >> 6)] |= 1 << UInt64(port & 63) }
    }

    func contains(_ port: UInt16) -> Bool {
        words[Int(port >> 6)] & (1 << UInt64(port & 63)) != 0
    }
}

/// Ports on which tshark hands UDP to a registered dissector before any heuristic runs, so its RTP
/// heuristic never sees them. An approximation (Wireshark registers hundreds of ports): the well-known
/// range plus the registered ports most often seen next to RTP.
enum WiresharkPorts {
    static func claimedByOtherDissector(_ datagram: borrowing Datagram) -> Bool {
        guard datagram.transport == .udp else { return false }
        return isClaimed(datagram.source.port) || isClaimed(datagram.destination.port)
    }

    static func isClaimed(_ port: UInt16) -> Bool {
        if port < 1024 { return true }
        switch port {
        case 1900, 3702, 5060, 5061, 5353, 5355: return true   // SSDP, WS-Discovery, SIP, mDNS, LLMNR
        default: return false
        }
    }
}
