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
    static let untimedCalls = ScalarFamily<ExportedCodecSeries>(MetricCatalog.codecUntimedCalls) {
        $0.untimedCalls.map { .unsigned($0) }
    }
    static let stalls = ScalarFamily<UInt64>(MetricCatalog.rtpSendStalls) { .unsigned($0) }
    static let correlation = ScalarFamily<Double>(MetricCatalog.codecNetworkCorrelation) { .real($0) }

    /// `streams`: the exported streams' series (stalls and correlation exist only for those).
    static func writers(_ codec: [ExportedCodecSeries], streams: [StreamFamilies.StreamSeries]) -> [FamilyWriter] {
        let series = SeriesOrdering.sortedUnique(codec.map { (labels: labels(of: $0), subject: $0) })
        let durations = series.compactMap { entry in entry.subject.duration.map { (labels: entry.labels, subject: $0) } }

        var stallSeries: [Series<UInt64>] = []
        var correlationSeries: [Series<Double>] = []
        for stream in streams {
            if let counts = stream.sendStalls {
                for cause in StallCause.allCases {
                    stallSeries.append((labels: LabelSet(MetricLabels.stallCause, cause.rawValue).appended(after: stream.labels),
                                        subject: counts[cause]))
                }
            }
            for (function, value) in stream.codecCorrelation ?? [:] {
                correlationSeries.append((labels: LabelSet(MetricLabels.codecCorrelation, [
                    stream.pid.map(String.init) ?? "", stream.comm ?? "", function, SSRCText.hex(stream.ssrc),
                ]), subject: value))
            }
        }
        return [
            FamilyWriter.scalar(calls, series),
            FamilyWriter.scalar(errors, series),
            FamilyWriter.scalar(packetBytes, series),
            FamilyWriter.histogram(MetricCatalog.codecCallDuration, durations),
            FamilyWriter.scalar(untimedCalls, series),
            FamilyWriter.scalar(stalls, SeriesOrdering.sortedUnique(stallSeries)),
            FamilyWriter.scalar(correlation, SeriesOrdering.sortedUnique(correlationSeries)),
        ]
    }

    static func labels(of series: ExportedCodecSeries) -> LabelSet {
        LabelSet(MetricLabels.codecFunction, [String(series.pid), series.comm, series.function, series.library])
    }
}
