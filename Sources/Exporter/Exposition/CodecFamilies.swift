import RTPCore

/// The codec probe families (per process and function, read from the kernel maps at scrape time)
/// and the codec ↔ network families of outgoing streams (stalls by cause, correlation).
enum CodecFamilies {
    static let calls = ScalarFamily<ExportedCodecSeries>(
        name: "rtpscope_codec_calls_total", type: .counter,
        help: "Calls of a probed libavcodec/libavformat function (calls)."
    ) { .unsigned($0.calls) }

    static let errors = ScalarFamily<ExportedCodecSeries>(
        name: "rtpscope_codec_errors_total", type: .counter,
        help: "Calls that returned an error; AVERROR(EAGAIN) and AVERROR_EOF are normal flow and not counted (calls)."
    ) { .unsigned($0.errors) }

    static let packetBytes = ScalarFamily<ExportedCodecSeries>(
        name: "rtpscope_codec_packet_bytes_total", type: .counter,
        help: "AVPacket bytes passed to or returned by the functions that take a packet (bytes)."
    ) { $0.packetBytes.map { .unsigned($0) } }

    static let durationName = "rtpscope_codec_call_duration_seconds"
    static let durationHelp = "Duration of probed codec calls, from the kernel's log2 histogram (seconds)."

    static let stalls = ScalarFamily<UInt64>(
        name: "rtpscope_rtp_send_stalls_total", type: .counter,
        help: "Gaps between sends of an outgoing stream longer than k times its expected interval, by cause: codec when a codec call of the process covered most of the gap, other otherwise (stalls)."
    ) { .unsigned($0) }

    static let correlation = ScalarFamily<Double>(
        name: "rtpscope_codec_network_correlation", type: .gauge,
        help: "Pearson correlation, over the last 60 one-second buckets, between the per-second worst call latency of a codec function (calls under half the stream's expected interval count as 0) and the per-second worst send interval of the process's outgoing stream; 0 when either side is constant (ratio, -1..1). Absent with fewer than 10 seconds of sends."
    ) { .real($0) }

    static func write(_ codec: [ExportedCodecSeries], streams: [ExportedStream], into writer: inout ExpositionWriter) {
        let series = SeriesOrdering.sortedUnique(codec.map { (labels: labels(of: $0), subject: $0) })
        writer.write(calls, for: series)
        writer.write(errors, for: series)
        writer.write(packetBytes, for: series)
        writer.writeHistogram(name: durationName, help: durationHelp, series: series.compactMap { entry in
            entry.subject.duration.map { (labels: entry.labels, subject: $0) }
        })

        let stallSeries = streams.flatMap { stream -> [Series<UInt64>] in
            guard let counts = stream.report.sendStalls else { return [] }
            let base = StreamFamilies.labels(of: stream).inner
            return StallCause.allCases.map { cause in
                (labels: LabelSet(ordered: [("cause", cause.rawValue)]).appended(after: base), subject: counts[cause])
            }
        }
        writer.write(stalls, for: SeriesOrdering.sortedUnique(stallSeries))

        let correlationSeries = streams.flatMap { stream -> [Series<Double>] in
            guard let correlations = stream.report.codecCorrelation else { return [] }
            return correlations.map { function, value in
                (labels: LabelSet(ordered: [
                    ("pid", stream.report.pid.map(String.init) ?? ""), ("comm", stream.report.comm ?? ""),
                    ("function", function), ("ssrc", ExpositionText.ssrc(stream.report.ssrc)),
                ]), subject: value)
            }
        }
        writer.write(correlation, for: SeriesOrdering.sortedUnique(correlationSeries))
    }

    static func labels(of series: ExportedCodecSeries) -> LabelSet {
        LabelSet(ordered: [("pid", String(series.pid)), ("comm", series.comm), ("function", series.function),
                           ("library", series.library)])
    }
}
