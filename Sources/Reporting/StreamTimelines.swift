import RTPCore

/// The charts of one stream in the HTML report, on one x axis: capture time in seconds since the first
/// packet of the stream's capture file (the table's Start/End), spanning the stream's own life.
///
/// - Per packet, from the second pass (`PacketTrace`), as Wireshark's RTP analysis graphs them: the
///   arrival delta and the RFC 3550 jitter, each pixel column showing the range of its packets; the
///   jitter RTCP receivers reported about the stream is marked on the jitter chart.
/// - Per second, from the `CaptureTimeSampler`: packet rate and cumulative loss (with loss events, and
///   the cumulative loss RTCP receivers reported). A point stamped T holds the packets before T.
///
/// A capture read once (standard input, a FIFO) has no second pass: jitter is then drawn per second.
struct StreamTimelines {
    let stream: StreamReport
    /// The stream's per-second points in time order, none after the stream's last packet's second.
    let samples: [StreamSample]
    let trace: PacketTrace.Series?
    let timeBase: Double

    /// RTCP reports farther than this after the stream's last packet are left out of its charts (a
    /// receiver's last reports can trail the media by a reporting interval).
    static let reportsAfterEnd = 10.0

    init(stream: StreamReport, samples allSamples: [StreamSample], trace: PacketTrace.Series?, timeBase: Double) {
        self.stream = stream
        self.trace = trace
        self.timeBase = timeBase
        // Samples carry no transport: address pair and SSRC identify the stream within its file (the
        // payload type may change mid-stream, so it is no part of the match). The sampler keeps
        // sampling a stream that stopped until its file ends; those flat points describe nothing.
        let lastSecond = Int64(stream.endTime.rounded(.down)) + 1
        var seen = Set<Int64>()
        samples = allSamples
            .filter { $0.ssrc == stream.ssrc && $0.src == stream.src && $0.dst == stream.dst && $0.timestamp <= lastSecond }
            .sorted { $0.timestamp < $1.timestamp }
            .filter { seen.insert($0.timestamp).inserted }
    }

    static let xLabel = "capture time (s)"

    var charts: [SVGTimeline] {
        (trace == nil ? [jitterPerSecond] : [delta, jitterPerPacket]) + [packetRate, loss] + (mosOverTime.map { [$0] } ?? [])
    }

    /// MOS over a sliding 10 s window of the per-second samples: the G.107 E-model (as the stream's
    /// `mos`) fed with the window's network loss (random, BurstR 1) and the primary jitter buffer's
    /// mean delay. nil for a stream the E-model cannot rate.
    var mosOverTime: SVGTimeline? {
        guard let quality = stream.quality, quality.mos != nil,
              let codec = VoiceCodec.identify(encodingName: stream.encodingName) else { return nil }
        let delayMs = (quality.primary?.meanDelayMs ?? 0) + (quality.roundTripMs ?? 0) / 2
        var points: [SVGTimeline.Point] = []
        for (index, sample) in samples.enumerated() {
            // The sample ten seconds earlier (or the stream's start: counts from zero).
            let earlier = samples[..<index].last { $0.timestamp <= sample.timestamp - 10 }
            let expected = sample.expected - (earlier?.expected ?? 0)
            let lost = max(sample.lost - (earlier?.lost ?? 0), 0)
            guard expected > 0 else { continue }
            let lossPercent = min(100, 100 * Double(lost) / Double(expected))
            guard let parameters = codec.parameters(lossPercent: lossPercent, burstRatio: 1, oneWayDelayMs: delayMs) else { continue }
            points.append(.init(x: x(sample), y: EModel.mos(rating: EModel.rating(parameters))))
        }
        return SVGTimeline(title: "MOS over the last 10 s (ITU-T G.107, network loss)", xLabel: Self.xLabel,
                           yLabel: "MOS", points: points, xRange: xRange, emptyText: "no packets")
    }

    /// The RTCP reports shown: those within the stream's life (and a little after).
    var reports: [PacketTrace.Report] {
        (trace?.reports ?? []).filter { $0.time >= stream.startTime && $0.time <= stream.endTime + Self.reportsAfterEnd }
    }

    var xRange: (low: Double, high: Double) {
        let end = max(stream.endTime, reports.map(\.time).max() ?? stream.endTime)
        return (stream.startTime - timeBase, end - timeBase)
    }

    var delta: SVGTimeline {
        SVGTimeline(title: "Delta: time since the previous packet", xLabel: Self.xLabel, yLabel: "delta (ms)",
                    points: slotLine(trace?.deltaMs ?? []), bands: bands(trace?.deltaMs ?? []), xRange: xRange,
                    emptyText: "fewer than two packets")
    }

    var jitterPerPacket: SVGTimeline {
        let slots = trace?.jitterMs ?? []
        let reported = reports.compactMap { report in
            report.jitterMs.map { jitter in
                SVGTimeline.Marker(x: report.time - timeBase, y: jitter,
                                   label: "RTCP \(NumberText.ssrc(report.reporterSSRC)) reported jitter "
                                       + "\(NumberText.fixed(jitter, decimals: 3)) ms at \(NumberText.fixed(report.time - timeBase, decimals: 3)) s",
                                   color: SVGTimeline.reportColor)
            }
        }
        return SVGTimeline(title: "Jitter per packet (RFC 3550)", xLabel: Self.xLabel, yLabel: "jitter (ms)",
                           points: slotLine(slots), markers: reported, bands: bands(slots), xRange: xRange,
                           key: reported.isEmpty ? [] : [(SVGTimeline.lineColor, "measured"), (SVGTimeline.reportColor, "RTCP reported")],
                           emptyText: "no jitter: clock rate unknown")
    }

    var jitterPerSecond: SVGTimeline {
        SVGTimeline(title: "Jitter (RFC 3550)", xLabel: Self.xLabel, yLabel: "jitter (ms)",
                    points: samples.map { .init(x: x($0), y: $0.jitterSeconds.map { $0 * 1000 }) }, xRange: xRange,
                    emptyText: "no jitter: clock rate unknown")
    }

    /// Packets per second: the inverse of the packet interval, and where gaps and bursts show.
    var packetRate: SVGTimeline {
        SVGTimeline(title: "Packet rate", xLabel: Self.xLabel, yLabel: "packets per second",
                    points: samples.map { .init(x: x($0), y: Double($0.packetRate)) }, xRange: xRange)
    }

    /// Cumulative lost, with a marker on each second where it grew (a loss event), and what RTCP
    /// receivers reported as their cumulative loss.
    var loss: SVGTimeline {
        let events = lossEvents.map { event in
            SVGTimeline.Marker(x: x(event.sample), y: Double(event.sample.lost),
                               label: "+\(event.increase) lost in the second ending at \(NumberText.fixed(x(event.sample), decimals: 0)) s")
        }
        let reported = reports.map { report in
            SVGTimeline.Marker(x: report.time - timeBase, y: Double(report.cumulativeLost),
                               label: "RTCP \(NumberText.ssrc(report.reporterSSRC)) reported \(report.cumulativeLost) lost "
                                   + "(\(NumberText.fixed(report.fractionLost * 100, decimals: 1)) % of the last interval)",
                               color: SVGTimeline.reportColor)
        }
        return SVGTimeline(title: "Cumulative lost packets", xLabel: Self.xLabel, yLabel: "lost (packets)",
                           points: samples.map { .init(x: x($0), y: Double($0.lost)) }, markers: events + reported,
                           xRange: xRange,
                           key: reported.isEmpty ? [] : [(SVGTimeline.markerColor, "new loss"), (SVGTimeline.reportColor, "RTCP reported")])
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

    /// A per-second point sits at the end of its second, or at the stream's last packet for the last one.
    private func x(_ sample: StreamSample) -> Double {
        min(Double(sample.timestamp), stream.endTime) - timeBase
    }

    /// The x of slot `index` of `count` over the traced span: its middle.
    private func slotX(_ index: Int, of count: Int) -> Double {
        guard let trace else { return 0 }
        let span = Double(trace.end &- trace.start) / 1e9
        return stream.startTime - timeBase + (Double(index) + 0.5) * span / Double(max(count, 1))
    }

    /// The series in time order: each slot's last value.
    private func slotLine(_ slots: [PacketTrace.Slot?]) -> [SVGTimeline.Point] {
        slots.enumerated().compactMap { index, slot in slot.map { .init(x: slotX(index, of: slots.count), y: $0.last) } }
    }

    /// The range within each slot that holds more than one value.
    private func bands(_ slots: [PacketTrace.Slot?]) -> [SVGTimeline.Band] {
        slots.enumerated().compactMap { index, slot in
            guard let slot, slot.high > slot.low else { return nil }
            return .init(x: slotX(index, of: slots.count), low: slot.low, high: slot.high)
        }
    }
}
