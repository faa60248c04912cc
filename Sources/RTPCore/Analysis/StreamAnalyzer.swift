/// The engine: sources push datagrams in, reports come out. One instance per analysis (offline) or
/// per monitor (live); not thread-safe — the owner serialises access.
///
/// Per datagram: RFC 7983 classification; STUN/DTLS/ZRTP/TURN are counted; RTCP goes to the RTCP
/// decoder and the reporter table; RTP is decoded and accounted to its stream with one lookup in
/// `StreamTable`. Nothing on the RTP path of a known stream allocates.
///
/// Detection (`configuration.mode`):
/// - **strict (default), heuristic:** a new (5-tuple, SSRC) is a *candidate* until RFC 3550 A.1
///   probation succeeds (MIN_SEQUENTIAL = 2 consecutive sequence numbers). A candidate seen once is a
///   32-byte record in `CandidateTable` (sized in bytes: ~1 M in the default 64 MiB, so any number of
///   streams starting together confirm, and a flood of single packets is dropped oldest-first, garbage
///   before sources on a 5-tuple that already carries a stream). Its second packet builds the stream and
///   replays the first into it, so a confirmed stream counts all its packets. A candidate whose second
///   packet does not confirm it (a gap, a repeat) keeps full statistics, at most
///   `maxUnconfirmedStreams` of them. Candidates that never confirm are not reported; their packets are
///   `summary.unconfirmedRTP` (`rtp_unconfirmed` / `rtp_candidate_evicted` in `summary.discarded`).
/// - **wireshark:** tshark's heuristic accepts any version-2 datagram whose payload type is not 72–76
///   and whose header fits, as a stream of its own from the first packet — so do we (streams of one
///   packet included), except on ports tshark would have given to another dissector (well-known ports
///   below 1024 and a few registered ones: SIP, mDNS, SSDP…), where its RTP heuristic never runs.
/// - `forcedUDPPorts` (tshark's decode-as) confirms immediately in both modes; with `heuristic` off only
///   forced ports (and TCP, which the source only delivers for configured RFC 4571 ports) carry RTP.
///
/// Bounds (live): `maxStreams` evicts the least recently seen stream, `streamIdleTimeout` expires idle
/// streams, candidates and RTCP state — each in O(1) per entry through recency lists, never a scan.
/// Offline nothing is capped but candidates (memory), unconfirmed streams and RTCP blocks per reporter.
public final class StreamAnalyzer {
    public let configuration: AnalyzerConfiguration
    /// The counts reports carry. Sources hand theirs over through `addSourceCounts` and
    /// `finishCaptureFile` (StreamAnalyzer+Source.swift).
    // `@exclusivity(unchecked)` on the per-packet state: the analyzer is single-threaded by contract and
    // never holds overlapping accesses, and the dynamic checks were ~15 % of the per-packet cost.
    @exclusivity(unchecked) public var summary = AnalysisSummary()
    /// Streams removed by idle timeout or the stream cap (live).
    public private(set) var evictedStreams: UInt64 = 0
    /// Per-second series of capture time (`analyze --openmetrics`); nil, the default, costs one check
    /// per datagram.
    @exclusivity(unchecked) public var sampler: CaptureTimeSampler?
    /// SIP calls seen in the traffic, and where their media was announced (`StreamAnalyzer+SIP`).
    public let calls: CallTracker

    // Internal (not private) for the exporter's read-only pass in StreamAnalyzer+Export.swift.
    @exclusivity(unchecked) var streams = StreamTable()
    @exclusivity(unchecked) private var candidates: CandidateTable
    /// Confirmed streams per socket pair (`PackedStreamKey.flow`, folded): a new source on a pair that
    /// already carries a stream is a better candidate than one on an unknown pair.
    private var flows: [UInt64: UInt32] = [:]
    private var containers: [ContainerContext: SharedContainer] = [:]
    /// Whether the confirmed streams' recency order is kept (a cap or an idle timeout needs it).
    private let tracksRecency: Bool
    /// Half of each cap: see `StreamTable.touch`.
    private let confirmedRecencyWindow: UInt32
    private let unconfirmedRecencyWindow: UInt32
    /// Packets of candidates (single-packet or not) removed without ever confirming.
    private(set) var droppedCandidatePackets: UInt64 = 0
    /// Payload types' clocks and names. Held by reference: the streams' per-packet accounting borrows
    /// it from this constant, where passing the struct out of a variable copied its four tables (four
    /// retains and four releases per packet).
    private let clockRates: SharedClockRateResolver
    private let forcedPorts: PortBitmap?
    let rtcp: RTCPAccounting
    /// Jitter-buffer models and the rest of the quality measurement's settings (`Quality/`).
    let qualitySettings: QualitySettings
    /// Relative-time base (ns) for tshark-compatible times: the capture's first frame.
    @exclusivity(unchecked) private var timeBase: Nanoseconds?
    /// Send stalls detected since the last `classifyPendingStalls` (live, outgoing streams), the
    /// stalls waiting for the codec calls that may explain them, and those calls
    /// (Correlation/CodecCorrelator.swift).
    @exclusivity(unchecked) var newStalls: [(key: StreamKey, stall: SendStall)] = []
    var stallClassifier = StallClassifier()
    var codecActivity = CodecActivity()

    public init(configuration: AnalyzerConfiguration) {
        self.configuration = configuration
        var resolver = ClockRateResolver(explicitRates: configuration.explicitClockRates,
                                         sdpRates: configuration.sdpClockRates)
        for (payloadType, name) in configuration.sdpEncodingNames {
            resolver.learn(payloadType: payloadType, encodingName: name, clockRate: nil)
        }
        clockRates = SharedClockRateResolver(resolver)
        qualitySettings = QualitySettings(models: configuration.jitterBuffers)
        self.forcedPorts = configuration.forcedUDPPorts.isEmpty ? nil : PortBitmap(configuration.forcedUDPPorts)
        candidates = CandidateTable(byteBudget: configuration.candidateMemoryBytes)
        tracksRecency = configuration.maxStreams < .max || configuration.streamIdleTimeout != nil
        if configuration.maxStreams < 1 << 24 {
            // A live cap: the table's final size is known (see `StreamTable.reserve`).
            streams.reserve(capacity: max(configuration.maxStreams, 0) + max(configuration.maxUnconfirmedStreams, 0) + 1)
        }
        confirmedRecencyWindow = UInt32(clamping: max(configuration.maxStreams / 2, 1))
        unconfirmedRecencyWindow = UInt32(clamping: max(configuration.maxUnconfirmedStreams / 2, 1))
        let bounded = configuration.maxStreams < .max
        rtcp = RTCPAccounting(limits: RTCPAccounting.Limits(
            reporters: configuration.maxRTCPReporters ?? (bounded ? max(configuration.maxStreams, 4096) : .max),
            blocksPerReporter: configuration.maxReportBlocksPerReporter,
            blocks: configuration.maxRTCPReportBlocks
                ?? (bounded ? max(configuration.maxStreams > Int.max / 2 ? .max : 2 * configuration.maxStreams, 8192) : .max)))
        self.calls = CallTracker(configuration: Self.callConfiguration(configuration))
    }

    /// A payload type's clock learnt while running (e.g. from SDP seen inside the capture). Applies to
    /// streams created afterwards; explicit rates still win.
    /// `encodingName` is the rtpmap encoding (e.g. `opus`, `telephone-event`), when known.
    public func learnClockRate(payloadType: UInt8, rate: Int, encodingName: String? = nil) {
        guard rate > 0 else { return }
        clockRates.resolver.learn(payloadType: payloadType, encodingName: encodingName ?? "", clockRate: rate)
    }

    // MARK: - Ingest

    /// Classifies, decodes and accounts one datagram. Never traps on any input.
    public func ingest(_ datagram: Datagram) {
        // Before accounting the datagram: a sample at second T holds exactly what arrived before T.
        if let sampler, datagram.time >= sampler.nextBoundary { sampler.reach(datagram.time, of: self) }
        summary.datagrams &+= 1
        // After a re-INVITE to T.38 the port carries UDPTL, whatever its bytes look like (tshark
        // decodes it as T.38 from that SDP on). One flag check unless a call ever switched.
        if calls.hasNonRTPMedia,
           calls.isNonRTPMedia(source: datagram.source, destination: datagram.destination, at: datagram.time) {
            summary.demultiplexed["t38", default: 0] &+= 1
            return
        }
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
            if SIPParser.startsLikeSIP(payload) {
                summary.nonRTP &+= 1
                ingestSIP(datagram)
            } else if payload.first.map({ $0 >= 64 && $0 <= 79 }) == true {
                summary.demultiplexed["turn_channel", default: 0] &+= 1
            } else {
                summary.nonRTP &+= 1
            }
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
        switch RTPHeader.decode(datagram.payload, originalLength: datagram.originalLength) {
        case .success(let decoded): header = decoded
        case .failure(.headerTruncated):
            summary.truncatedHeaders &+= 1
            return
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
        if header.isTruncated { summary.truncatedRTP &+= 1 }
        let relativeMs = configuration.mode == .wireshark ? relativeMilliseconds(datagram.time) : 0
        let packedKey = PackedStreamKey(transport: datagram.transport, source: datagram.source,
                                        destination: datagram.destination, ssrc: header.ssrc,
                                        pid: datagram.process?.pid, direction: datagram.direction,
                                        interface: datagram.interface?.index)
        let hash = streams.hash(packedKey)
        if let index = streams.index(of: packedKey, hash: hash) {
            let confirmedNow = streams[index].measurements.ingest(
                header, time: datagram.time, wireLength: datagram.originalLength, relativeMilliseconds: relativeMs,
                resolver: clockRates, quality: qualitySettings)
            if configuration.sendStallFactor != nil, let stall = streams[index].measurements.takeNewStall() {
                newStalls.append((streams.key(at: index), stall))
            }
            if confirmedNow {
                streams.didConfirm(index)
                didConfirm(index)   // may evict and move entries: `index` is not valid after this
            } else if streams[index].isConfirmed {
                if tracksRecency { streams.touch(index, at: datagram.time, window: confirmedRecencyWindow) }
            } else {
                streams.touch(index, at: datagram.time, window: unconfirmedRecencyWindow)
            }
            return
        }
        if forced || configuration.mode == .wireshark {
            var measurements = newMeasurements(firstTime: datagram.time, payloadType: header.payloadType,
                                               confirmed: true, process: datagram.process)
            measurements.ingest(header, time: datagram.time, wireLength: datagram.originalLength,
                                relativeMilliseconds: relativeMs, resolver: clockRates, quality: qualitySettings)
            let index = streams.insert(StreamStatistics(key: packedKey, processName: datagram.process?.comm, container: sharedContainer(datagram.process?.container),
                                                        interfaceName: datagram.interface?.name, measurements: measurements), hash: hash)
            didConfirm(index)
            return
        }
        let fingerprint = CandidateTable.fingerprint(packedKey)
        if let slot = candidates.find(fingerprint) {
            // The second packet of a source: the stream starts with its first packet, replayed.
            let first = candidates.remove(at: slot)
            var measurements = newMeasurements(firstTime: first.time, payloadType: first.payloadType,
                                               confirmed: false, process: datagram.process)
            measurements.ingest(payloadType: first.payloadType, marker: first.marker, sequenceNumber: first.sequence,
                                timestamp: first.timestamp, time: first.time, wireLength: Int(first.wireLength),
                                relativeMilliseconds: 0, resolver: clockRates, quality: qualitySettings)
            let confirmedNow = measurements.ingest(header, time: datagram.time, wireLength: datagram.originalLength,
                                                   relativeMilliseconds: relativeMs, resolver: clockRates, quality: qualitySettings)
            let index = streams.insert(StreamStatistics(key: packedKey, processName: datagram.process?.comm, container: sharedContainer(datagram.process?.container),
                                                        interfaceName: datagram.interface?.name, measurements: measurements), hash: hash)
            if confirmedNow { didConfirm(index) } else { enforceUnconfirmedCap() }
            return
        }
        if candidates.isFull, candidates.evictOne() != nil {
            summary.candidatesEvicted &+= 1
            summary.candidatePacketsEvicted &+= 1
            droppedCandidatePackets &+= 1
        }
        let knownFlow = !flows.isEmpty && flows[packedKey.flow.folded] != nil
        candidates.insert(CandidateTable.Record(
            fingerprint: fingerprint, time: datagram.time, timestamp: header.timestamp,
            wireLength: UInt32(clamping: datagram.originalLength), sequence: header.sequenceNumber,
            markerAndPayloadType: (header.marker ? 0x80 : 0) | header.payloadType,
            tier: knownFlow ? CandidateTable.Tier.knownFlow.rawValue : CandidateTable.Tier.unknownFlow.rawValue))
    }

    /// The shared box for a container's labels; the index is bounded (emptied at 4,096 containers:
    /// streams keep their boxes, new streams get new ones).
    private func sharedContainer(_ context: ContainerContext?) -> SharedContainer? {
        guard let context else { return nil }
        if let shared = containers[context] { return shared }
        if containers.count >= 4096 { containers.removeAll(keepingCapacity: true) }
        let shared = SharedContainer(context)
        containers[context] = shared
        return shared
    }

    private func newMeasurements(firstTime: Nanoseconds, payloadType: UInt8, confirmed: Bool,
                                 process: ProcessContext?) -> StreamMeasurements {
        StreamMeasurements(firstTime: firstTime, payloadType: payloadType, resolver: clockRates.resolver, confirmed: confirmed,
                           tracksWireshark: configuration.mode == .wireshark,
                           pacingStallFactor: process?.direction == .sent ? configuration.sendStallFactor : nil)
    }

    /// The stream at `index` was just confirmed (and is in the table's confirmed list).
    private func didConfirm(_ index: Int) {
        flows[streams.packedKey(at: index).flow.folded, default: 0] &+= 1
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
        let result = RTCPDecoder.decodeCompound(datagram.payload, originalLength: datagram.originalLength)
        if result.isSRTCP {
            // SRTCP report blocks are encrypted: count, never parse.
            summary.srtcpPackets &+= 1
            return
        }
        if result.truncated {
            // What the copy holds did not decode: SRTCP whose trailer was cut off, or malformed. Its
            // packets (if any) may be ciphertext: none is used.
            guard result.rejection == nil else {
                summary.truncatedUndecodableRTCP &+= 1
                return
            }
            summary.rtcpPackets &+= 1
            summary.truncatedRTCP &+= 1
            if !result.packets.isEmpty { rtcp.ingest(result.packets, datagram: datagram) }
            return
        }
        if let rejection = result.rejection {
            let key = Self.malformedKey(rejection)
            summary.malformed[key, default: 0] &+= 1
            if !result.packets.isEmpty { summary.rtcpPartiallyDecoded[key, default: 0] &+= 1 }
        }
        guard !result.packets.isEmpty else { return }
        summary.rtcpPackets &+= 1
        rtcp.ingest(result.packets, datagram: datagram)
    }

    // MARK: - Bounds

    /// Live: removes streams idle since before `now - streamIdleTimeout` (and idle candidates and RTCP
    /// state); returns how many streams. O(1) per entry removed: recency lists, oldest first.
    @discardableResult
    public func evictIdleStreams(now: Nanoseconds) -> Int {
        guard let timeout = configuration.streamIdleTimeout else { return 0 }
        let cutoff = now &- timeout
        var removed = 0
        while let oldest = streams.confirmedOrder.first, streams[oldest].lastTime < cutoff {
            remove(at: oldest)
            removed += 1
        }
        while let oldest = streams.candidateOrder.first, streams[oldest].lastTime < cutoff {
            remove(at: oldest)
        }
        droppedCandidatePackets &+= UInt64(candidates.removeOlder(than: cutoff))
        rtcp.evict(before: cutoff)
        calls.expire(now: now)
        return removed
    }

    /// Beyond `maxStreams` confirmed streams, evicts the least recently seen (O(1) each).
    private func enforceStreamCap() {
        while streams.confirmedOrder.count > max(configuration.maxStreams, 0), let oldest = streams.confirmedOrder.first {
            remove(at: oldest)
        }
    }

    /// Beyond `maxUnconfirmedStreams` multi-packet candidates, drops the least recently seen.
    private func enforceUnconfirmedCap() {
        while streams.candidateOrder.count > max(configuration.maxUnconfirmedStreams, 0),
              let oldest = streams.candidateOrder.first {
            let packets = streams[oldest].packets
            remove(at: oldest)
            summary.candidatesEvicted &+= 1
            summary.candidatePacketsEvicted &+= packets
        }
    }

    private func remove(at index: Int) {
        let flow = streams.packedKey(at: index).flow.folded
        let stream = streams.remove(at: index)
        if stream.isConfirmed {
            evictedStreams &+= 1
            if let count = flows[flow] { flows[flow] = count > 1 ? count - 1 : nil }
        } else {
            droppedCandidatePackets &+= stream.packets
        }
    }

    // MARK: - Output

    /// Number of confirmed streams currently tracked.
    public var streamCount: Int { streams.confirmedOrder.count }

    /// What the engine holds and the bytes it uses for it (its own accounting: tables, records and
    /// per-stream allocations, not the allocator's slack). O(streams): for tests and diagnostics.
    public var footprint: EngineFootprint {
        var streamHeap = 0
        for entry in streams.entries { streamHeap += entry.measurements.heapBytes }
        // Containers' labels are shared by their streams: counted once each.
        streamHeap += containers.count * (16 + MemoryLayout<ContainerContext>.stride)
        return EngineFootprint(
            streams: streams.confirmedOrder.count, unconfirmedStreams: streams.candidateOrder.count,
            candidates: candidates.count, candidateCapacity: candidates.capacity,
            rtcpReporters: rtcp.reporterCount, rtcpReportBlocks: rtcp.blockCount,
            streamBytes: streams.occupiedBytes + streamHeap + flows.capacity * (MemoryLayout<UInt64>.stride + MemoryLayout<UInt32>.stride + 1),
            candidateBytes: candidates.occupiedBytes,
            candidateByteLimit: candidates.byteLimit,
            rtcpBytes: rtcp.allocatedBytes)
    }

    /// Confirmed streams (index, key) ordered by first packet time (then key, for stable output).
    private var confirmedStreams: [(index: Int, key: StreamKey)] {
        var result: [(index: Int, key: StreamKey)] = []
        result.reserveCapacity(streams.confirmedOrder.count)
        for index in streams.entries.indices where streams[index].isConfirmed {
            result.append((index, streams.key(at: index)))
        }
        let entries = streams.entries
        result.sort {
            (entries[$0.index].firstTime, $0.key.source, $0.key.destination, $0.key.ssrc)
                < (entries[$1.index].firstTime, $1.key.source, $1.key.destination, $1.key.ssrc)
        }
        return result
    }

    /// A snapshot of every confirmed stream, the RTCP reporters and the summary. Live, `now` adds
    /// each outgoing stream's codec ↔ network correlation (see `CodecCorrelator`).
    public func report(codecCorrelationAt now: Nanoseconds? = nil) -> AnalysisReport {
        let correlator = now == nil ? nil : codecCorrelator
        let streamReports = confirmedStreams.map { stream in
            var streamReport = report(at: stream.index, key: stream.key)
            if let now, let correlator {
                streamReport.codecCorrelation = correlator.correlation(
                    pid: stream.key.pid, pacing: streams[stream.index].measurements.pacing, now: now)
            }
            return streamReport
        }
        var summary = self.summary
        summary.unconfirmedRTP = droppedCandidatePackets &+ UInt64(candidates.count)
            &+ streams.entries.reduce(0) { $1.isConfirmed ? $0 : $0 &+ $1.packets }
        summary.rtcpReportBlocksDropped = rtcp.blocksDropped
        summary.rtcpReportersEvicted = rtcp.reportersEvicted
        let clocks = Dictionary(streamReports.compactMap { r in r.clockRate.map { (r.ssrc, $0) } },
                                uniquingKeysWith: { first, _ in first })
        let rtcpReports = rtcp.reports { clocks[$0] }
        var analysis = AnalysisReport(streams: streamReports, rtcp: rtcpReports, summary: summary)
        addCalls(to: &analysis)
        return analysis
    }

    /// Live view for the exporter: every confirmed stream's report, interval histogram and last arrival.
    public func streamSnapshots() -> [StreamSnapshot] {
        confirmedStreams.map { snapshot(at: $0.index, key: $0.key) }
    }

    func snapshot(at index: Int, key: StreamKey) -> StreamSnapshot {
        let stream = streams[index]
        return StreamSnapshot(key: key, report: report(at: index, key: key),
                              intervalHistogram: stream.measurements.intervals, lastSeen: stream.lastTime,
                              pacing: stream.measurements.pacing)
    }

    /// One stream's report, with the RTCP BYE that ended it (a BYE older than its last packet, as
    /// when an SSRC is reused, does not count).
    func report(at index: Int, key: StreamKey) -> StreamReport {
        let stream = streams[index]
        var report = stream.report(key: key, mode: configuration.mode)
        report.quality = stream.measurements.qualityReport(settings: qualitySettings,
                                                           rttMs: rtcp.roundTrip(about: key.ssrc))
        report.quality?.rtcpXR = rtcp.extendedReport(about: key.ssrc)
        if let bye = rtcp.goodbyeTime(of: key.ssrc), bye >= stream.lastTime {
            report.byeTime = Double(bye) / 1e9
        }
        return report
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
        case .headerTruncated: return "rtp_header_truncated"
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

/// What the engine holds, and the bytes it accounts for it (`StreamAnalyzer.footprint`).
public struct EngineFootprint: Sendable, Equatable {
    /// Confirmed streams.
    public var streams: Int
    /// Candidates that sent more than one packet without confirming (full statistics).
    public var unconfirmedStreams: Int
    /// Single-packet candidates, and how many the candidate memory holds at most.
    public var candidates: Int
    public var candidateCapacity: Int
    public var rtcpReporters: Int
    public var rtcpReportBlocks: Int
    /// Stream table (entries, keys, links, buckets), per-stream allocations and the flow index.
    /// Bytes written, not address space reserved by arrays that grow by doubling.
    public var streamBytes: Int
    /// Candidate records, links and buckets in use, and the most they may take.
    public var candidateBytes: Int
    public var candidateByteLimit: Int
    public var rtcpBytes: Int

    public var totalBytes: Int { streamBytes + candidateBytes + rtcpBytes }
    /// Bytes per tracked stream (confirmed or not), candidates and RTCP left out.
    public var bytesPerStream: Double {
        streams + unconfirmedStreams == 0 ? 0 : Double(streamBytes) / Double(streams + unconfirmedStreams)
    }
}
