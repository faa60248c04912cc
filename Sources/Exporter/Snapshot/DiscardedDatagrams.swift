import RTPCore

/// Every reason the engine delivered a datagram that no RTP stream or RTCP reporter counts, as
/// `rtpscope_datagrams_discarded_total{reason}` publishes them.
public enum DiscardedDatagrams {
    /// Derived from the summary's fields (the one place to change when the engine offers its own
    /// `[reason: count]` accessor). `summary.unconfirmedRTP` must be cumulative (see
    /// `StreamAnalyzer.runningSummary`): this is exported as a counter.
    public static func byReason(_ summary: AnalysisSummary) -> [String: UInt64] {
        var reasons = summary.malformed
        reasons["non_rtp", default: 0] &+= summary.nonRTP
        reasons["unconfirmed_rtp", default: 0] &+= summary.unconfirmedRTP
        for (protocolName, count) in summary.demultiplexed {
            reasons[protocolName, default: 0] &+= count
        }
        // Encrypted RTCP: recognised and counted in the summary, but no reporter can be read from it.
        if summary.srtcpPackets > 0 { reasons["srtcp", default: 0] &+= summary.srtcpPackets }
        if summary.fragmentsSkipped > 0 { reasons["ip_fragment", default: 0] &+= summary.fragmentsSkipped }
        return reasons
    }
}
