import MetricCatalog
import RTPCore

/// What RTCP reporters said about the sources they receive: one series per (reporter, reported
/// source) pair, from the latest report block.
enum RTCPFamilies {
    static let scalars: [ScalarFamily<RTCPReportBlockReport>] = [
        ScalarFamily(MetricCatalog.rtcpReportedJitter) { $0.jitterMs.map { .real($0 / 1000) } },
        ScalarFamily(MetricCatalog.rtcpReportedFractionLost) { .real($0.fractionLost) },
        ScalarFamily(MetricCatalog.rtcpReportedLost) { .signed(Int64($0.cumulativeLost)) },
        ScalarFamily(MetricCatalog.rtcpRoundTripTime) { $0.roundTripMs.map { .real($0 / 1000) } },
    ]

    static func writers(_ reporters: [ExportedRTCPReporter]) -> [FamilyWriter] {
        let series = SeriesOrdering.sortedUnique(reporters.flatMap { reporter in
            reporter.report.reportBlocks.map { (labels: labels(of: reporter, block: $0), subject: $0) }
        })
        return scalars.map { FamilyWriter.scalar($0, series) }
    }

    private static func labels(of reporter: ExportedRTCPReporter, block: RTCPReportBlockReport) -> LabelSet {
        let report = reporter.report
        return LabelSet(MetricLabels.rtcpBlock, [
            SSRCText.hex(report.reporterSSRC), SSRCText.hex(block.sourceSSRC), report.direction?.rawValue ?? "",
            reporter.local, reporter.remote, report.pid.map(String.init) ?? "", report.comm ?? "",
        ])
    }
}
