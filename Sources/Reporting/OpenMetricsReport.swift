import Foundation
import RTPCore

/// `analyze --openmetrics FILE`: the per-second stream samples as OpenMetrics text with timestamps, for
/// `promtool tsdb create-blocks-from openmetrics` (Prometheus backfill).
///
/// Names match the live exporter's (`rtpscope_rtp_packets_total`, `rtpscope_rtp_jitter_seconds`…) so
/// dashboards work on both. OpenMetrics wants each family in one contiguous block and the samples of a
/// series in increasing time, so the output is grouped family → series (sorted by labels) → time.
public enum OpenMetricsReport {
    /// One metric family and how a sample yields its value (nil: no point, e.g. jitter of an unknown clock).
    struct Family: Sendable {
        let name: String
        let type: String
        /// Declared only where the name ends with it, as OpenMetrics requires.
        let unit: String?
        let help: String
        let value: @Sendable (StreamSample) -> String?

        /// Counters' samples carry the `_total` suffix; the family name does not.
        var sampleName: String { type == "counter" ? name + "_total" : name }
    }

    static let families: [Family] = [
        Family(name: "rtpscope_rtp_jitter_seconds", type: "gauge", unit: "seconds",
               help: "Interarrival jitter, RFC 3550 A.8, converted with the stream's clock rate. Absent while the clock rate is unknown.") {
            $0.jitterSeconds.map { NumberText.fixed($0, decimals: 9) }
        },
        Family(name: "rtpscope_rtp_packets", type: "counter", unit: "packets",
               help: "RTP packets seen on the stream.") { String($0.packets) },
        Family(name: "rtpscope_rtp_packet_rate", type: "gauge", unit: nil,
               help: "RTP packets of the stream in the second ending at the sample (packets per second).") {
            String($0.packetRate)
        },
        Family(name: "rtpscope_rtp_lost_packets", type: "gauge", unit: "packets",
               help: "Cumulative packets lost, RFC 3550 A.3: expected minus received; decreases when late packets arrive.") {
            String($0.lost)
        },
        Family(name: "rtpscope_rtp_expected_packets", type: "gauge", unit: "packets",
               help: "Packets expected from the extended highest sequence number, RFC 3550 A.3.") { String($0.expected) },
    ]

    public static func render(_ samples: [StreamSample]) -> String {
        let series = seriesInTimeOrder(samples)
        var text = ""
        for family in families {
            text += "# TYPE \(family.name) \(family.type)\n"
            if let unit = family.unit { text += "# UNIT \(family.name) \(unit)\n" }
            text += "# HELP \(family.name) \(family.help)\n"
            for (labels, points) in series {
                for point in points {
                    guard let value = family.value(point) else { continue }
                    text += "\(family.sampleName){\(labels)} \(value) \(point.timestamp)\n"
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

    static func labels(of sample: StreamSample) -> String {
        [("ssrc", NumberText.ssrc(sample.ssrc, lowercase: true)), ("src", sample.src), ("dst", sample.dst),
         ("payload_type", String(sample.payloadType)), ("capture", sample.capture)]
            .map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",")
    }

    /// OpenMetrics label values escape backslash, double quote and line feed.
    static func escapeLabelValue(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
