import RTPCore

/// Every reason the engine delivered a datagram that no RTP stream or RTCP reporter counts, as
/// `rtpscope_datagrams_discarded_total{reason}` publishes them.
public enum DiscardedDatagrams {
    /// The engine's own `[reason: count]` (`AnalysisSummary.discarded`), plus `srtcp`: encrypted RTCP is
    /// recognised and counted in the summary, but no reporter can be read from it. `summary.unconfirmedRTP`
    /// must be cumulative (see `StreamAnalyzer.runningSummary`): this is exported as counters.
    public static func byReason(_ summary: AnalysisSummary) -> [String: UInt64] {
        var reasons = summary.discarded
        if summary.srtcpPackets > 0 { reasons["srtcp", default: 0] &+= summary.srtcpPackets }
        return reasons
    }
}
