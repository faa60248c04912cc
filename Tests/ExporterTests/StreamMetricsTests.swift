import Foundation
import MetricCatalog
import RTPCore
import Testing
@testable import Exporter

/// `--stream-metrics`: which streams get series, what /health and /metrics say about the others, and
/// the per-process and per-peer sums, checked against the generator's own counts.
@Suite struct StreamMetricsTests {
    static let count = 300

    @Test(arguments: ["all", "none", "top:1", "top:25", "top:1000"])
    func modeParsesAndPrints(text: String) throws {
        let mode = try #require(StreamMetricsMode(streamMetrics: text))
        #expect(mode.description == text)
    }

    @Test(arguments: ["", "top", "top:", "top:0", "top:-3", "top:x", "ALL", "some"])
    func badModesAreRefused(text: String) {
        #expect(StreamMetricsMode(streamMetrics: text) == nil)
    }

    @Test func topStreamsAreTheMostLostThenTheMostPacketsThenTheOldest() {
        let generated = GeneratedStreams(count: Self.count)
        let taken = AnalyzerExport.take(from: generated.analyzer, mode: .top(25))
        // The generator's truth, ranked: more lost, more delivered, then the older (lower index).
        let expected = generated.truths.sorted {
            ($0.lost, $0.delivered, -$0.index) > ($1.lost, $1.delivered, -$1.index)
        }.prefix(25).map(\.key.ssrc)
        #expect(taken.selected.map(\.key.ssrc) == Array(expected))
        #expect(taken.figures.count == Self.count)
        // The top stream lost 3 (the generator's largest drop) and had the most packets among those.
        #expect(generated.truths.first { $0.key.ssrc == expected[0] }?.lost == 3)
    }

    @Test func metricsAndHealthSayHowManyWereLeftOut() throws {
        let generated = GeneratedStreams(count: Self.count)
        let snapshot = Self.snapshot(generated, mode: .top(25))
        let health = HealthDocument(snapshot)
        #expect(health.streams == Self.count)
        #expect(health.streamsExported == 25)
        #expect(health.streamsLeftOut == Self.count - 25)
        #expect(health.streamMetrics == "top:25")

        let text = Fixtures.renderer().render(snapshot)
        let lines = text.split(separator: "\n")
        #expect(lines.contains("rtpscope_streams \(Self.count)"))
        #expect(lines.contains("rtpscope_streams_exported 25"))
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_packets_total{") }.count == 25)
        let result = try PromtoolCheck.run(text)
        #expect(result.exitCode == 0, "\(result.output)")
        #expect(result.output == "")
    }

    @Test func noneExportsAggregatesOnly() throws {
        let generated = GeneratedStreams(count: Self.count)
        let text = Fixtures.renderer().render(Self.snapshot(generated, mode: .none))
        #expect(!text.contains("rtpscope_rtp_packets_total"))
        #expect(text.contains("rtpscope_process_rtp_packets_total{"))
        #expect(text.contains("rtpscope_peer_rtp_packets_total{"))
        #expect(text.contains("rtpscope_streams_exported 0\n"))
        let result = try PromtoolCheck.run(text)
        #expect(result.exitCode == 0, "\(result.output)")
    }

    @Test(arguments: [StreamMetricsMode.all, .top(10), .none])
    func aggregatesAreTheSumsOverEveryStreamWhateverTheMode(mode: StreamMetricsMode) {
        let generated = GeneratedStreams(count: Self.count)
        let taken = AnalyzerExport.take(from: generated.analyzer, mode: mode)
        var aggregator = StreamAggregator()
        let aggregates = aggregator.aggregate(taken.figures)
        let truth = Self.independentSums(generated)
        #expect(aggregates.processes.count == truth.processes.count)
        #expect(aggregates.peers.count == truth.peers.count)
        for (group, expected) in truth.processes {
            let actual = aggregates.processes[group]
            #expect(actual?.packets == expected.packets, "\(group)")
            #expect(actual?.expected == expected.expected, "\(group)")
            #expect(actual?.lost == expected.lost, "\(group)")
            #expect(actual?.streams == expected.streams, "\(group)")
            #expect(actual?.jitter.bucketCounts == expected.jitterBuckets, "\(group)")
            #expect(actual?.jitter.count == expected.jitterCount, "\(group)")
        }
        for (group, expected) in truth.peers {
            let actual = aggregates.peers[group]
            #expect(actual?.packets == expected.packets, "\(group)")
            #expect(actual?.lost == expected.lost, "\(group)")
            #expect(actual?.streams == expected.streams, "\(group)")
        }
        // Every packet the generator delivered is in exactly one process sum and one peer sum.
        let delivered = generated.truths.reduce(UInt64(0)) { $0 + $1.delivered }
        #expect(aggregates.processes.values.reduce(UInt64(0)) { $0 + $1.packets } == delivered)
        #expect(aggregates.peers.values.reduce(UInt64(0)) { $0 + $1.packets } == delivered)
    }

    @Test func endedStreamsStayInTheCountersAndAGroupLeavesWithItsLastStream() {
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = 10_000_000_000
        let generated = GeneratedStreams(count: 40, processes: 4, peers: 40, configuration: configuration)
        var aggregator = StreamAggregator()
        let before = aggregator.aggregate(AnalyzerExport.take(from: generated.analyzer, mode: .none).figures)
        // 60 s later every stream is idle: all end, and so do their groups.
        let lastPacket = GeneratedStreams.base + 40 * 1_000_000 + 30 * 20_000_000
        // Keep one stream alive: a packet for the first stream of process 100, 1 s before eviction.
        let keep = generated.truths[0]
        Self.sendOne(to: generated.analyzer, keep, sequence: 1000 + 40, at: lastPacket + 59_000_000_000)
        #expect(generated.analyzer.evictIdleStreams(now: lastPacket + 60_000_000_000) == 39)
        let after = aggregator.aggregate(AnalyzerExport.take(from: generated.analyzer, mode: .none).figures)

        let process = ProcessGroup(pid: keep.key.pid, comm: keep.comm, direction: keep.key.direction)
        // The process's counter kept the packets of its ended streams (plus the new one's): no reset.
        #expect(after.processes[process]!.packets == before.processes[process]!.packets + 1)
        #expect(after.processes[process]!.streams == 1)
        #expect(after.processes.count == 1)
        // The peer of the surviving stream stays; the others left with their last stream.
        #expect(after.peers.count == 1)
        #expect(after.peers[PeerGroup(remote: keep.peer, direction: keep.key.direction)]?.packets == keep.delivered + 1)
    }

    @Test func aStreamReplacedUnderTheSameKeyAddsUp() {
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = 10_000_000_000
        // Stream 0 is sent (10 packets), stream 1 received (9: the generator drops one).
        let generated = GeneratedStreams(count: 2, processes: 1, peers: 1, packetsPerStream: 10, configuration: configuration)
        var aggregator = StreamAggregator()
        let first = aggregator.aggregate(AnalyzerExport.take(from: generated.analyzer, mode: .all).figures)
        let (ended, alive) = (generated.truths[0], generated.truths[1])
        let end = GeneratedStreams.base + 2 * 1_000_000 + 10 * 20_000_000
        Self.sendOne(to: generated.analyzer, alive, sequence: 1010, at: end + 55_000_000_000)
        #expect(generated.analyzer.evictIdleStreams(now: end + 60_000_000_000) == 1)
        // Between two scrapes the same key comes back as a new stream (two packets to confirm it).
        Self.sendOne(to: generated.analyzer, ended, sequence: 5000, at: end + 61_000_000_000)
        Self.sendOne(to: generated.analyzer, ended, sequence: 5001, at: end + 61_020_000_000)
        let second = aggregator.aggregate(AnalyzerExport.take(from: generated.analyzer, mode: .all).figures)
        let endedGroup = ProcessGroup(pid: ended.key.pid, comm: ended.comm, direction: ended.key.direction)
        let aliveGroup = ProcessGroup(pid: alive.key.pid, comm: alive.comm, direction: alive.key.direction)
        #expect(first.processes[endedGroup]?.packets == ended.delivered)
        #expect(second.processes[endedGroup]?.packets == ended.delivered + 2)
        #expect(second.processes[endedGroup]?.streams == 1)
        #expect(second.processes[aliveGroup]?.packets == alive.delivered + 1)
    }

    // MARK: - Helpers

    static func snapshot(_ generated: GeneratedStreams, mode: StreamMetricsMode) -> ExporterSnapshot {
        let taken = AnalyzerExport.take(from: generated.analyzer, mode: mode)
        var aggregator = StreamAggregator()
        return ExporterSnapshot(
            streams: taken.exportedStreams(), trackedStreamCount: taken.figures.count, streamMetrics: mode,
            aggregates: aggregator.aggregate(taken.figures), rtcp: taken.rtcpReporters, health: MonitorHealth(),
            discardedDatagrams: taken.discardedDatagrams, report: { [report = generated.analyzer.report()] in report })
    }

    static func sendOne(to analyzer: StreamAnalyzer, _ stream: GeneratedStreams.Truth, sequence: UInt16,
                        at time: Nanoseconds) {
        var bytes: [UInt8] = [0x80, 0, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0, 0]
        let ssrc = stream.key.ssrc
        bytes += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
        bytes += [UInt8](repeating: 0xD5, count: 160)
        bytes.withUnsafeBytes { payload in
            analyzer.ingest(Datagram(time: time, transport: .udp, source: stream.key.source,
                                     destination: stream.key.destination, payload: payload,
                                     process: ProcessContext(pid: stream.key.pid!, comm: stream.comm,
                                                             direction: stream.key.direction!)))
        }
    }

    struct Sums {
        var packets: UInt64 = 0
        var expected: Int64 = 0
        var lost: Int64 = 0
        var streams = 0
        var jitterBuckets = [UInt64](repeating: 0, count: MetricCatalog.streamJitterBounds.count)
        var jitterCount: UInt64 = 0
    }

    /// Packets, expected and lost from the generator; jitter from each stream's own report (the
    /// analyzer's RFC 3550 value, bucketed here).
    static func independentSums(_ generated: GeneratedStreams)
        -> (processes: [ProcessGroup: Sums], peers: [PeerGroup: Sums]) {
        let reports = Dictionary(generated.analyzer.report().streams.map { ($0.ssrc, $0) }, uniquingKeysWith: { a, _ in a })
        var processes: [ProcessGroup: Sums] = [:]
        var peers: [PeerGroup: Sums] = [:]
        for truth in generated.truths {
            let report = reports[truth.key.ssrc]
            func add(_ sums: inout Sums) {
                sums.packets += truth.delivered
                sums.expected += truth.expected
                sums.lost += truth.lost
                sums.streams += 1
                if let report, report.clockRateSource != .unknown, let jitter = report.jitterMs.map({ $0 / 1000 }) {
                    sums.jitterCount += 1
                    if let bucket = MetricCatalog.streamJitterBounds.firstIndex(where: { jitter <= $0 }) {
                        sums.jitterBuckets[bucket] += 1
                    }
                }
            }
            add(&processes[ProcessGroup(pid: truth.key.pid, comm: truth.comm, direction: truth.key.direction), default: Sums()])
            add(&peers[PeerGroup(remote: truth.peer, direction: truth.key.direction), default: Sums()])
        }
        return (processes, peers)
    }
}
