import MetricCatalog
import RTPCore

/// The per-stream RTP families. They are written from the snapshot at scrape time (not mirrored into
/// registry objects) so that an evicted stream's series vanish with it.
enum StreamFamilies {
    /// The numbers the families read, taken out of the report once per scrape (a report is large:
    /// families read a small row instead of copying it per line).
    struct Row: Sendable {
        var packets: UInt64
        var bytes: UInt64
        var expected: Int64
        var lost: Int64
        var duplicates: UInt64
        var reordered: UInt64
        var seqResets: UInt64
        /// nil while the clock rate is unknown: jitter is meaningless without it, never 0.
        var jitterSeconds: Double?
        var maxJitterSeconds: Double?
        var clockRate: Int?
        /// When an RTCP BYE ended the stream (seconds since the epoch); nil until then.
        var byeTime: Double?
        /// Quality (`StreamQuality`): nil where unknown (unrated codec, no report).
        var mos: Double?
        var rFactor: Double?
        var burstDensity: Double?
        var gapDensity: Double?
        var reportedRFactor: Double?
        var reportedMOS: Double?

        init(_ report: StreamReport) {
            packets = report.packets
            bytes = report.bytes
            expected = report.expected
            lost = report.lost
            duplicates = report.duplicates
            reordered = report.reordered
            seqResets = report.seqResets
            let clockKnown = report.clockRate != nil && report.clockRateSource != .unknown
            jitterSeconds = clockKnown ? report.jitterMs.map { $0 / 1000 } : nil
            maxJitterSeconds = clockKnown ? report.maxJitterMs.map { $0 / 1000 } : nil
            clockRate = report.clockRate
            byeTime = report.byeTime
            mos = report.quality?.mos
            rFactor = report.quality?.rFactor
            burstDensity = report.quality?.burstDensity
            gapDensity = report.quality?.gapDensity
            reportedRFactor = report.quality?.rtcpXR?.voipMetrics?.rFactor
            reportedMOS = report.quality?.rtcpXR?.voipMetrics?.mosCQ
        }
    }

    static let scalars: [ScalarFamily<Row>] = [
        ScalarFamily(MetricCatalog.rtpPackets) { .unsigned($0.packets) },
        ScalarFamily(MetricCatalog.rtpBytes) { .unsigned($0.bytes) },
        ScalarFamily(MetricCatalog.rtpExpected) { .signed($0.expected) },
        ScalarFamily(MetricCatalog.rtpLost) { .signed($0.lost) },
        ScalarFamily(MetricCatalog.rtpDuplicates) { .unsigned($0.duplicates) },
        ScalarFamily(MetricCatalog.rtpReordered) { .unsigned($0.reordered) },
        ScalarFamily(MetricCatalog.rtpSequenceResets) { .unsigned($0.seqResets) },
        ScalarFamily(MetricCatalog.rtpJitter) { $0.jitterSeconds.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtpMaxJitter) { $0.maxJitterSeconds.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtpByeTimestamp) { $0.byeTime.map { .real($0) } },
    ]

    static let qualityScalars: [ScalarFamily<Row>] = [
        ScalarFamily(MetricCatalog.rtpMOS) { $0.mos.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtpRFactor) { $0.rFactor.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtpBurstDensity) { $0.burstDensity.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtpGapDensity) { $0.gapDensity.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtcpXRRFactor) { $0.reportedRFactor.map { .real($0) } },
        ScalarFamily(MetricCatalog.rtcpXRMOS) { $0.reportedMOS.map { .real($0) } },
    ]

    static let jitterBufferDiscarded = ScalarFamily<UInt64>(MetricCatalog.rtpJitterBufferDiscarded) { .unsigned($0) }

    static let clockRate = ScalarFamily<Row>(MetricCatalog.rtpClockRate) { row in
        row.clockRate.map { .signed(Int64($0)) }
    }

    /// One exported stream as the families read it: its labels, and what they need of its report
    /// (a report is large; taken apart once per scrape, not copied per line).
    struct StreamSeries: Sendable {
        let labels: LabelSet
        let row: Row
        let intervals: ExportedHistogram
        let ssrc: UInt32
        let pid: Int32?
        let comm: String?
        let sendStalls: SendStallCounts?
        let codecCorrelation: [String: Double]?
        /// Each jitter-buffer model's name and discards.
        let jitterBuffers: [(name: String, discarded: UInt64)]
    }

    /// The streams' series, sorted by labels (one per label set).
    static func series(_ streams: [ExportedStream]) -> [StreamSeries] {
        // Sort labels with indices, not whole streams (a stream is hundreds of bytes to move).
        let order = SeriesOrdering.sortedUnique(streams.indices.map { (labels: labels(of: streams[$0]), subject: $0) })
        return order.map { labels, index in
            let stream = streams[index]
            let report = stream.report
            return StreamSeries(labels: labels, row: Row(report), intervals: stream.intervalHistogram, ssrc: report.ssrc,
                                pid: report.pid, comm: report.comm, sendStalls: report.sendStalls,
                                codecCorrelation: report.codecCorrelation,
                                jitterBuffers: report.quality?.jitterBuffers.map { ($0.name, $0.discarded) } ?? [])
        }
    }

    static func writers(_ series: [StreamSeries]) -> [FamilyWriter] {
        let rows = series.map { (labels: $0.labels, subject: $0.row) }
        return scalars.map { FamilyWriter.scalar($0, rows) } + [
            FamilyWriter.histogram(MetricCatalog.rtpPacketInterval, series.map { (labels: $0.labels, subject: $0.intervals) }),
            FamilyWriter.scalar(clockRate, rows),
        ] + qualityScalars.map { FamilyWriter.scalar($0, rows) } + [
            FamilyWriter.scalar(jitterBufferDiscarded, series.flatMap { stream in
                stream.jitterBuffers.map { buffer in
                    (labels: LabelSet(MetricLabels.jitterBuffer, buffer.name).appended(after: stream.labels),
                     subject: buffer.discarded)
                }
            }),
        ]
    }

    static func labels(of stream: ExportedStream) -> LabelSet {
        let report = stream.report
        return LabelSet(MetricLabels.stream, [
            SSRCText.hex(report.ssrc), report.direction?.rawValue ?? "", stream.local, stream.remote,
            report.pid.map(String.init) ?? "", report.comm ?? "", String(report.payloadType),
            report.container ?? "", report.pod ?? "", report.namespace ?? "", report.interface ?? "",
        ])
    }
}
