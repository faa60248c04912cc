import Foundation
import MetricCatalog
import RTPCore
import Testing
@testable import Exporter

/// /metrics at the scale of a busy host: the text is rendered in bounded pieces, and what a scrape
/// costs is printed (timings in a debug test build are slower than `make bench`'s release figures;
/// they are printed, never asserted).
@Suite struct ExpositionScaleTests {
    /// `count` distinct streams with every family populated (clock known, loss, stalls on sent ones).
    static func syntheticStreams(_ count: Int) -> [ExportedStream] {
        (0..<count).map { index in
            var stream = Fixtures.audioStream
            stream.report.ssrc = UInt32(index)
            stream.report.pid = Int32(1000 + index % 50)
            stream.report.packets = UInt64(1000 + index)
            stream.report.lost = Int64(index % 7)
            stream.remote = "10.2.\(index / 250 % 250).\(index % 250):\(10_000 + index % 50_000)"
            stream.intervalHistogram = ExportedHistogram(IntervalHistogram())
            return stream
        }
    }

    static func snapshot(streams: [ExportedStream]) -> ExporterSnapshot {
        ExporterSnapshot(streams: streams, rtcp: [], health: Fixtures.health,
                         report: AnalysisReport(streams: [], rtcp: [], summary: AnalysisSummary()))
    }

    @Test func chunksConcatenateToTheSameTextAtAnyChunkSize() {
        let snapshot = Self.snapshot(streams: Self.syntheticStreams(40))
        let renderer = Fixtures.renderer()
        let whole = renderer.render(snapshot)
        for size in [1, 100, 4096] {
            let chunks = ExpositionChunks(families: renderer.families(snapshot), chunkSize: size)
            var bytes: [UInt8] = []
            while let chunk = chunks.next() {
                #expect(!chunk.isEmpty)
                bytes += chunk
            }
            #expect(String(decoding: bytes, as: UTF8.self) == whole, "chunk size \(size)")
        }
    }

    /// Every stream exported at 10,000 streams: ~57 MB, rendered ~64 KiB at a time (a chunk is the
    /// only text held; the test keeps them only to hand the whole to promtool).
    @Test func tenThousandStreamsRenderInBoundedChunksAndPromtoolAcceptsThem() throws {
        let count = 10_000
        let snapshot = Self.snapshot(streams: Self.syntheticStreams(count))
        let chunks = ExpositionChunks(families: Fixtures.renderer().families(snapshot), chunkSize: MetricsRenderer.chunkSize)
        var pieces: [[UInt8]] = []
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            while let chunk = chunks.next() { pieces.append(chunk) }
        }
        let total = pieces.reduce(0) { $0 + $1.count }
        print("render /metrics, \(count) streams (all): \(total) bytes in \(pieces.count) chunks of at most \(chunks.largestChunk) bytes, \(elapsed) (debug build; make bench has release figures)")
        // Each piece is at most the chunk size plus one series (a histogram: 14 lines of ~200 bytes).
        #expect(chunks.largestChunk <= MetricsRenderer.chunkSize + 8 * 1024)
        #expect(pieces.count >= total / (MetricsRenderer.chunkSize + 8 * 1024))
        #expect(pieces.count > 100)

        let text = String(decoding: pieces.joined(), as: UTF8.self)
        pieces = []
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_packets_total{") }.count == count)
        #expect(lines.filter { $0.hasPrefix("rtpscope_rtp_packet_interval_seconds_bucket{") }.count
            == count * (IntervalHistogram.bounds.count + 1))
        let result = try PromtoolCheck.run(text)
        #expect(result.exitCode == 0, "\(result.output.prefix(2000))")
        #expect(result.output == "")
    }

    @Test func snapshotLockHoldAtTenThousandStreams() {
        let generated = GeneratedStreams(count: 10_000, packetsPerStream: 3)
        let clock = ContinuousClock()
        for mode in [StreamMetricsMode.default, .all, .none] {
            var taken: AnalyzerExport?
            let held = clock.measure { taken = AnalyzerExport.take(from: generated.analyzer, mode: mode) }
            let start = clock.now
            let streams = taken!.exportedStreams()
            let build = clock.now - start
            print("snapshot, 10,000 streams, --stream-metrics \(mode): lock held \(held), reports after the lock \(build) (debug build)")
            #expect(taken!.figures.count == 10_000)
            #expect(streams.count == (mode == .all ? 10_000 : mode == .none ? 0 : 1000))
        }
    }
}
