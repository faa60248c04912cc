/// The exporter's access to a live analyzer, built so that a scrape holds the owner's lock briefly:
/// one pass over compact per-stream numbers (`forEachConfirmedStream`), then the snapshots of the few
/// streams it exports (`snapshot(at:)`, still under the lock: part of a stream's state lives in boxes
/// the capture goes on mutating, so only what it reports can leave the lock). `streamSnapshots()`
/// builds every stream's at once instead.
///
/// Relies on the analyzer's internals only here: the stream table's `entries` (confirmed flag, process
/// name, measurements) and `key(at:)`, `StreamStatistics.report(key:mode:)`, `droppedCandidatePackets`
/// and the RTCP accounting's `reports`, `reporterCount`, `blocksDropped` and `reportersEvicted`.
extension StreamAnalyzer {
    /// Calls `body` with the figures of every confirmed stream, in table order. Builds no report and
    /// allocates nothing; strict (RFC 3550) figures whatever the mode.
    public func forEachConfirmedStream(_ body: (StreamFigures) -> Void) {
        let count = streams.entries.count
        for index in 0..<count where streams.entries[index].isConfirmed {
            // Read in place (a copy of the measurements would retain their boxes per stream).
            let clockRate = streams.entries[index].measurements.clockRate
            let clockKnown = clockRate != nil && streams.entries[index].measurements.clockRateSource != .unknown
            var jitterSeconds: Double?
            if clockKnown, let estimator = streams.entries[index].measurements.jitter {
                jitterSeconds = estimator.milliseconds(estimator.jitter) / 1000
            }
            body(StreamFigures(
                key: streams.key(at: index),
                processName: streams.entries[index].processName,
                firstTime: streams.entries[index].firstTime,
                packets: streams.entries[index].measurements.packets,
                expected: streams.entries[index].measurements.sequence.expected,
                lost: streams.entries[index].measurements.sequence.lost,
                clockRate: clockKnown ? clockRate : nil,
                jitterSeconds: jitterSeconds,
                position: StreamPosition(index: index)))
        }
    }

    /// The snapshot of the stream at `position`, which must come from `forEachConfirmedStream` with
    /// no change to the analyzer since (hold the owner's lock across both).
    public func snapshot(at position: StreamPosition) -> StreamSnapshot {
        snapshot(at: position.index, key: streams.key(at: position.index))
    }

    /// The summary as counted so far, with `unconfirmedRTP` the packets of candidate streams dropped
    /// before RFC 3550 probation confirmed them (evicted ones included): cumulative, it never decreases
    /// (`report()` adds the candidates still on probation, whose packets move to their stream once it
    /// confirms), so `discarded` can be exported as counters. The RTCP caps' counts as `report()` has them.
    public var runningSummary: AnalysisSummary {
        var running = summary
        running.unconfirmedRTP = droppedCandidatePackets
        running.rtcpReportBlocksDropped = rtcp.blocksDropped
        running.rtcpReportersEvicted = rtcp.reportersEvicted
        return running
    }

    /// The RTCP reporters, as `report().rtcp` has them, without building the stream reports.
    /// `clockRate` gives the media clock of a reported SSRC, if known (for the jitter in ms).
    public func rtcpReports(clockRate: (UInt32) -> Int?) -> [RTCPReporterReport] {
        rtcp.reports(clockRate: clockRate)
    }

    /// Whether any RTCP reporter is tracked (so a scrape can skip building the SSRC → clock map).
    public var hasRTCPReporters: Bool { rtcp.reporterCount > 0 }
}

/// What a scrape needs of one confirmed stream to choose the streams to export and to sum them per
/// process and per peer.
public struct StreamFigures: Sendable {
    public var key: StreamKey
    public var processName: String?
    /// Arrival of the stream's first packet: with the key, tells a stream from a later one with the
    /// same key (after an eviction).
    public var firstTime: Nanoseconds
    public var packets: UInt64
    public var expected: Int64
    public var lost: Int64
    /// The clock rate jitter is converted with; nil while unknown.
    public var clockRate: Int?
    /// RFC 3550 A.8 jitter, seconds; nil while the clock rate is unknown.
    public var jitterSeconds: Double?
    /// Where the stream is in the analyzer; valid until the analyzer next changes.
    public var position: StreamPosition

    public init(key: StreamKey, processName: String?, firstTime: Nanoseconds, packets: UInt64, expected: Int64,
                lost: Int64, clockRate: Int?, jitterSeconds: Double?, position: StreamPosition) {
        self.key = key
        self.processName = processName
        self.firstTime = firstTime
        self.packets = packets
        self.expected = expected
        self.lost = lost
        self.clockRate = clockRate
        self.jitterSeconds = jitterSeconds
        self.position = position
    }
}

/// A stream's place in the analyzer's table (see `StreamFigures.position`).
public struct StreamPosition: Sendable, Hashable {
    let index: Int

    /// For tests and synthetic figures.
    public init(index: Int) { self.index = index }
}
