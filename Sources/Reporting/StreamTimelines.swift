import RTPCore

/// The three per-second charts of one stream in the HTML report: jitter, packet rate, cumulative loss.
///
/// Built from the `CaptureTimeSampler` points of the stream. A point stamped T describes the second
/// ending at T, so it is plotted at T (seconds since `timeBase`, the capture's start).
struct StreamTimelines {
    let samples: [StreamSample]
    let timeBase: Double

    /// The stream's points across every capture it appears in, in time order, one per second.
    init(stream: StreamReport, allSamples: [StreamSample], timeBase: Double) {
        // Samples carry no transport: address pair and SSRC identify the stream (the payload type may
        // change mid-stream, so it is no part of the match).
        let own = allSamples.filter { $0.ssrc == stream.ssrc && $0.src == stream.src && $0.dst == stream.dst }
            .map { sample -> StreamSample in
                // One series however many files the stream spans: blank the labels that differ between
                // them, then the OpenMetrics ordering applies as is (time order, first of a repeated second kept).
                var sample = sample
                sample.capture = ""
                sample.payloadType = stream.payloadType
                return sample
            }
        samples = OpenMetricsReport.seriesInTimeOrder(own).first?.points ?? []
        self.timeBase = timeBase
    }

    static let xLabel = "capture time (s)"

    var charts: [SVGTimeline] { [jitter, packetRate, loss] }

    var jitter: SVGTimeline {
        SVGTimeline(title: "Jitter (RFC 3550)", xLabel: Self.xLabel, yLabel: "jitter (ms)",
                    points: samples.map { .init(x: x($0), y: $0.jitterSeconds.map { $0 * 1000 }) },
                    emptyText: "no jitter: clock rate unknown")
    }

    /// Packets per second: the inverse of the packet interval, and where gaps and bursts show.
    var packetRate: SVGTimeline {
        SVGTimeline(title: "Packet rate", xLabel: Self.xLabel, yLabel: "packets per second",
                    points: samples.map { .init(x: x($0), y: Double($0.packetRate)) })
    }

    /// Cumulative lost, with a marker on each second where it grew (a loss event).
    var loss: SVGTimeline {
        SVGTimeline(title: "Cumulative lost packets", xLabel: Self.xLabel, yLabel: "lost (packets)",
                    points: samples.map { .init(x: x($0), y: Double($0.lost)) },
                    markers: lossEvents.map { event in
                        .init(x: x(event.sample), y: Double(event.sample.lost),
                              label: "+\(event.increase) lost in the second ending at \(NumberText.fixed(x(event.sample), decimals: 0)) s")
                    })
    }

    /// Seconds where cumulative lost went up, and by how much. The count starts at 0, so a stream
    /// already missing packets at its first point has an event there. Decreases (late packets) are not events.
    var lossEvents: [(sample: StreamSample, increase: Int64)] {
        var previous: Int64 = 0
        var events: [(sample: StreamSample, increase: Int64)] = []
        for sample in samples {
            if sample.lost > previous { events.append((sample, sample.lost - previous)) }
            previous = sample.lost
        }
        return events
    }

    private func x(_ sample: StreamSample) -> Double {
        Double(sample.timestamp) - timeBase
    }
}
