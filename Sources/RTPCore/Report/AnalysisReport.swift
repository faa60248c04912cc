/// Where a stream's clock rate came from, in order of precedence.
public enum ClockRateSource: String, Sendable, Codable {
    case explicit   // --clock-rate PT=HZ
    case sdp        // a=rtpmap in an --sdp file
    case `static`   // RFC 3551 table
    case inferred   // timestamp progression vs arrival time
    case unknown    // none of the above: jitter is null, never 0
}

/// A snapshot of one stream's statistics: the shape of `analyze --format json` streams and of the
/// live exporter's `/streams`. Times are seconds since the Unix epoch; durations in milliseconds
/// (field names say so). Optional values are JSON null when they cannot be known.
public struct StreamReport: Codable, Sendable, Equatable {
    public var ssrc: UInt32
    public var src: String
    public var dst: String
    public var transport: String
    public var payloadType: UInt8
    public var payloadTypes: [UInt8]
    public var clockRate: Int?
    public var clockRateSource: ClockRateSource
    public var packets: UInt64
    public var bytes: UInt64
    public var expected: Int64
    public var lost: Int64
    public var duplicates: UInt64
    public var reordered: UInt64
    public var seqResets: UInt64
    public var timestampJumps: UInt64
    public var payloadTypeChanges: UInt64
    public var markers: UInt64
    public var jitterMs: Double?
    public var minJitterMs: Double? = nil
    public var maxJitterMs: Double?
    public var meanJitterMs: Double?
    public var minDeltaMs: Double?
    public var meanDeltaMs: Double?
    public var maxDeltaMs: Double?
    public var frames: UInt64
    public var meanPacketsPerFrame: Double?
    public var frameJitterMs: Double?
    public var startTime: Double
    public var endTime: Double
    /// Live only.
    public var pid: Int32?
    public var comm: String?
    public var direction: Direction?
    /// Live, a socket in a container: the container id, and on Kubernetes the pod (its name where
    /// the node has it, else its uid), the pod's uid and its namespace. Nil elsewhere.
    public var container: String? = nil
    public var pod: String? = nil
    public var podUID: String? = nil
    public var namespace: String? = nil
    /// Live, `monitor --interface`: the network interface the stream was captured on (such streams
    /// have no pid or comm). Nil elsewhere.
    public var interface: String? = nil
    /// `strict` (RFC 3550) or `wireshark` (tshark -z rtp,streams rules).
    public var mode: String
    /// Live, outgoing streams: send stalls by cause.
    public var sendStalls: SendStallCounts? = nil
    /// Live, outgoing streams of a process with codec probes: Pearson's r per probed function
    /// between its per-second worst call latency and this stream's per-second worst send interval.
    public var codecCorrelation: [String: Double]? = nil
    /// The encoding name of each payload type in `payloadTypes` that has one: SDP's `a=rtpmap` name (an
    /// `--sdp` file, or SIP/SDP in the capture), else RFC 3551's for a static type. A dynamic type no
    /// SDP described has none.
    public var encodingNames: EncodingNames = [:]
    /// Offline: the capture file the stream was read from, as named on the command line ("stdin" for
    /// `-`). Each file is analysed on its own, so a stream belongs to exactly one.
    public var file: String? = nil
    /// When an RTCP BYE naming this SSRC arrived after the stream's last packet (seconds since the
    /// Unix epoch): the source said it left (RFC 3550 §6.6), so its silence is an end, not a stall.
    /// Nil without one, or when packets came after it.
    public var byeTime: Double? = nil
    /// Burst/gap loss, jitter-buffer models and E-model ratings (`StreamQuality`); its headline
    /// figures are also written flat on the stream (`r_factor`, `mos`…, see `StreamQuality.FlatKeys`).
    public var quality: StreamQuality? = nil

    /// The media's encoding (that of `payloadType`), nil when no SDP or static table names it.
    public var encodingName: String? { encodingNames[payloadType] }

    public init(ssrc: UInt32, src: String, dst: String, transport: String = "udp", payloadType: UInt8,
                payloadTypes: [UInt8] = [], clockRate: Int?, clockRateSource: ClockRateSource,
                packets: UInt64, bytes: UInt64, expected: Int64, lost: Int64, duplicates: UInt64,
                reordered: UInt64, seqResets: UInt64, timestampJumps: UInt64 = 0,
                payloadTypeChanges: UInt64 = 0, markers: UInt64 = 0, jitterMs: Double?,
                maxJitterMs: Double?, meanJitterMs: Double?, minDeltaMs: Double?, meanDeltaMs: Double?,
                maxDeltaMs: Double?, frames: UInt64 = 0, meanPacketsPerFrame: Double? = nil,
                frameJitterMs: Double? = nil, startTime: Double, endTime: Double, pid: Int32? = nil,
                comm: String? = nil, direction: Direction? = nil, mode: String = "strict") {
        self.ssrc = ssrc; self.src = src; self.dst = dst; self.transport = transport
        self.payloadType = payloadType; self.payloadTypes = payloadTypes
        self.clockRate = clockRate; self.clockRateSource = clockRateSource
        self.packets = packets; self.bytes = bytes; self.expected = expected; self.lost = lost
        self.duplicates = duplicates; self.reordered = reordered; self.seqResets = seqResets
        self.timestampJumps = timestampJumps; self.payloadTypeChanges = payloadTypeChanges
        self.markers = markers; self.jitterMs = jitterMs; self.maxJitterMs = maxJitterMs
        self.meanJitterMs = meanJitterMs; self.minDeltaMs = minDeltaMs; self.meanDeltaMs = meanDeltaMs
        self.maxDeltaMs = maxDeltaMs; self.frames = frames; self.meanPacketsPerFrame = meanPacketsPerFrame
        self.frameJitterMs = frameJitterMs; self.startTime = startTime; self.endTime = endTime
        self.pid = pid; self.comm = comm; self.direction = direction; self.mode = mode
    }

    enum CodingKeys: String, CodingKey {
        case ssrc, src, dst, transport
        case payloadType = "payload_type", payloadTypes = "payload_types"
        case clockRate = "clock_rate", clockRateSource = "clock_rate_source"
        case packets, bytes, expected, lost, duplicates, reordered
        case seqResets = "seq_resets", timestampJumps = "timestamp_jumps"
        case payloadTypeChanges = "payload_type_changes", markers
        case jitterMs = "jitter_ms", minJitterMs = "min_jitter_ms", maxJitterMs = "max_jitter_ms", meanJitterMs = "mean_jitter_ms"
        case minDeltaMs = "min_delta_ms", meanDeltaMs = "mean_delta_ms", maxDeltaMs = "max_delta_ms"
        case frames, meanPacketsPerFrame = "mean_packets_per_frame", frameJitterMs = "frame_jitter_ms"
        case startTime = "start_time", endTime = "end_time"
        case pid, comm, direction, mode
        case container, pod, podUID = "pod_uid", namespace, interface
        case sendStalls = "send_stalls", codecCorrelation = "codec_correlation"
        case encodingNames = "encoding_names", file
        case byeTime = "bye_time"
        case quality
    }

    /// Written for readers, derived from the fields above (and not read back).
    private enum DerivedKeys: String, CodingKey {
        case ssrcHex = "ssrc_hex", encodingName = "encoding_name"
    }

    /// Explicit nulls (not missing keys) for unknown values: consumers can tell "unknown" from "absent".
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var derived = encoder.container(keyedBy: DerivedKeys.self)
        try c.encode(ssrc, forKey: .ssrc)
        try derived.encode(SSRCText.hex(ssrc), forKey: .ssrcHex)
        try c.encodeIfPresent(file, forKey: .file)
        try c.encode(src, forKey: .src)
        try c.encode(dst, forKey: .dst)
        try c.encode(transport, forKey: .transport)
        try c.encode(payloadType, forKey: .payloadType)
        try c.encode(payloadTypes, forKey: .payloadTypes)
        try derived.encode(encodingName, forKey: .encodingName)
        try c.encode(encodingNames, forKey: .encodingNames)
        try c.encode(clockRate, forKey: .clockRate)
        try c.encode(clockRateSource, forKey: .clockRateSource)
        try c.encode(packets, forKey: .packets)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(expected, forKey: .expected)
        try c.encode(lost, forKey: .lost)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(reordered, forKey: .reordered)
        try c.encode(seqResets, forKey: .seqResets)
        try c.encode(timestampJumps, forKey: .timestampJumps)
        try c.encode(payloadTypeChanges, forKey: .payloadTypeChanges)
        try c.encode(markers, forKey: .markers)
        try c.encode(jitterMs, forKey: .jitterMs)
        try c.encode(minJitterMs, forKey: .minJitterMs)
        try c.encode(maxJitterMs, forKey: .maxJitterMs)
        try c.encode(meanJitterMs, forKey: .meanJitterMs)
        try c.encode(minDeltaMs, forKey: .minDeltaMs)
        try c.encode(meanDeltaMs, forKey: .meanDeltaMs)
        try c.encode(maxDeltaMs, forKey: .maxDeltaMs)
        try c.encode(frames, forKey: .frames)
        try c.encode(meanPacketsPerFrame, forKey: .meanPacketsPerFrame)
        try c.encode(frameJitterMs, forKey: .frameJitterMs)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(endTime, forKey: .endTime)
        try c.encodeIfPresent(pid, forKey: .pid)
        try c.encodeIfPresent(comm, forKey: .comm)
        try c.encodeIfPresent(direction, forKey: .direction)
        try c.encodeIfPresent(container, forKey: .container)
        try c.encodeIfPresent(pod, forKey: .pod)
        try c.encodeIfPresent(podUID, forKey: .podUID)
        try c.encodeIfPresent(namespace, forKey: .namespace)
        try c.encodeIfPresent(interface, forKey: .interface)
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(sendStalls, forKey: .sendStalls)
        try c.encodeIfPresent(codecCorrelation, forKey: .codecCorrelation)
        try c.encodeIfPresent(byeTime, forKey: .byeTime)
        try StreamQuality.encodeFlat(quality, to: encoder)
        try c.encodeIfPresent(quality, forKey: .quality)
    }
}

extension StreamReport {
    /// Fills the container fields from a live stream's container (nil: they stay nil).
    public mutating func setContainer(_ container: ContainerContext?) {
        guard let container else { return }
        self.container = container.id
        pod = container.pod.isEmpty ? nil : container.pod
        podUID = container.podUID.isEmpty ? nil : container.podUID
        namespace = container.namespace.isEmpty ? nil : container.namespace
    }
}

/// Encoding names by payload type. In JSON an object keyed by the payload type's decimal text
/// (`{"8": "PCMA", "101": "telephone-event"}`), as a dictionary with integer keys would not be.
public struct EncodingNames: Codable, Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var byPayloadType: [UInt8: String]

    public init(_ byPayloadType: [UInt8: String]) { self.byPayloadType = byPayloadType }

    public init(dictionaryLiteral elements: (UInt8, String)...) {
        byPayloadType = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(payloadType: UInt8) -> String? {
        get { byPayloadType[payloadType] }
        set { byPayloadType[payloadType] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        let text = try [String: String](from: decoder)
        byPayloadType = Dictionary(uniqueKeysWithValues: text.compactMap { key, name in UInt8(key).map { ($0, name) } })
    }

    public func encode(to encoder: any Encoder) throws {
        try Dictionary(uniqueKeysWithValues: byPayloadType.map { (String($0.key), $0.value) }).encode(to: encoder)
    }
}

/// One RTCP report block as seen from a reporter (RR or SR), with derived values where possible.
public struct RTCPReportBlockReport: Codable, Sendable, Equatable {
    public var sourceSSRC: UInt32
    public var fractionLost: Double          // 0…1 (the 8-bit field / 256)
    public var cumulativeLost: Int32
    public var highestSequence: UInt32
    public var jitterTimestampUnits: UInt32
    public var jitterMs: Double?             // null when the media clock is unknown
    public var lastSR: UInt32
    public var delaySinceLastSR: UInt32
    public var roundTripMs: Double?          // null when no matching SR was seen

    public init(sourceSSRC: UInt32, fractionLost: Double, cumulativeLost: Int32, highestSequence: UInt32,
                jitterTimestampUnits: UInt32, jitterMs: Double?, lastSR: UInt32, delaySinceLastSR: UInt32,
                roundTripMs: Double?) {
        self.sourceSSRC = sourceSSRC; self.fractionLost = fractionLost; self.cumulativeLost = cumulativeLost
        self.highestSequence = highestSequence; self.jitterTimestampUnits = jitterTimestampUnits
        self.jitterMs = jitterMs; self.lastSR = lastSR; self.delaySinceLastSR = delaySinceLastSR
        self.roundTripMs = roundTripMs
    }

    enum CodingKeys: String, CodingKey {
        case sourceSSRC = "source_ssrc", fractionLost = "fraction_lost", cumulativeLost = "cumulative_lost"
        case highestSequence = "highest_sequence", jitterTimestampUnits = "jitter_timestamp_units"
        case jitterMs = "jitter_ms", lastSR = "lsr", delaySinceLastSR = "dlsr", roundTripMs = "rtt_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceSSRC, forKey: .sourceSSRC)
        try c.encode(fractionLost, forKey: .fractionLost)
        try c.encode(cumulativeLost, forKey: .cumulativeLost)
        try c.encode(highestSequence, forKey: .highestSequence)
        try c.encode(jitterTimestampUnits, forKey: .jitterTimestampUnits)
        try c.encode(jitterMs, forKey: .jitterMs)
        try c.encode(lastSR, forKey: .lastSR)
        try c.encode(delaySinceLastSR, forKey: .delaySinceLastSR)
        try c.encode(roundTripMs, forKey: .roundTripMs)
    }
}

/// Everything one RTCP reporter (an SSRC sending SR/RR on one 5-tuple) said.
public struct RTCPReporterReport: Codable, Sendable, Equatable {
    public var reporterSSRC: UInt32
    public var src: String
    public var dst: String
    public var senderReports: UInt64
    public var receiverReports: UInt64
    public var packetsByType: [String: UInt64]
    public var cname: String?
    /// Latest report block per reported source.
    public var reportBlocks: [RTCPReportBlockReport]
    public var pid: Int32?
    public var comm: String?
    public var direction: Direction?
    /// Offline: the capture file the reporter was seen in (see `StreamReport.file`).
    public var file: String? = nil

    public init(reporterSSRC: UInt32, src: String, dst: String, senderReports: UInt64, receiverReports: UInt64,
                packetsByType: [String: UInt64], cname: String?, reportBlocks: [RTCPReportBlockReport],
                pid: Int32? = nil, comm: String? = nil, direction: Direction? = nil) {
        self.reporterSSRC = reporterSSRC; self.src = src; self.dst = dst
        self.senderReports = senderReports; self.receiverReports = receiverReports
        self.packetsByType = packetsByType; self.cname = cname; self.reportBlocks = reportBlocks
        self.pid = pid; self.comm = comm; self.direction = direction
    }

    enum CodingKeys: String, CodingKey {
        case reporterSSRC = "reporter_ssrc", src, dst, senderReports = "sender_reports"
        case receiverReports = "receiver_reports", packetsByType = "packets_by_type", cname
        case reportBlocks = "report_blocks", pid, comm, direction, file
    }
}

/// What the source and the decoders saw beyond streams: every packet is accounted for here.
///
/// Accounting identity (checked by the tests): every datagram the engine was given (`datagrams`) is
/// exactly one of an RTP packet (`rtpPackets`), an RTCP datagram with at least one decoded packet
/// (`rtcpPackets`), SRTCP (`srtcpPackets`), or one of the engine's reasons in `discarded` (every reason
/// but the `rtp_unconfirmed`/`rtp_candidate_evicted` packets, which decoded as RTP, and what the capture
/// source adds: `ip_fragment` and the link/IP/UDP/TCP keys of `malformed`). `discarded` is the one
/// place to read why anything was not counted.
public struct AnalysisSummary: Codable, Sendable, Equatable {
    public var packetsRead: UInt64 = 0
    public var datagrams: UInt64 = 0
    public var rtpPackets: UInt64 = 0
    public var rtcpPackets: UInt64 = 0
    public var srtcpPackets: UInt64 = 0
    public var nonRTP: UInt64 = 0
    /// Payloads classified by RFC 7983 first byte: stun, dtls, zrtp, turn_channel, other.
    public var demultiplexed: [String: UInt64] = [:]
    /// Rejected RTP/RTCP by reason (RTPRejection / RTCP decode error raw values), and link/IP errors.
    /// An RTCP compound whose walk stopped after decoding some packets is listed here too (and in
    /// `rtcpPartiallyDecoded`): its decoded packets still count.
    public var malformed: [String: UInt64] = [:]
    /// RTP-looking packets in candidate streams that never confirmed (heuristic false positives,
    /// or candidates dropped under memory pressure: `candidatePacketsEvicted` of them).
    public var unconfirmedRTP: UInt64 = 0
    public var fragmentsSkipped: UInt64 = 0
    public var linkType: String? = nil
    /// Time of the first frame of the capture (any protocol), seconds since the epoch: tshark's
    /// relative times (and so `--compat wireshark` deltas) are measured from it.
    public var firstPacketTime: Double? = nil
    public var truncated: Bool = false
    public var warnings: [String] = []
    /// RTP packets counted although the source copied only part of them (a snaplen shorter than the
    /// datagram): the header fields that were copied are checked, the rest is taken on trust.
    public var truncatedRTP: UInt64 = 0
    /// RTCP datagrams counted although cut by the copy (their readable part was used).
    public var truncatedRTCP: UInt64 = 0
    /// Datagrams cut inside the RTP/RTCP fixed header: nothing to count them by (`truncated_header`).
    public var truncatedHeaders: UInt64 = 0
    /// Cut RTCP datagrams whose copied part does not decode as RTCP — SRTCP (its trailer was cut off,
    /// so it cannot be recognised) or malformed (`rtcp_truncated_undecodable`).
    public var truncatedUndecodableRTCP: UInt64 = 0
    /// RTCP rejections after at least one decoded packet, by reason (a subset of `malformed`).
    public var rtcpPartiallyDecoded: [String: UInt64] = [:]
    /// Candidate streams dropped before confirming because the candidate memory was full, and their
    /// packets (part of `unconfirmedRTP`).
    public var candidatesEvicted: UInt64 = 0
    public var candidatePacketsEvicted: UInt64 = 0
    /// RTCP report blocks dropped by the per-reporter or total cap, and reporters dropped by the cap
    /// or (live) idle expiry.
    public var rtcpReportBlocksDropped: UInt64 = 0
    public var rtcpReportersEvicted: UInt64 = 0
    /// Offline: each capture file analysed, in command-line order.
    public var files: [CaptureFileSummary] = []

    public init() {}

    /// Everything that did not become part of a stream's or an RTCP reporter's statistics, by reason,
    /// each datagram (or frame, or RTP packet) under one reason — the labels of
    /// `rtpscope_datagrams_discarded_total{reason}`:
    /// - `not_rtp`: neither RTP nor RTCP, nor a protocol demultiplexed beside them;
    /// - `stun`, `dtls`, `zrtp`, `turn_channel`: RFC 7983 demultiplexing (WebRTC's other protocols);
    /// - every key of `malformed` (e.g. `rtp_bad_padding`, `rtcp_length_overrun`, `udp_truncated`),
    ///   without the RTCP compounds that were partly decoded (they counted);
    /// - `ip_fragment`: non-first IPv4/IPv6 fragments (`fragmentsSkipped`);
    /// - `truncated_header`, `rtcp_truncated_undecodable`: cut by the source's copy (see the fields);
    /// - `rtp_unconfirmed`: RTP packets of sources that never confirmed as streams (still waiting,
    ///   or gone idle), `rtp_candidate_evicted`: those dropped because candidate memory was full.
    /// The two `rtp_` reasons are also in `rtpPackets` (they decoded as RTP). Reasons with a zero count
    /// are left out.
    public var discarded: [String: UInt64] {
        var reasons: [String: UInt64] = [:]
        func add(_ reason: String, _ count: UInt64) {
            if count > 0 { reasons[reason, default: 0] &+= count }
        }
        add("not_rtp", nonRTP)
        for (kind, count) in demultiplexed { add(kind, count) }
        for (reason, count) in malformed {
            let partial = rtcpPartiallyDecoded[reason] ?? 0
            add(reason, count >= partial ? count - partial : 0)
        }
        add("ip_fragment", fragmentsSkipped)
        add("truncated_header", truncatedHeaders)
        add("rtcp_truncated_undecodable", truncatedUndecodableRTCP)
        add("rtp_candidate_evicted", candidatePacketsEvicted)
        add("rtp_unconfirmed", unconfirmedRTP >= candidatePacketsEvicted ? unconfirmedRTP - candidatePacketsEvicted : 0)
        return reasons
    }

    enum CodingKeys: String, CodingKey {
        case packetsRead = "packets_read", datagrams, rtpPackets = "rtp_packets", rtcpPackets = "rtcp_packets"
        case srtcpPackets = "srtcp_packets", nonRTP = "non_rtp", demultiplexed, malformed
        case unconfirmedRTP = "unconfirmed_rtp", fragmentsSkipped = "fragments_skipped"
        case linkType = "link_type", firstPacketTime = "first_packet_time", truncated, warnings, files
        case truncatedRTP = "truncated_rtp", truncatedRTCP = "truncated_rtcp", truncatedHeaders = "truncated_headers"
        case truncatedUndecodableRTCP = "truncated_undecodable_rtcp", rtcpPartiallyDecoded = "rtcp_partially_decoded"
        case candidatesEvicted = "candidates_evicted", candidatePacketsEvicted = "candidate_packets_evicted"
        case rtcpReportBlocksDropped = "rtcp_report_blocks_dropped", rtcpReportersEvicted = "rtcp_reporters_evicted"
        case discarded
    }

    /// Fields added after the first release decode as zero when absent (older JSON stays readable).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        packetsRead = try c.decode(UInt64.self, forKey: .packetsRead)
        datagrams = try c.decode(UInt64.self, forKey: .datagrams)
        rtpPackets = try c.decode(UInt64.self, forKey: .rtpPackets)
        rtcpPackets = try c.decode(UInt64.self, forKey: .rtcpPackets)
        srtcpPackets = try c.decode(UInt64.self, forKey: .srtcpPackets)
        nonRTP = try c.decode(UInt64.self, forKey: .nonRTP)
        demultiplexed = try c.decode([String: UInt64].self, forKey: .demultiplexed)
        malformed = try c.decode([String: UInt64].self, forKey: .malformed)
        unconfirmedRTP = try c.decode(UInt64.self, forKey: .unconfirmedRTP)
        fragmentsSkipped = try c.decode(UInt64.self, forKey: .fragmentsSkipped)
        linkType = try c.decodeIfPresent(String.self, forKey: .linkType)
        firstPacketTime = try c.decodeIfPresent(Double.self, forKey: .firstPacketTime)
        truncated = try c.decode(Bool.self, forKey: .truncated)
        warnings = try c.decode([String].self, forKey: .warnings)
        files = try c.decodeIfPresent([CaptureFileSummary].self, forKey: .files) ?? []
        truncatedRTP = try c.decodeIfPresent(UInt64.self, forKey: .truncatedRTP) ?? 0
        truncatedRTCP = try c.decodeIfPresent(UInt64.self, forKey: .truncatedRTCP) ?? 0
        truncatedHeaders = try c.decodeIfPresent(UInt64.self, forKey: .truncatedHeaders) ?? 0
        truncatedUndecodableRTCP = try c.decodeIfPresent(UInt64.self, forKey: .truncatedUndecodableRTCP) ?? 0
        rtcpPartiallyDecoded = try c.decodeIfPresent([String: UInt64].self, forKey: .rtcpPartiallyDecoded) ?? [:]
        candidatesEvicted = try c.decodeIfPresent(UInt64.self, forKey: .candidatesEvicted) ?? 0
        candidatePacketsEvicted = try c.decodeIfPresent(UInt64.self, forKey: .candidatePacketsEvicted) ?? 0
        rtcpReportBlocksDropped = try c.decodeIfPresent(UInt64.self, forKey: .rtcpReportBlocksDropped) ?? 0
        rtcpReportersEvicted = try c.decodeIfPresent(UInt64.self, forKey: .rtcpReportersEvicted) ?? 0
    }

    /// Writes every field and `discarded` (derived, for readers of the JSON).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(packetsRead, forKey: .packetsRead)
        try c.encode(datagrams, forKey: .datagrams)
        try c.encode(rtpPackets, forKey: .rtpPackets)
        try c.encode(rtcpPackets, forKey: .rtcpPackets)
        try c.encode(srtcpPackets, forKey: .srtcpPackets)
        try c.encode(nonRTP, forKey: .nonRTP)
        try c.encode(demultiplexed, forKey: .demultiplexed)
        try c.encode(malformed, forKey: .malformed)
        try c.encode(unconfirmedRTP, forKey: .unconfirmedRTP)
        try c.encode(fragmentsSkipped, forKey: .fragmentsSkipped)
        try c.encodeIfPresent(linkType, forKey: .linkType)
        try c.encodeIfPresent(firstPacketTime, forKey: .firstPacketTime)
        try c.encode(truncated, forKey: .truncated)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(files, forKey: .files)
        try c.encode(truncatedRTP, forKey: .truncatedRTP)
        try c.encode(truncatedRTCP, forKey: .truncatedRTCP)
        try c.encode(truncatedHeaders, forKey: .truncatedHeaders)
        try c.encode(truncatedUndecodableRTCP, forKey: .truncatedUndecodableRTCP)
        try c.encode(rtcpPartiallyDecoded, forKey: .rtcpPartiallyDecoded)
        try c.encode(candidatesEvicted, forKey: .candidatesEvicted)
        try c.encode(candidatePacketsEvicted, forKey: .candidatePacketsEvicted)
        try c.encode(rtcpReportBlocksDropped, forKey: .rtcpReportBlocksDropped)
        try c.encode(rtcpReportersEvicted, forKey: .rtcpReportersEvicted)
        try c.encode(discarded, forKey: .discarded)
    }

    /// Adds another analysis' counts (another capture file) to these: counters add up, the link types
    /// and files are listed, the first packet time is the earliest. A field added to this type must be
    /// added here too (ReportingTests' `summaryMergeCoversEveryField` fails until it is).
    public mutating func add(_ other: AnalysisSummary) {
        packetsRead &+= other.packetsRead
        datagrams &+= other.datagrams
        rtpPackets &+= other.rtpPackets
        rtcpPackets &+= other.rtcpPackets
        srtcpPackets &+= other.srtcpPackets
        nonRTP &+= other.nonRTP
        demultiplexed.merge(other.demultiplexed, uniquingKeysWith: &+)
        malformed.merge(other.malformed, uniquingKeysWith: &+)
        unconfirmedRTP &+= other.unconfirmedRTP
        fragmentsSkipped &+= other.fragmentsSkipped
        for name in other.linkType?.split(separator: ",") ?? [] {
            let known = linkType?.split(separator: ",") ?? []
            if !known.contains(name) { linkType = linkType.map { $0 + "," + name } ?? String(name) }
        }
        if let time = other.firstPacketTime { firstPacketTime = min(firstPacketTime ?? time, time) }
        truncated = truncated || other.truncated
        warnings += other.warnings
        truncatedRTP &+= other.truncatedRTP
        truncatedRTCP &+= other.truncatedRTCP
        truncatedHeaders &+= other.truncatedHeaders
        truncatedUndecodableRTCP &+= other.truncatedUndecodableRTCP
        rtcpPartiallyDecoded.merge(other.rtcpPartiallyDecoded, uniquingKeysWith: &+)
        candidatesEvicted &+= other.candidatesEvicted
        candidatePacketsEvicted &+= other.candidatePacketsEvicted
        rtcpReportBlocksDropped &+= other.rtcpReportBlocksDropped
        rtcpReportersEvicted &+= other.rtcpReportersEvicted
        files += other.files
    }
}

/// One capture file of an offline analysis: its name and where its time starts.
public struct CaptureFileSummary: Codable, Sendable, Equatable {
    /// As named on the command line; "stdin" for `-`.
    public var name: String
    /// Time of the file's first record, seconds since the epoch; nil for a file without records.
    /// Stream times of this file are shown relative to it.
    public var firstPacketTime: Double?
    public var packetsRead: UInt64

    public init(name: String, firstPacketTime: Double?, packetsRead: UInt64) {
        self.name = name
        self.firstPacketTime = firstPacketTime
        self.packetsRead = packetsRead
    }

    enum CodingKeys: String, CodingKey {
        case name, firstPacketTime = "first_packet_time", packetsRead = "packets_read"
    }
}

/// The whole result of an analysis: `analyze --format json` prints exactly this.
public struct AnalysisReport: Codable, Sendable, Equatable {
    public var streams: [StreamReport]
    public var rtcp: [RTCPReporterReport]
    public var summary: AnalysisSummary
    /// SIP calls with their streams; absent (not empty) when the traffic had no SIP.
    public var calls: [CallReport]? = nil
    /// Counts over every SIP message; absent when there was none.
    public var sip: SIPStatistics? = nil

    public init(streams: [StreamReport], rtcp: [RTCPReporterReport], summary: AnalysisSummary) {
        self.streams = streams
        self.rtcp = rtcp
        self.summary = summary
    }

    /// The reports of several captures analysed one by one, as one: streams and reporters in the
    /// order given (each keeps its `file`), the summaries added up (`AnalysisSummary.add`).
    public static func merging(_ reports: [AnalysisReport]) -> AnalysisReport {
        guard var merged = reports.first else { return AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary()) }
        for report in reports.dropFirst() {
            merged.streams += report.streams
            merged.rtcp += report.rtcp
            merged.summary.add(report.summary)
            if let calls = report.calls { merged.calls = (merged.calls ?? []) + calls }
            if let sip = report.sip {
                if merged.sip == nil { merged.sip = sip } else { merged.sip!.add(sip) }
            }
        }
        return merged
    }
}
