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
    private let codec: CodecProbeManager?
    private let state: Mutex<EngineState>
    private let rate = Mutex(EventRate())

    /// The analyzer and the codec ↔ network correlation, behind one lock.
    final class EngineState {
        let analyzer: StreamAnalyzer
        var activity = CodecActivity()
        var classifier = StallClassifier()

        init(analyzer: StreamAnalyzer) { self.analyzer = analyzer }
    }

    init(capture: LiveCapture, configuration: AnalyzerConfiguration, codec: CodecProbeManager? = nil) {
        self.capture = capture
        self.codec = codec?.isEnabled == true ? codec : nil
        state = Mutex(EngineState(analyzer: StreamAnalyzer(configuration: configuration)))
    }

    /// Feeds every event waiting in the ring buffers to the engine; returns how many datagrams.
    @discardableResult
    func drain() -> Int {
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

    func report() -> AnalysisReport {
        state.withLock { state in
            var report = state.analyzer.report()
            let correlations = Self.correlations(state.analyzer.streamSnapshots(), state.activity, now: WallClock.nowNanoseconds())
            for index in report.streams.indices {
                report.streams[index].codecCorrelation = correlations[Self.identity(report.streams[index])]
            }
            return report
        }
    }

    func close() {
        codec?.close()
        capture.close()
    }

    func snapshot() -> ExporterSnapshot {
        let now = WallClock.nowNanoseconds()
        let (snapshots, lockedReport, evicted, correlations, callCounters) = state.withLock { state in
            let snapshots = state.analyzer.streamSnapshots()
            return (snapshots, state.analyzer.report(), state.analyzer.evictedStreams,
                    Self.correlations(snapshots, state.activity, now: now), state.analyzer.calls.processCounters)
        }
        let statistics = capture.statistics()
        let eventsPerSecond = rate.withLock { $0.update(total: statistics.eventsTotal, at: now) }
        var report = lockedReport
        // Calls are served by /calls; /streams stays the stream report.
        report.calls = nil
        report.sip = nil
        for index in report.streams.indices {
            report.streams[index].codecCorrelation = correlations[Self.identity(report.streams[index])]
        }
        let streams = snapshots.map { snapshot in
            var streamReport = snapshot.report
            streamReport.codecCorrelation = correlations[Self.identity(streamReport)]
            let (local, remote) = ProcessSide.endpoints(src: streamReport.src, dst: streamReport.dst,
                                                        direction: streamReport.direction)
            return ExportedStream(report: streamReport, local: local, remote: remote,
                                  intervalHistogram: ExportedHistogram(snapshot.intervalHistogram))
        }
        let rtcp = report.rtcp.map { reporter in
            let (local, remote) = ProcessSide.endpoints(src: reporter.src, dst: reporter.dst, direction: reporter.direction)
            return ExportedRTCPReporter(report: reporter, local: local, remote: remote)
        }
        var health = MonitorHealth(
            attachedPrograms: statistics.attachedPrograms,
            eventsBySyscall: Dictionary(uniqueKeysWithValues: statistics.eventsByHook.map { ($0.key.description, $0.value) }),
            eventsPerSecond: eventsPerSecond,
            ringbufDroppedEvents: statistics.ringBufferDrops,
            unreportedDatagrams: statistics.unreportedByReason,
            programStats: statistics.programs.filter { $0.runCount > 0 || $0.runTimeNanoseconds > 0 }.map {
                ProgramRunStats(name: $0.name, runTimeNanoseconds: $0.runTimeNanoseconds, runCount: $0.runCount)
            },
            streamsEvicted: evicted)
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
        var snapshot = ExporterSnapshot(streams: streams, rtcp: rtcp, health: health, report: report, codec: codecSeries)
        snapshot.callCounters = callCounters.sorted { $0.key < $1.key }.map {
            ExportedCallCounters(pid: $0.key.pid, comm: $0.key.comm, counters: $0.value)
        }
        return snapshot
    }

    /// A stream's identity across a report and a snapshot taken under the same lock.
    private static func identity(_ report: StreamReport) -> String {
        "\(report.pid ?? -1)|\(report.src)|\(report.dst)|\(report.ssrc)|\(report.direction?.rawValue ?? "")"
    }

    /// Pearson's r per probed function for every outgoing stream of a probed process.
    private static func correlations(_ snapshots: [StreamSnapshot], _ activity: CodecActivity,
                                     now: Nanoseconds) -> [String: [String: Double]] {
        var result: [String: [String: Double]] = [:]
        for snapshot in snapshots {
            guard let pacing = snapshot.pacing, let pid = snapshot.key.pid, activity.hasActivity(pid: pid) else { continue }
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
            if !byFunction.isEmpty { result[identity(snapshot.report)] = byFunction }
        }
        return result
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

    func calls() async -> CallsDocument { engine.calls() }
}
