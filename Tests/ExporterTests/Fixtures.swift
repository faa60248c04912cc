@testable import Exporter
import MetricCatalog
import RTPCore

/// Snapshots with hand-picked values whose exposition can be written out exactly.
enum Fixtures {
    /// An IPv4 G.711 stream received by `baresip`, clock known (static PT 0).
    static let audioStream = ExportedStream(
        report: StreamReport(
            ssrc: 0x1234_ABCD, src: "10.0.0.2:40000", dst: "10.0.0.1:5004", payloadType: 0,
            clockRate: 8000, clockRateSource: .static, packets: 1000, bytes: 172_000, expected: 1002, lost: 2,
            duplicates: 1, reordered: 3, seqResets: 0, jitterMs: 2.5, maxJitterMs: 20, meanJitterMs: 1,
            minDeltaMs: 18, meanDeltaMs: 20, maxDeltaMs: 60, startTime: 1_700_000_000, endTime: 1_700_000_020,
            pid: 4242, comm: "baresip", direction: .received),
        local: "10.0.0.1:5004", remote: "10.0.0.2:40000",
        intervalHistogram: ExportedHistogram(upperBounds: [0.01, 0.02, 0.05], bucketCounts: [100, 850, 40],
                                             sum: 19.5, count: 999))

    /// An IPv6 H.264 stream (dynamic PT 96) sent by `ffmpeg`, clock unknown: no jitter series.
    static let videoStream = ExportedStream(
        report: StreamReport(
            ssrc: 0xDEAD_BEEF, src: "[2001:db8::1]:6000", dst: "[2001:db8::2]:6002", payloadType: 96,
            clockRate: nil, clockRateSource: .unknown, packets: 10, bytes: 12_000, expected: 10, lost: 0,
            duplicates: 0, reordered: 0, seqResets: 1, jitterMs: nil, maxJitterMs: nil, meanJitterMs: nil,
            minDeltaMs: nil, meanDeltaMs: nil, maxDeltaMs: nil, startTime: 1_700_000_000, endTime: 1_700_000_001,
            pid: 77, comm: "ffmpeg", direction: .sent),
        local: "[2001:db8::1]:6000", remote: "[2001:db8::2]:6002",
        intervalHistogram: .empty)

    static let reporter = ExportedRTCPReporter(
        report: RTCPReporterReport(
            reporterSSRC: 0xCAFE, src: "10.0.0.2:40001", dst: "10.0.0.1:5005", senderReports: 4,
            receiverReports: 2, packetsByType: ["sr": 4, "rr": 2], cname: "peer@example",
            reportBlocks: [
                RTCPReportBlockReport(sourceSSRC: 0xDEAD_BEEF, fractionLost: 0, cumulativeLost: 7,
                                      highestSequence: 100, jitterTimestampUnits: 12, jitterMs: nil,
                                      lastSR: 0, delaySinceLastSR: 0, roundTripMs: nil),
                RTCPReportBlockReport(sourceSSRC: 0x1234_ABCD, fractionLost: 0.25, cumulativeLost: -1,
                                      highestSequence: 1001, jitterTimestampUnits: 24, jitterMs: 3,
                                      lastSR: 1, delaySinceLastSR: 2, roundTripMs: 45),
            ],
            pid: 4242, comm: "baresip", direction: .received),
        local: "10.0.0.1:5005", remote: "10.0.0.2:40001")

    static let health = MonitorHealth(
        attachedPrograms: ["tp_exit_sendmmsg", "tp_exit_recvmmsg"],
        eventsBySyscall: ["sendmmsg": 100, "recvmmsg": 900],
        eventsPerSecond: 50.5, ringbufDroppedEvents: 3,
        programStats: [
            ProgramRunStats(name: "tp_exit_sendmmsg", runTimeNanoseconds: 250_000, runCount: 100),
            ProgramRunStats(name: "tp_exit_recvmmsg", runTimeNanoseconds: 1_500_000_000, runCount: 900),
        ],
        streamsEvicted: 2)

    static func snapshot(streams: [ExportedStream] = [audioStream, videoStream],
                         rtcp: [ExportedRTCPReporter] = [reporter],
                         health: MonitorHealth = health) -> ExporterSnapshot {
        ExporterSnapshot(streams: streams, rtcp: rtcp, health: health,
                         report: AnalysisReport(streams: streams.map(\.report), rtcp: rtcp.map(\.report),
                                                summary: AnalysisSummary()))
    }

    /// Fixed `process_*` values (the real ones change from scrape to scrape).
    static let processStatistics = ProcessStatistics(
        cpuSeconds: 1.5, openFileDescriptors: 12, maxFileDescriptors: 1024, virtualMemoryBytes: 300_000_000,
        virtualMemoryMaxBytes: Double(UInt64.max), residentMemoryBytes: 50_000_000, startTimeSeconds: 1_700_000_000.25)

    static func renderer() -> MetricsRenderer {
        MetricsRenderer(processMetrics: ProcessMetrics(
            buildInfo: BuildInfo(version: "0.3.0", revision: "abc123", swiftVersion: "6.3.1"),
            processStatistics: { processStatistics }))
    }
}

/// Serves a fixed snapshot.
struct FixedSnapshotProvider: ExporterSnapshotProvider {
    let fixed: ExporterSnapshot
    func snapshot() async -> ExporterSnapshot { fixed }
}
