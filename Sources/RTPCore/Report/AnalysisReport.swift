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
    /// `strict` (RFC 3550) or `wireshark` (tshark -z rtp,streams rules).
    public var mode: String
    /// Live, outgoing streams: send stalls by cause.
    public var sendStalls: SendStallCounts? = nil
    /// Live, outgoing streams of a process with codec probes: Pearson's r per probed function
    /// between its per-second worst call latency and this stream's per-second worst send interval.
    public var codecCorrelation: [String: Double]? = nil

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
        case container, pod, podUID = "pod_uid", namespace
        case sendStalls = "send_stalls", codecCorrelation = "codec_correlation"
    }

    /// Explicit nulls (not missing keys) for unknown values: consumers can tell "unknown" from "absent".
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ssrc, forKey: .ssrc)
        try c.encode(src, forKey: .src)
        try c.encode(dst, forKey: .dst)
        try c.encode(transport, forKey: .transport)
        try c.encode(payloadType, forKey: .payloadType)
        try c.encode(payloadTypes, forKey: .payloadTypes)
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
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(sendStalls, forKey: .sendStalls)
        try c.encodeIfPresent(codecCorrelation, forKey: .codecCorrelation)
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
        case reportBlocks = "report_blocks", pid, comm, direction
    }
}

/// What the source and the decoders saw beyond streams: every packet is accounted for here.
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
    public var malformed: [String: UInt64] = [:]
    /// RTP-looking packets in candidate streams that never confirmed (heuristic false positives).
    public var unconfirmedRTP: UInt64 = 0
    public var fragmentsSkipped: UInt64 = 0
    public var linkType: String? = nil
    /// Time of the first frame of the capture (any protocol), seconds since the epoch: tshark's
    /// relative times (and so `--compat wireshark` deltas) are measured from it.
    public var firstPacketTime: Double? = nil
    public var truncated: Bool = false
    public var warnings: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case packetsRead = "packets_read", datagrams, rtpPackets = "rtp_packets", rtcpPackets = "rtcp_packets"
        case srtcpPackets = "srtcp_packets", nonRTP = "non_rtp", demultiplexed, malformed
        case unconfirmedRTP = "unconfirmed_rtp", fragmentsSkipped = "fragments_skipped"
        case linkType = "link_type", firstPacketTime = "first_packet_time", truncated, warnings
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
}
