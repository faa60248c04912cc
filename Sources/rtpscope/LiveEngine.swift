import Exporter
import Foundation
import LiveSource
import MetricCatalog
import RTPCore
import Synchronization

/// The live pipeline: kernel events → the analysis engine, and consistent snapshots for the exporter.
///
/// The analyzer is single-threaded; the capture loop and the HTTP handlers reach it only through
/// one mutex. Holding it is short: the loop drains what the ring buffer already has (no waiting
/// under the lock) and a scrape copies compact figures and the streams it exports
/// (`AnalyzerExport.take`), building reports after releasing it.
final class LiveEngine: Sendable {
    /// The eBPF capture; nil with `--capture none` (interfaces only).
    private let capture: LiveCapture?
    /// The `--interface` captures' counters, published by their readers (`InterfaceReaders`).
    private let interfaces: InterfaceStatisticsBoard?
    private let codec: CodecProbeManager?
    /// The analyzer (with its codec side: stall classification, codec ↔ network correlation).
    private let analyzer: Mutex<StreamAnalyzer>
    private let rate = Mutex(EventRate())
    private let streamMetrics: StreamMetricsMode
    /// The per-process and per-peer sums' memory of ended streams. Its lock is taken before the
    /// engine's, so scrapes update it in the order they read the engine.
    private let aggregator = Mutex(StreamAggregator())

    init(capture: LiveCapture?, configuration: AnalyzerConfiguration, codec: CodecProbeManager? = nil,
         streamMetrics: StreamMetricsMode = .default, interfaces: InterfaceStatisticsBoard? = nil) {
        self.capture = capture
        self.interfaces = interfaces
        self.streamMetrics = streamMetrics
        self.codec = codec?.isEnabled == true ? codec : nil
        var configuration = configuration
        configuration.codecFunctionNames = CodecFunction.names
        analyzer = Mutex(StreamAnalyzer(configuration: configuration))
    }

    /// Feeds every event waiting in the ring buffers to the engine; returns how many datagrams.
    @discardableResult
    func drain() -> Int {
        guard let capture else { return 0 }
        let codec = self.codec
        var rtpProcesses = Set<Int32>()
        // Consecutive datagrams mostly come from one process: no hashing for those.
        var lastRTPProcess: Int32?
        let delivered = analyzer.withLock { analyzer in
            // With thousands of streams, each datagram's stream state is prefetched while the next
            // few are read (its payload copied: the ring buffer reuses a record once delivered).
            let lookahead = IngestLookahead(analyzer: analyzer, copyingPayloadsUpTo: capture.maximumPayloadBytes)
            let delivered = capture.poll(timeoutMilliseconds: 0) { datagram in
                lookahead.ingest(datagram)
                if codec != nil, let pid = datagram.process?.pid, pid != lastRTPProcess {
                    rtpProcesses.insert(pid)
                    lastRTPProcess = pid
                }
            }
            lookahead.flush()
            // Live, every traced datagram is a packet read (a capture file counts its frames).
            analyzer.addSourceCounts(SourceCounts(packetsRead: UInt64(delivered)))
            // Codec records first, then the stalls they may explain.
            var horizon = Nanoseconds.max
            if let codec { horizon = codec.drainCalls { analyzer.recordCodecCall($0) } }
            analyzer.classifyPendingStalls(codecHorizon: horizon)
            return delivered
        }
        rtpProcesses.forEach { codec?.noteRTPProcess($0) }
        return delivered
    }

    /// Runs `body` on the analyzer under the engine lock: how the `--interface` readers feed it
    /// (a bounded batch of frames per call: the lock is taken once per batch, not per packet).
    func withAnalyzer(_ body: (StreamAnalyzer) -> Void) {
        withoutActuallyEscaping(body) { body in
            // The body runs here, synchronously, under the lock, and keeps nothing of the analyzer:
            // the region checker cannot see that through a caller's closure.
            nonisolated(unsafe) let body = body
            analyzer.withLock { body($0) }
        }
    }

    /// Attaches codec probes to new processes and releases those that exited (blocking: ELF
    /// symbol lookups; call it from the capture loop, not under the engine lock).
    func refreshCodecProbes() {
        guard let codec else { return }
        codec.refresh()
        let alive = Set(codec.attachedPids)
        analyzer.withLock { $0.forgetCodecActivity(keeping: alive) }
    }

    /// Removes streams idle past `--stream-idle-timeout` (their series disappear with them).
    func evictIdleStreams() {
        let now = SystemClock.wallNow()
        analyzer.withLock { _ = $0.evictIdleStreams(now: now) }
    }

    /// `/calls`: every tracked call with its streams.
    func calls() -> CallsDocument {
        analyzer.withLock { $0.callsDocument() }
    }

    /// Every stream's report (`/streams`, the `--interval` table): built under the lock, all of them.
    func report() -> AnalysisReport {
        let now = SystemClock.wallNow()
        var report = analyzer.withLock { $0.report(codecCorrelationAt: now) }
        // Calls are served by /calls; /streams stays the stream report.
        report.calls = nil
        report.sip = nil
        return report
    }

    func close() {
        codec?.close()
        capture?.close()
    }

    /// A scrape's view: the engine lock is held only while `AnalyzerExport.take` copies figures and
    /// the selected streams (and the codec correlator, a copy-on-write value); reports, correlations,
    /// sums and the kernel-side statistics are read after.
    func snapshot() -> ExporterSnapshot {
        let now = SystemClock.wallNow()
        let (health, codecSeries) = monitorHealth(now: now)
        let mode = streamMetrics
        let clock = ContinuousClock()
        return aggregator.withLock { aggregator in
            var held = Duration.zero
            let (taken, correlator, callCounters) = analyzer.withLock { analyzer in
                let start = clock.now
                let taken = AnalyzerExport.take(from: analyzer, mode: mode)
                let correlator = analyzer.codecCorrelator
                let callCounters = analyzer.calls.processCounters
                held = clock.now - start
                return (taken, correlator, callCounters)
            }
            let streams = taken.exportedStreams { correlator.correlation(of: $0, now: now) }
            var health = health
            health.streamsEvicted = taken.evictedStreams
            let (seconds, attoseconds) = held.components
            var snapshot = ExporterSnapshot(
                streams: streams, trackedStreamCount: taken.figures.count, streamMetrics: mode,
                aggregates: aggregator.aggregate(taken.figures), rtcp: taken.rtcpReporters, health: health,
                codec: codecSeries, discardedDatagrams: taken.discardedDatagrams,
                lockHoldSeconds: Double(seconds) + Double(attoseconds) / 1e18,
                report: { [self] in self.report() })
            snapshot.callCounters = callCounters.sorted { $0.key < $1.key }.map {
                ExportedCallCounters(pid: $0.key.pid, comm: $0.key.comm, counters: $0.value)
            }
            return snapshot
        }
    }

    /// The kernel side's and the codec probes' state (read from maps and the loader, no engine lock).
    private func monitorHealth(now: Nanoseconds) -> (MonitorHealth, [ExportedCodecSeries]) {
        var health = MonitorHealth()
        health.interfaces = interfaces?.current ?? []
        guard let capture else { return (health, []) }
        let statistics = capture.statistics()
        let eventsPerSecond = rate.withLock { $0.update(total: statistics.eventsTotal, at: now) }
        health = MonitorHealth(
            attachedPrograms: statistics.attachedPrograms,
            eventsBySyscall: Dictionary(uniqueKeysWithValues: statistics.eventsByHook.map { ($0.key.description, $0.value) }),
            eventsPerSecond: eventsPerSecond,
            ringbufDroppedEvents: statistics.ringBufferDrops,
            unreportedDatagrams: statistics.unreportedByReason,
            programStats: statistics.programs.filter { $0.runCount > 0 || $0.runTimeNanoseconds > 0 }.map {
                ProgramRunStats(name: $0.name, runTimeNanoseconds: $0.runTimeNanoseconds, runCount: $0.runCount)
            })
        health.malformedRecords = statistics.malformedRecords
        health.interfaces = interfaces?.current ?? []
        var codecSeries: [ExportedCodecSeries] = []
        if let codec {
            health.codecProbes = codec.health()
            health.programStats += codec.programRuns().filter { $0.runCount > 0 }
            codecSeries = codec.statistics().map { stats in
                ExportedCodecSeries(
                    pid: stats.pid, comm: stats.comm, function: stats.function.symbol,
                    library: stats.library,
                    calls: stats.calls, errors: stats.errors,
                    packetBytes: stats.function.takesPacket ? stats.packetBytes : nil,
                    duration: stats.function.isCountOnly ? nil : ExportedCodecSeries.histogram(
                        log2NanosecondBuckets: stats.buckets, sumNanoseconds: stats.durationSumNanoseconds),
                    untimedCalls: stats.function.isCountOnly ? nil : stats.untimedCalls)
            }
        }
        return (health, codecSeries)
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

/// Serves snapshots to the HTTP server.
struct LiveSnapshotProvider: ExporterSnapshotProvider {
    let engine: LiveEngine

    func snapshot() async -> ExporterSnapshot { engine.snapshot() }

    func calls() async -> CallsDocument { engine.calls() }
}
