import Exporter
import Foundation
import LiveSource
import RTPCore
import Synchronization

/// The live pipeline: kernel events → the analysis engine, and consistent snapshots for the exporter.
///
/// The analyzer is single-threaded; the capture loop and the HTTP handlers reach it only through
/// one mutex. Holding it is short: the loop drains what the ring buffer already has (no waiting
/// under the lock) and a scrape copies the reports out.
final class LiveEngine: Sendable {
    private let capture: LiveCapture
    private let analyzer: Mutex<StreamAnalyzer>
    private let rate = Mutex(EventRate())

    init(capture: LiveCapture, configuration: AnalyzerConfiguration) {
        self.capture = capture
        analyzer = Mutex(StreamAnalyzer(configuration: configuration))
    }

    /// Feeds every event waiting in the ring buffer to the engine; returns how many.
    @discardableResult
    func drain() -> Int {
        analyzer.withLock { analyzer in
            let delivered = capture.poll(timeoutMilliseconds: 0) { analyzer.ingest($0) }
            // Live, every traced datagram is a "packet read" (the capture source's count offline).
            analyzer.summary.packetsRead &+= UInt64(delivered)
            return delivered
        }
    }

    /// Removes streams idle past `--stream-idle-timeout` (their series disappear with them).
    func evictIdleStreams() {
        let now = WallClock.nowNanoseconds()
        analyzer.withLock { _ = $0.evictIdleStreams(now: now) }
    }

    func report() -> AnalysisReport {
        analyzer.withLock { $0.report() }
    }

    func close() {
        capture.close()
    }

    func snapshot() -> ExporterSnapshot {
        let (snapshots, report, evicted) = analyzer.withLock { analyzer in
            (analyzer.streamSnapshots(), analyzer.report(), analyzer.evictedStreams)
        }
        let statistics = capture.statistics()
        let eventsPerSecond = rate.withLock { $0.update(total: statistics.eventsTotal, at: WallClock.nowNanoseconds()) }
        let streams = snapshots.map { snapshot in
            let (local, remote) = ProcessSide.endpoints(src: snapshot.report.src, dst: snapshot.report.dst,
                                                        direction: snapshot.report.direction)
            return ExportedStream(report: snapshot.report, local: local, remote: remote,
                                  intervalHistogram: ExportedHistogram(snapshot.intervalHistogram))
        }
        let rtcp = report.rtcp.map { reporter in
            let (local, remote) = ProcessSide.endpoints(src: reporter.src, dst: reporter.dst, direction: reporter.direction)
            return ExportedRTCPReporter(report: reporter, local: local, remote: remote)
        }
        let health = MonitorHealth(
            attachedPrograms: statistics.attachedPrograms,
            eventsBySyscall: Dictionary(uniqueKeysWithValues: statistics.eventsBySyscall.map { ($0.key.description, $0.value) }),
            eventsPerSecond: eventsPerSecond,
            ringbufDroppedEvents: statistics.ringBufferDrops,
            unreportedDatagrams: [
                "iovec_bound": statistics.iovecBoundExceeded, "message_bound": statistics.messageBoundExceeded,
                "stash_full": statistics.stashFull, "payload_unreadable": statistics.payloadUnreadable,
                "socket_unreadable": statistics.socketUnreadable, "unresolved_address": statistics.unresolvedAddresses,
            ],
            programStats: statistics.programs.filter { $0.runCount > 0 || $0.runTimeNanoseconds > 0 }.map {
                ProgramRunStats(name: $0.name, runTimeNanoseconds: $0.runTimeNanoseconds, runCount: $0.runCount)
            },
            streamsEvicted: evicted)
        return ExporterSnapshot(streams: streams, rtcp: rtcp, health: health, report: report)
    }
}

/// Which side of a datagram is the traced process: the source of what it sent, the destination of
/// what it received.
enum ProcessSide {
    static func endpoints(src: String, dst: String, direction: Direction?) -> (local: String, remote: String) {
        direction == .received ? (dst, src) : (src, dst)
    }
}

/// Events per second between two scrapes, for `/health` (Prometheus computes its own rates).
struct EventRate {
    private var lastTotal: UInt64 = 0
    private var lastTime: Nanoseconds = 0
    private var lastRate: Double = 0

    mutating func update(total: UInt64, at now: Nanoseconds) -> Double {
        defer { lastTotal = total; lastTime = now }
        guard lastTime > 0, now - lastTime >= 500_000_000, total >= lastTotal else { return lastRate }
        lastRate = Double(total - lastTotal) / (Double(now - lastTime) / 1e9)
        return lastRate
    }
}

enum WallClock {
    static func nowNanoseconds() -> Nanoseconds {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Nanoseconds(ts.tv_sec) * 1_000_000_000 + Nanoseconds(ts.tv_nsec)
    }
}

/// Serves snapshots to the HTTP server.
struct LiveSnapshotProvider: ExporterSnapshotProvider {
    let engine: LiveEngine

    func snapshot() async -> ExporterSnapshot { engine.snapshot() }
}
