import RTPCore

/// The per-stream RTP families. They are written from the snapshot at scrape time (not mirrored into
/// registry objects) so that an evicted stream's series vanish with it.
enum StreamFamilies {
    static let scalars: [ScalarFamily<StreamReport>] = [
        ScalarFamily(name: "rtpscope_rtp_packets_total", type: .counter,
                     help: "RTP packets seen on the stream (packets).") { .unsigned($0.packets) },
        ScalarFamily(name: "rtpscope_rtp_bytes_total", type: .counter,
                     help: "RTP bytes seen on the stream, header and payload (bytes).") { .unsigned($0.bytes) },
        ScalarFamily(name: "rtpscope_rtp_expected_packets", type: .gauge,
                     help: "Packets expected from the extended highest sequence number, RFC 3550 A.3 (packets).") {
            .signed($0.expected)
        },
        ScalarFamily(name: "rtpscope_rtp_lost_packets", type: .gauge,
                     help: "Cumulative packets lost, RFC 3550 A.3: expected minus received; decreases when late packets arrive and is negative with duplicates (packets).") {
            .signed($0.lost)
        },
        ScalarFamily(name: "rtpscope_rtp_duplicate_packets_total", type: .counter,
                     help: "Packets whose sequence number had already been received (packets).") { .unsigned($0.duplicates) },
        ScalarFamily(name: "rtpscope_rtp_reordered_packets_total", type: .counter,
                     help: "Packets that arrived after a higher sequence number (packets).") { .unsigned($0.reordered) },
        ScalarFamily(name: "rtpscope_rtp_sequence_resets_total", type: .counter,
                     help: "Sender restarts detected by RFC 3550 A.1 sequence validation (resets).") { .unsigned($0.seqResets) },
        ScalarFamily(name: "rtpscope_rtp_jitter_seconds", type: .gauge,
                     help: "Interarrival jitter, RFC 3550 A.8, converted with the stream's clock rate (seconds). Absent while the clock rate is unknown.") {
            knownClockSeconds(fromMilliseconds: $0.jitterMs, of: $0)
        },
        ScalarFamily(name: "rtpscope_rtp_max_jitter_seconds", type: .gauge,
                     help: "Largest interarrival jitter seen on the stream (seconds). Absent while the clock rate is unknown.") {
            knownClockSeconds(fromMilliseconds: $0.maxJitterMs, of: $0)
        },
        ScalarFamily(name: "rtpscope_rtp_bye_timestamp_seconds", type: .gauge,
                     help: "When an RTCP BYE naming the stream's SSRC arrived after its last packet: the source ended the stream (seconds since the Unix epoch). Absent until then.") {
            $0.byeTime.map { .real($0) }
        },
    ]

    static let clockRate = ScalarFamily<StreamReport>(
        name: "rtpscope_rtp_clock_rate_hertz", type: .gauge,
        help: "RTP timestamp clock rate used for the stream (hertz). Absent while unknown."
    ) { report in
        report.clockRate.map { .signed(Int64($0)) }
    }

    static let intervalName = "rtpscope_rtp_packet_interval_seconds"
    static let intervalHelp = "Time between consecutive packets of the stream (seconds)."

    static func write(_ streams: [ExportedStream], into writer: inout ExpositionWriter) {
        let series = SeriesOrdering.sortedUnique(streams.map { (labels: labels(of: $0), subject: $0) })
        let reports = series.map { (labels: $0.labels, subject: $0.subject.report) }
        for family in scalars {
            writer.write(family, for: reports)
        }
        writer.writeHistogram(name: intervalName, help: intervalHelp,
                              series: series.map { (labels: $0.labels, subject: $0.subject.intervalHistogram) })
        writer.write(clockRate, for: reports)
    }

    static func labels(of stream: ExportedStream) -> LabelSet {
        let report = stream.report
        return LabelSet([
            "ssrc": ExpositionText.ssrc(report.ssrc),
            "direction": report.direction?.rawValue ?? "",
            "local": stream.local,
            "remote": stream.remote,
            "pid": report.pid.map(String.init) ?? "",
            "comm": report.comm ?? "",
            "payload_type": String(report.payloadType),
            "container": report.container ?? "",
            "pod": report.pod ?? "",
            "namespace": report.namespace ?? "",
        ])
    }

    /// Jitter is meaningless without a clock rate: an unknown clock yields no series, never 0.
    private static func knownClockSeconds(fromMilliseconds milliseconds: Double?, of report: StreamReport) -> SampleValue? {
        guard report.clockRate != nil, report.clockRateSource != .unknown, let milliseconds else { return nil }
        return .real(milliseconds / 1000)
    }
}
