/// What an endpoint itself reported about a stream in RTCP XR (RFC 3611): the latest VoIP-metrics
/// (§4.7) and statistics-summary (§4.6) blocks naming the stream's SSRC, shown beside our own figures
/// (`StreamQuality.rtcpXR`). Values the RFC marks unavailable (127 for R, MOS and levels) are null.
public struct ReportedQuality: Codable, Sendable, Equatable {
    public var reporterSSRC: UInt32
    /// When the latest block arrived (seconds since the Unix epoch).
    public var time: Double
    public var voipMetrics: VoIPMetricsReport?
    public var statisticsSummary: StatisticsSummaryReport?

    enum CodingKeys: String, CodingKey {
        case reporterSSRC = "reporter_ssrc", time, voipMetrics = "voip_metrics", statisticsSummary = "statistics_summary"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reporterSSRC, forKey: .reporterSSRC)
        try c.encode(time, forKey: .time)
        try c.encode(voipMetrics, forKey: .voipMetrics)
        try c.encode(statisticsSummary, forKey: .statisticsSummary)
    }
}

/// RFC 3611 §4.7 VoIP metrics, in the units the RFC gives them (rates as fractions 0…1).
public struct VoIPMetricsReport: Codable, Sendable, Equatable {
    public var lossRate: Double
    public var discardRate: Double
    public var burstDensity: Double
    public var gapDensity: Double
    public var burstDurationMs: Double
    public var gapDurationMs: Double
    public var roundTripDelayMs: Double
    public var endSystemDelayMs: Double
    public var signalLevelDBm: Double?
    public var noiseLevelDBm: Double?
    public var residualEchoReturnLossDB: Double?
    public var gmin: Int
    public var rFactor: Double?
    public var externalRFactor: Double?
    public var mosLQ: Double?
    public var mosCQ: Double?
    public var jitterBufferNominalMs: Double
    public var jitterBufferMaximumMs: Double
    public var jitterBufferAbsoluteMaximumMs: Double
    /// RX config's JBA bits: adaptive, non-adaptive, or unknown.
    public var jitterBufferAdaptive: Bool?

    public init(_ m: RTCPExtendedReport.VoIPMetrics) {
        lossRate = Double(m.lossRate) / 256
        discardRate = Double(m.discardRate) / 256
        burstDensity = Double(m.burstDensity) / 256
        gapDensity = Double(m.gapDensity) / 256
        burstDurationMs = Double(m.burstDuration)
        gapDurationMs = Double(m.gapDuration)
        roundTripDelayMs = Double(m.roundTripDelay)
        endSystemDelayMs = Double(m.endSystemDelay)
        // §4.7.4: signal and noise levels are signed dBm, 127 unavailable; RERL 127 unavailable.
        signalLevelDBm = m.signalLevel == 127 ? nil : Double(m.signalLevel)
        noiseLevelDBm = m.noiseLevel == 127 ? nil : Double(m.noiseLevel)
        residualEchoReturnLossDB = m.residualEchoReturnLoss == 127 ? nil : Double(m.residualEchoReturnLoss)
        gmin = Int(m.gmin)
        // §4.7.5: R factors 0…100, 127 unavailable; MOS in tenths (10…50), 127 unavailable.
        rFactor = m.rFactor == 127 ? nil : Double(m.rFactor)
        externalRFactor = m.extRFactor == 127 ? nil : Double(m.extRFactor)
        mosLQ = m.mosLQ == 127 ? nil : Double(m.mosLQ) / 10
        mosCQ = m.mosCQ == 127 ? nil : Double(m.mosCQ) / 10
        jitterBufferNominalMs = Double(m.jitterBufferNominal)
        jitterBufferMaximumMs = Double(m.jitterBufferMaximum)
        jitterBufferAbsoluteMaximumMs = Double(m.jitterBufferAbsoluteMaximum)
        // §4.7.6 RX config: JBA, bits 5–4 of the byte: 0 unknown, 2 non-adaptive, 3 adaptive.
        switch (m.receiverConfiguration >> 4) & 0x3 {
        case 3: jitterBufferAdaptive = true
        case 2: jitterBufferAdaptive = false
        default: jitterBufferAdaptive = nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case lossRate = "loss_rate", discardRate = "discard_rate", burstDensity = "burst_density"
        case gapDensity = "gap_density", burstDurationMs = "burst_duration_ms", gapDurationMs = "gap_duration_ms"
        case roundTripDelayMs = "round_trip_delay_ms", endSystemDelayMs = "end_system_delay_ms"
        case signalLevelDBm = "signal_level_dbm", noiseLevelDBm = "noise_level_dbm"
        case residualEchoReturnLossDB = "residual_echo_return_loss_db", gmin
        case rFactor = "r_factor", externalRFactor = "external_r_factor", mosLQ = "mos_lq", mosCQ = "mos_cq"
        case jitterBufferNominalMs = "jitter_buffer_nominal_ms", jitterBufferMaximumMs = "jitter_buffer_maximum_ms"
        case jitterBufferAbsoluteMaximumMs = "jitter_buffer_absolute_maximum_ms"
        case jitterBufferAdaptive = "jitter_buffer_adaptive"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lossRate, forKey: .lossRate)
        try c.encode(discardRate, forKey: .discardRate)
        try c.encode(burstDensity, forKey: .burstDensity)
        try c.encode(gapDensity, forKey: .gapDensity)
        try c.encode(burstDurationMs, forKey: .burstDurationMs)
        try c.encode(gapDurationMs, forKey: .gapDurationMs)
        try c.encode(roundTripDelayMs, forKey: .roundTripDelayMs)
        try c.encode(endSystemDelayMs, forKey: .endSystemDelayMs)
        try c.encode(signalLevelDBm, forKey: .signalLevelDBm)
        try c.encode(noiseLevelDBm, forKey: .noiseLevelDBm)
        try c.encode(residualEchoReturnLossDB, forKey: .residualEchoReturnLossDB)
        try c.encode(gmin, forKey: .gmin)
        try c.encode(rFactor, forKey: .rFactor)
        try c.encode(externalRFactor, forKey: .externalRFactor)
        try c.encode(mosLQ, forKey: .mosLQ)
        try c.encode(mosCQ, forKey: .mosCQ)
        try c.encode(jitterBufferNominalMs, forKey: .jitterBufferNominalMs)
        try c.encode(jitterBufferMaximumMs, forKey: .jitterBufferMaximumMs)
        try c.encode(jitterBufferAbsoluteMaximumMs, forKey: .jitterBufferAbsoluteMaximumMs)
        try c.encode(jitterBufferAdaptive, forKey: .jitterBufferAdaptive)
    }
}

/// RFC 3611 §4.6 statistics summary; fields whose flag (L, D, J) is clear are null. Jitter in the
/// stream's timestamp units, as sent.
public struct StatisticsSummaryReport: Codable, Sendable, Equatable {
    public var beginSequence: UInt16
    public var endSequence: UInt16
    public var lostPackets: UInt32?
    public var duplicatePackets: UInt32?
    public var minJitter: UInt32?
    public var maxJitter: UInt32?
    public var meanJitter: UInt32?
    public var devJitter: UInt32?

    public init(_ s: RTCPExtendedReport.StatisticsSummary) {
        beginSequence = s.beginSequence
        endSequence = s.endSequence
        let loss = s.flags & 0x80 != 0, duplicates = s.flags & 0x40 != 0, jitter = s.flags & 0x20 != 0
        lostPackets = loss ? s.lostPackets : nil
        duplicatePackets = duplicates ? s.duplicatePackets : nil
        minJitter = jitter ? s.minJitter : nil
        maxJitter = jitter ? s.maxJitter : nil
        meanJitter = jitter ? s.meanJitter : nil
        devJitter = jitter ? s.devJitter : nil
    }

    enum CodingKeys: String, CodingKey {
        case beginSequence = "begin_seq", endSequence = "end_seq", lostPackets = "lost_packets"
        case duplicatePackets = "duplicate_packets", minJitter = "min_jitter", maxJitter = "max_jitter"
        case meanJitter = "mean_jitter", devJitter = "dev_jitter"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(beginSequence, forKey: .beginSequence)
        try c.encode(endSequence, forKey: .endSequence)
        try c.encode(lostPackets, forKey: .lostPackets)
        try c.encode(duplicatePackets, forKey: .duplicatePackets)
        try c.encode(minJitter, forKey: .minJitter)
        try c.encode(maxJitter, forKey: .maxJitter)
        try c.encode(meanJitter, forKey: .meanJitter)
        try c.encode(devJitter, forKey: .devJitter)
    }
}

/// The latest XR blocks about one source, as `RTCPAccounting` keeps them (decoded blocks, converted
/// only at report time).
struct StoredExtendedReport {
    var reporter: UInt32
    var arrival: Nanoseconds
    var voipMetrics: RTCPExtendedReport.VoIPMetrics?
    var statisticsSummary: RTCPExtendedReport.StatisticsSummary?

    var report: ReportedQuality {
        ReportedQuality(reporterSSRC: reporter, time: Double(arrival) / 1e9,
                        voipMetrics: voipMetrics.map(VoIPMetricsReport.init),
                        statisticsSummary: statisticsSummary.map(StatisticsSummaryReport.init))
    }
}
