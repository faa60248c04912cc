import MetricCatalog
import RTPCore

/// `analyze --openmetrics FILE`: the per-second stream samples as OpenMetrics text with timestamps, for
/// `promtool tsdb create-blocks-from openmetrics` (Prometheus backfill).
///
/// Families, help and label names come from `MetricCatalog`, as the live exporter's do, so the shipped
/// recording rules, alerts and dashboard work on backfilled data: a capture's stream is labelled as a
/// receiver at the capture point sees it (`direction="received"`, `local` = destination, `remote` =
/// source), plus `capture` (the file); there is no process, so no `pid`/`comm`. OpenMetrics wants each
/// family in one contiguous block and the samples of a series in increasing time, so the output is
/// grouped family → series (sorted by labels) → time. Packet rates are Prometheus' to compute
/// (`rate(rtpscope_rtp_packets_total[1m])`, the shipped `rtpscope:rtp_packets:rate1m`).
public enum OpenMetricsReport {
    /// One family and how a sample yields its value (nil: no point, e.g. jitter of an unknown clock).
    struct Family: Sendable {
        let family: MetricFamily
        let value: @Sendable (StreamSample) -> String?
    }

    static let families: [Family] = [
        Family(family: MetricCatalog.rtpJitter) { $0.jitterSeconds.map(LabelText.number) },
        Family(family: MetricCatalog.rtpPackets) { String($0.packets) },
        Family(family: MetricCatalog.rtpLost) { String($0.lost) },
        Family(family: MetricCatalog.rtpExpected) { String($0.expected) },
    ]

    public static func render(_ samples: [StreamSample]) -> String {
        let series = seriesInTimeOrder(samples)
        var text = ""
        for entry in families {
            let family = entry.family
            let name = family.openMetricsName
            text += "# TYPE \(name) \(family.type.rawValue)\n"
            if let unit = family.unit, name.hasSuffix("_" + unit) { text += "# UNIT \(name) \(unit)\n" }
            text += "# HELP \(name) \(LabelText.escapeHelp(family.help, for: .openMetrics))\n"
            for (labels, points) in series {
                for point in points {
                    guard let value = entry.value(point) else { continue }
                    text += "\(family.name){\(labels)} \(value) \(point.timestamp)\n"
                }
            }
        }
        return text + "# EOF\n"
    }

    /// Samples grouped by series (label text), series sorted by labels for stable output, each series'
    /// points in strictly increasing time. A repeated timestamp (the same capture fed twice) keeps the
    /// first point: backfill rejects a series that goes back in time.
    static func seriesInTimeOrder(_ samples: [StreamSample]) -> [(labels: String, points: [StreamSample])] {
        var bySeries: [String: [StreamSample]] = [:]
        for sample in samples { bySeries[labels(of: sample), default: []].append(sample) }
        return bySeries.sorted { $0.key < $1.key }.map { labels, points in
            // Stable: of equal timestamps, the one sampled first comes first and is kept.
            let ordered = points.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            var kept: [StreamSample] = []
            for (_, point) in ordered where kept.last.map({ $0.timestamp < point.timestamp }) ?? true {
                kept.append(point)
            }
            return (labels, kept)
        }
    }

    /// The live stream labels a capture has (see the type's documentation), then `capture`.
    static func labels(of sample: StreamSample) -> String {
        let (local, remote) = ProcessSide.endpoints(src: sample.src, dst: sample.dst, direction: .received)
        return LabelText.labels(MetricLabels.captureStream, [
            SSRCText.hex(sample.ssrc), Direction.received.rawValue, local, remote,
            String(sample.payloadType), sample.capture,
        ])
    }
}
