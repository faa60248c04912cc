import MetricCatalog
import RTPCore

/// The codec probe families (per process and function, read from the kernel maps at scrape time)
/// and the codec ↔ network families of outgoing streams (stalls by cause, correlation).
enum CodecFamilies {
    static let calls = ScalarFamily<ExportedCodecSeries>(MetricCatalog.codecCalls) { .unsigned($0.calls) }
    static let errors = ScalarFamily<ExportedCodecSeries>(MetricCatalog.codecErrors) { .unsigned($0.errors) }
    static let packetBytes = ScalarFamily<ExportedCodecSeries>(MetricCatalog.codecPacketBytes) {
        $0.packetBytes.map { .unsigned($0) }
    }
    static let stalls = ScalarFamily<UInt64>(MetricCatalog.rtpSendStalls) { .unsigned($0) }
    static let correlation = ScalarFamily<Double>(MetricCatalog.codecNetworkCorrelation) { .real($0) }

    /// `streams`: the exported streams' series (stalls and correlation exist only for those).
    static func writers(_ codec: [ExportedCodecSeries], streams: [Series<ExportedStream>]) -> [FamilyWriter] {
        let series = SeriesOrdering.sortedUnique(codec.map { (labels: labels(of: $0), subject: $0) })
        let durations = series.compactMap { entry in entry.subject.duration.map { (labels: entry.labels, subject: $0) } }

        let stallSeries = streams.flatMap { stream -> [Series<UInt64>] in
            guard let counts = stream.subject.report.sendStalls else { return [] }
            return StallCause.allCases.map { cause in
                (labels: LabelSet(MetricLabels.stallCause, cause.rawValue).appended(after: stream.labels),
                 subject: counts[cause])
            }
        }
        let correlationSeries = streams.flatMap { stream -> [Series<Double>] in
            let report = stream.subject.report
            guard let correlations = report.codecCorrelation else { return [] }
            return correlations.map { function, value in
                (labels: LabelSet(MetricLabels.codecCorrelation, [
                    report.pid.map(String.init) ?? "", report.comm ?? "", function, LabelText.ssrc(report.ssrc),
                ]), subject: value)
            }
        }
        return [
            FamilyWriter.scalar(calls, series),
            FamilyWriter.scalar(errors, series),
            FamilyWriter.scalar(packetBytes, series),
            FamilyWriter.histogram(MetricCatalog.codecCallDuration, durations),
            FamilyWriter.scalar(stalls, SeriesOrdering.sortedUnique(stallSeries)),
            FamilyWriter.scalar(correlation, SeriesOrdering.sortedUnique(correlationSeries)),
        ]
    }

    static func labels(of series: ExportedCodecSeries) -> LabelSet {
        LabelSet(MetricLabels.codecFunction, [String(series.pid), series.comm, series.function, series.library])
    }
}
