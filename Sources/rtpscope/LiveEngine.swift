import Exporter
import Foundation
import LiveSource
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
    private let state: Mutex<EngineState>
    private let rate = Mutex(EventRate())
    private let streamMetrics: StreamMetricsMode
    /// The per-process and per-peer sums' memory of ended streams. Its lock is taken before the
    /// engine's, so scrapes update it in the order they read the engine.
    private let aggregator = Mutex(StreamAggregator())

    /// The analyzer and the codec ↔ network correlation, behind one lock.
    final class EngineState {
        let analyzer: StreamAnalyzer
        var activity = CodecActivity()
        var classifier = StallClassifier()

        init(analyzer: StreamAnalyzer) { self.analyzer = analyzer }
    }

    init(capture: LiveCapture?, configuration: AnalyzerConfiguration, codec: CodecProbeManager? = nil,
         streamMetrics: StreamMetricsMode = .default, interfaces: InterfaceStatisticsBoard? = nil) {
        self.capture = capture
        self.interfaces = interfaces
        self.streamMetrics = streamMetrics
        self.codec = codec?.isEnabled == true ? codec : nil
        state = Mutex(EngineState(analyzer: StreamAnalyzer(configuration: configuration)))
    }

    /// Feeds every event waiting in the ring buffers to the engine; returns how many datagrams.
    @discardableResult
    func drain() -> Int {
        guard let capture else { return 0 }
        let codec = self.codec
        var rtpProcesses = Set<Int32>()
        let delivered = state.withLock { state in
            let analyzer = state.analyzer
            let delivered = capture.poll(timeoutMilliseconds: 0) { datagram in
                analyzer.ingest(datagram)
                if codec != nil, let pid = datagram.process?.pid { rtpProcesses.insert(pid) }
            }
            // Live, every traced datagram is a "packet read" (the capture source's count offline).
            analyzer.summary.packetsRead &+= UInt64(delivered)
            classifyStalls(&state)
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
            state.withLock { body($0.analyzer) }
        }
    }

    /// Codec records first, then the stalls they may explain (see `StallClassifier`).
    private func classifyStalls(_ state: inout EngineState) {
        var horizon = Nanoseconds.max
        if let codec {
            horizon = codec.drainCalls { [state] call in state.activity.record(call) }
        }
        state.classifier.enqueue(state.analyzer.takeSendStalls())
        guard state.classifier.pendingCount > 0 else { return }
        for decided in state.classifier.classify(activity: state.activity, codecHorizon: horizon) {
            state.analyzer.recordStallCause(decided.cause, for: decided.key)
        }
    }

    /// Attaches codec probes to new processes and releases those that exited (blocking: ELF
    /// symbol lookups; call it from the capture loop, not under the engine lock).
    func refreshCodecProbes() {
        guard let codec else { return }
        codec.refresh()
        let alive = Set(codec.attachedPids)
        state.withLock { state in
            for pid in Set(state.activity.processes).subtracting(alive) { state.activity.forget(pid: pid) }
        }
    }

    /// Removes streams idle past `--stream-idle-timeout` (their series disappear with them).
    func evictIdleStreams() {
        let now = WallClock.nowNanoseconds()
        state.withLock { _ = $0.analyzer.evictIdleStreams(now: now) }
    }

    /// `/calls`: every tracked call with its streams.
    func calls() -> CallsDocument {
        state.withLock { $0.analyzer.callsDocument() }
    }

    /// Every stream's report (`/streams`, the `--interval` table): built under the lock, all of them.
    func report() -> AnalysisReport {
        let now = WallClock.nowNanoseconds()
        return state.withLock { state in
            var report = state.analyzer.report()
            // Calls are served by /calls; /streams stays the stream report.
            report.calls = nil
            report.sip = nil
            var correlations: [String: [String: Double]] = [:]
            for snapshot in state.analyzer.streamSnapshots() {
                if let byFunction = Self.correlation(of: snapshot, state.activity, now: now) {
                    correlations[Self.identity(snapshot.report)] = byFunction
                }
            }
            for index in report.streams.indices {
                report.streams[index].codecCorrelation = correlations[Self.identity(report.streams[index])]
            }
            return report
        }
    }

    func close() {
        codec?.close()
        capture?.close()
    }

    /// A scrape's view: the engine lock is held only while `AnalyzerExport.take` copies figures and
    /// the selected streams (and the codec activity, a copy-on-write value); reports, correlations,
    /// sums and the kernel-side statistics are read after.
    func snapshot() -> ExporterSnapshot {
        let now = WallClock.nowNanoseconds()
        let (health, codecSeries) = monitorHealth(now: now)
        let mode = streamMetrics
        let clock = ContinuousClock()
        return aggregator.withLock { aggregator in
            var held = Duration.zero
            let (taken, activity, callCounters) = state.withLock { state in
                let start = clock.now
                let taken = AnalyzerExport.take(from: state.analyzer, mode: mode)
                let activity = state.activity
                let callCounters = state.analyzer.calls.processCounters
                held = clock.now - start
                return (taken, activity, callCounters)
            }
            let streams = taken.exportedStreams { Self.correlation(of: $0, activity, now: now) }
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
        health.interfaces = interfaces?.current ?? []
        var codecSeries: [ExportedCodecSeries] = []
        if let codec {
            let codecHealth = codec.health()
            health.codecProbes = CodecProbeStatus(
                attachedProcesses: codecHealth.attachedProcesses, attachedProbes: codecHealth.attachedProbes,
                droppedCallRecords: codecHealth.callRecordDrops, attachFailures: codecHealth.attachFailures)
            health.programStats += codecHealth.programRuns.filter { $0.runCount > 0 }.map {
                ProgramRunStats(name: $0.name, runTimeNanoseconds: $0.runTimeNanoseconds, runCount: $0.runCount)
            }
            codecSeries = codec.statistics().map { stats in
                ExportedCodecSeries(
                    pid: stats.pid, comm: stats.comm, function: stats.function.symbol,
                    library: stats.library,
                    calls: stats.calls, errors: stats.errors,
                    packetBytes: stats.function.takesPacket ? stats.packetBytes : nil,
                    duration: stats.function.isCountOnly ? nil : ExportedCodecSeries.histogram(
                        log2NanosecondBuckets: stats.buckets, sumNanoseconds: stats.durationSumNanoseconds))
            }
        }
        return (health, codecSeries)
    }

    /// A stream's identity across a report and a snapshot taken under the same lock.
    private static func identity(_ report: StreamReport) -> String {
        "\(report.pid ?? -1)|\(report.src)|\(report.dst)|\(report.ssrc)|\(report.direction?.rawValue ?? "")"
    }

    /// Pearson's r per probed function, for an outgoing stream of a probed process (nil otherwise).
    private static func correlation(of snapshot: StreamSnapshot, _ activity: CodecActivity,
                                    now: Nanoseconds) -> [String: Double]? {
        guard let pacing = snapshot.pacing, let pid = snapshot.key.pid, activity.hasActivity(pid: pid) else { return nil }
        var byFunction: [String: Double] = [:]
        let floor = pacing.expectedInterval.map {
            Double($0) / 1e9 * CodecNetworkCorrelation.floorShareOfExpectedInterval
        } ?? 0
        for function in activity.functions(pid: pid) {
            guard let latency = activity.worstLatency(pid: pid, function: function),
                  let name = CodecFunction(rawValue: function)?.symbol,
                  let r = CodecNetworkCorrelation.coefficient(
                      sendIntervals: pacing.worstInterval, codecLatency: latency, now: now,
                      latencyFloor: floor) else { continue }
            byFunction[name] = r
        }
        return byFunction.isEmpty ? nil : byFunction
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

    func calls() async -> CallsDocument { engine.calls() }
}
