import RTPCore

/// What RTCP reporters said about the sources they receive: one series per (reporter, reported
/// source) pair, from the latest report block.
enum RTCPFamilies {
    static let scalars: [ScalarFamily<RTCPReportBlockReport>] = [
        ScalarFamily(name: "rtpscope_rtcp_reported_jitter_seconds", type: .gauge,
                     help: "Interarrival jitter reported in the latest RTCP report block (seconds). Absent while the media clock rate is unknown.") {
            $0.jitterMs.map { .real($0 / 1000) }
        },
        ScalarFamily(name: "rtpscope_rtcp_reported_fraction_lost_ratio", type: .gauge,
                     help: "Fraction lost since the previous report, from the latest RTCP report block (ratio 0-1).") {
            .real($0.fractionLost)
        },
        ScalarFamily(name: "rtpscope_rtcp_reported_lost_packets", type: .gauge,
                     help: "Cumulative number of packets lost reported in the latest RTCP report block; can decrease (packets).") {
            .signed(Int64($0.cumulativeLost))
        },
        ScalarFamily(name: "rtpscope_rtcp_round_trip_time_seconds", type: .gauge,
                     help: "Round-trip time from LSR/DLSR of the latest RTCP report block (seconds). Absent when no matching sender report was seen.") {
            $0.roundTripMs.map { .real($0 / 1000) }
        },
    ]

    static func write(_ reporters: [ExportedRTCPReporter], into writer: inout ExpositionWriter) {
        let series = SeriesOrdering.sortedUnique(reporters.flatMap { reporter in
            reporter.report.reportBlocks.map { (labels: labels(of: reporter, block: $0), subject: $0) }
        })
        for family in scalars {
            writer.write(family, for: series)
        }
    }

    private static func labels(of reporter: ExportedRTCPReporter, block: RTCPReportBlockReport) -> LabelSet {
        let report = reporter.report
        return LabelSet([
            "reporter_ssrc": ExpositionText.ssrc(report.reporterSSRC),
            "ssrc": ExpositionText.ssrc(block.sourceSSRC),
            "direction": report.direction?.rawValue ?? "",
            "local": reporter.local,
            "remote": reporter.remote,
            "pid": report.pid.map(String.init) ?? "",
            "comm": report.comm ?? "",
        ])
    }
}
