import RTPCore

/// One capture file through an analyzer of its own: what `rtpscope analyze` does per file.
///
/// Files are analysed one by one, not fed into one analyzer: two captures of the same call (taken
/// at both ends, or one file given twice) hold the same 5-tuples and SSRCs, and one analyzer would
/// merge them into a single stream of duplicates going back in time. Apart, each stream belongs to
/// one file and its times count from that file's first packet; `AnalysisReport.merging` joins them.
public struct CaptureAnalysis {
    /// Streams and reporters tagged with the capture's name (`StreamReport.file`).
    public var report: AnalysisReport
    /// Per-second points (`CaptureTimeSampler`), when sampling was asked for.
    public var samples: [StreamSample]
    /// The capture was cut short (truncated or a read error): everything before it is in the report.
    public var stoppedBy: CaptureError?

    /// Reads `capture` to its end. `sampleLabel`: the sampler's capture label, nil for no sampling
    /// (the analysis then pays nothing for it).
    public static func run(_ capture: CaptureFile, configuration: AnalyzerConfiguration, sampleLabel: String?,
                           progress: ((ProgressInfo) -> Void)? = nil) -> CaptureAnalysis {
        let analyzer = StreamAnalyzer(configuration: configuration)
        let sampler = sampleLabel.map { _ in CaptureTimeSampler() }
        analyzer.sampler = sampler
        if let sampler, let sampleLabel { sampler.beginCapture(named: sampleLabel, of: analyzer) }
        var stoppedBy: CaptureError?
        do {
            try capture.feed(into: analyzer, progress: progress)
        } catch {
            stoppedBy = error
        }
        // Also after a cut-short file: its streams so far are reported, so are their series.
        sampler?.finishCapture(of: analyzer)
        var report = analyzer.report()
        for index in report.streams.indices { report.streams[index].file = capture.name }
        for index in report.rtcp.indices { report.rtcp[index].file = capture.name }
        return CaptureAnalysis(report: report, samples: sampler?.samples ?? [], stoppedBy: stoppedBy)
    }

    /// The per-packet series of `streams` (this capture's, as `run` reported them) from a second pass
    /// over the file; nil for a capture that can be read only once (standard input, a FIFO).
    public static func trace(of capture: CaptureFile, streams: [StreamReport], columns: Int, tcpPorts: Set<UInt16>,
                             progress: ((ProgressInfo) -> Void)? = nil) -> PacketTrace? {
        guard capture.isRereadable, !streams.isEmpty, let again = try? CaptureFile(path: capture.path) else { return nil }
        let trace = PacketTrace(streams: streams, columns: columns)
        _ = again.read(tcpPorts: tcpPorts, progress: progress) { trace.observe($0) }
        return trace
    }
}
