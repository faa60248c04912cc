import RTPCore

/// What a scrape takes from a live analyzer while its owner's lock is held, kept to copies: compact
/// figures of every stream (for the aggregates and `/health`), value copies of the streams
/// `--stream-metrics` selects, the RTCP reporters and the counters. Reports, sums and labels are built
/// afterwards, outside the lock, so a scrape holds up the capture loop for one pass over compact
/// numbers (measured: `make bench`, `rtpscope_exporter_snapshot_lock_seconds`).
public struct AnalyzerExport: Sendable {
    /// Every confirmed stream.
    public let figures: [StreamFigures]
    /// The selected streams, most important first.
    public let selected: [StreamSnapshot]
    public let rtcp: [RTCPReporterReport]
    /// `StreamAnalyzer.runningSummary`: cumulative counts.
    public let summary: AnalysisSummary
    public let evictedStreams: UInt64
    public let mode: StreamMetricsMode

    /// Call with the analyzer's lock held; the result needs no lock.
    public static func take(from analyzer: StreamAnalyzer, mode: StreamMetricsMode) -> AnalyzerExport {
        var figures: [StreamFigures] = []
        figures.reserveCapacity(analyzer.streamCount)
        var selection = StreamSelection(mode: mode)
        analyzer.forEachConfirmedStream { stream in
            figures.append(stream)
            selection.consider(stream)
        }
        let selected = selection.selected.map { analyzer.snapshot(at: $0.position) }
        var rtcp: [RTCPReporterReport] = []
        if analyzer.hasRTCPReporters {
            // The clock of a reported source converts its report blocks' jitter (first stream wins).
            var clocks: [UInt32: Int] = [:]
            for stream in figures {
                if let rate = stream.clockRate, clocks[stream.key.ssrc] == nil { clocks[stream.key.ssrc] = rate }
            }
            rtcp = analyzer.rtcpReports { clocks[$0] }
        }
        return AnalyzerExport(figures: figures, selected: selected, rtcp: rtcp, summary: analyzer.runningSummary,
                              evictedStreams: analyzer.evictedStreams, mode: mode)
    }

    /// The selected streams as exported. `correlation` adds the codec ↔
    /// network correlation of a stream, when there is one.
    public func exportedStreams(correlation: (StreamSnapshot) -> [String: Double]? = { _ in nil }) -> [ExportedStream] {
        selected.map { snapshot in
            var report = snapshot.report
            report.codecCorrelation = correlation(snapshot)
            return ExportedStream(report: report, intervalHistogram: ExportedHistogram(snapshot.intervalHistogram))
        }
    }

    public var rtcpReporters: [ExportedRTCPReporter] {
        rtcp.map { reporter in
            let (local, remote) = ProcessSide.endpoints(src: reporter.src, dst: reporter.dst, direction: reporter.direction)
            return ExportedRTCPReporter(report: reporter, local: local, remote: remote)
        }
    }

    public var discardedDatagrams: [String: UInt64] { DiscardedDatagrams.byReason(summary) }
}
