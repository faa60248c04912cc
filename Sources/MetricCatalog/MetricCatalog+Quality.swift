/// Per-stream quality families (RTPCore's `StreamQuality`): the E-model rating and MOS behind the
/// primary (adaptive) jitter buffer, the buffers' discards, RFC 3611 burst/gap densities.
extension MetricCatalog {
    public static let rtpMOS = MetricFamily(
        name: "rtpscope_rtp_mos", type: .gauge,
        help: "MOS-CQE of the stream over its whole length, ITU-T G.107 E-model (Annex B) behind the adaptive jitter buffer: effective loss, burst ratio and buffer delay (1-4.5). Absent for codecs without G.113 planning values.")
    public static let rtpRFactor = MetricFamily(
        name: "rtpscope_rtp_r_factor", type: .gauge,
        help: "Transmission rating R of the stream, ITU-T G.107 E-model behind the adaptive jitter buffer (0-100). Absent for codecs without G.113 planning values.")
    public static let rtpJitterBufferDiscarded = MetricFamily(
        name: "rtpscope_rtp_jitter_buffer_discarded_total", type: .counter,
        help: "Packets a simulated receiver jitter buffer would have discarded as arriving after their playout time, by buffer (F1: fixed 50 ms, F2: fixed 200 ms, adaptive: up to 500 ms, unless --jitter-buffers sets others) (packets).")
    public static let rtpBurstDensity = MetricFamily(
        name: "rtpscope_rtp_burst_density_ratio", type: .gauge,
        help: "Fraction of packets lost within loss bursts, RFC 3611 4.7.2 with Gmin 16, from the sequence numbers (ratio 0-1).",
        unit: "ratio")
    public static let rtpGapDensity = MetricFamily(
        name: "rtpscope_rtp_gap_density_ratio", type: .gauge,
        help: "Fraction of packets lost in the gaps between loss bursts, RFC 3611 4.7.2 with Gmin 16 (ratio 0-1).",
        unit: "ratio")

    public static let rtcpXRRFactor = MetricFamily(
        name: "rtpscope_rtcp_xr_r_factor", type: .gauge,
        help: "R factor an endpoint reported for the stream in its latest RTCP XR VoIP-metrics block, RFC 3611 4.7.5 (0-100). Absent without one, or when it said unavailable.")
    public static let rtcpXRMOS = MetricFamily(
        name: "rtpscope_rtcp_xr_mos", type: .gauge,
        help: "MOS-CQ an endpoint reported for the stream in its latest RTCP XR VoIP-metrics block, RFC 3611 4.7.5 (1-5). Absent without one, or when it said unavailable.")

    /// The quality families, in exposition order (after `streamFamilies`).
    public static let streamQualityFamilies: [MetricFamily] = [
        rtpMOS, rtpRFactor, rtpBurstDensity, rtpGapDensity, rtcpXRRFactor, rtcpXRMOS, rtpJitterBufferDiscarded,
    ]
}

extension MetricLabels {
    /// Added after the stream's labels on `rtpscope_rtp_jitter_buffer_discarded_total`: the buffer's name.
    public static let jitterBuffer = "buffer"
}
