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
    /// only text held; the test keeps them only to hand the whole to promtool). The work runs on its
    /// own thread; the expectations are checked back in the test's task, where they are attributed.
    @Test func tenThousandStreamsRenderInBoundedChunksAndPromtoolAcceptsThem() async throws {
        let count = 10_000
        let (pieceSizes, largest, elapsed, text) = try await onOwnThread {
            let snapshot = Self.snapshot(streams: Self.syntheticStreams(count))
            let chunks = ExpositionChunks(families: Fixtures.renderer().families(snapshot), chunkSize: MetricsRenderer.chunkSize)
            var pieces: [[UInt8]] = []
            let elapsed = ContinuousClock().measure {
                while let chunk = chunks.next() { pieces.append(chunk) }
            }
            var whole: [UInt8] = []
            whole.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
            for piece in pieces { whole.append(contentsOf: piece) }  // (joined() is byte by byte in a debug build)
            return (pieces.map(\.count), chunks.largestChunk, elapsed, String(decoding: whole, as: UTF8.self))
        }
        let total = pieceSizes.reduce(0, +)
        print("render /metrics, \(count) streams (all): \(total) bytes in \(pieceSizes.count) chunks of at most \(largest) bytes, \(elapsed) (debug build; make bench has release figures)")
        // Each piece is at most the chunk size plus one series (a histogram: 14 lines of ~200 bytes).
        #expect(largest <= MetricsRenderer.chunkSize + 8 * 1024)
        #expect(pieceSizes.allSatisfy { $0 > 0 && $0 <= largest })
        #expect(pieceSizes.count > 100)

        let (packetLines, bucketLines, promtool, checked) = try await onOwnThread {
            let start = ContinuousClock.now
            let promtool = try PromtoolCheck.run(text)
            return (Self.lines(in: text, startingWith: "rtpscope_rtp_packets_total{"),
                    Self.lines(in: text, startingWith: "rtpscope_rtp_packet_interval_seconds_bucket{"),
                    promtool, ContinuousClock.now - start)
        }
        print("promtool check metrics on it: \(checked)")
        #expect(packetLines == count)
        #expect(bucketLines == count * (IntervalHistogram.bounds.count + 1))
        #expect(promtool.exitCode == 0, "\(promtool.output.prefix(2000))")
        #expect(promtool.output == "")
    }

    /// Lines of `text` that start with `prefix`, counted over bytes (String's own splitting works on
    /// grapheme clusters, minutes for 57 MB in a debug build).
    static func lines(in text: String, startingWith prefix: String) -> Int {
        var text = text
        let prefix = Array(prefix.utf8)
        return text.withUTF8 { bytes in
            var count = 0
            var lineStart = 0
            while lineStart < bytes.count {
                let rest = bytes.count - lineStart
                if rest >= prefix.count, memcmp(bytes.baseAddress! + lineStart, prefix, prefix.count) == 0 { count += 1 }
                guard let newline = memchr(bytes.baseAddress! + lineStart, 0x0A, rest) else { break }
                lineStart = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
            }
            return count
        }
    }

    @Test func snapshotLockHoldAtTenThousandStreams() async throws {
        let results = try await onOwnThread {
            let generated = GeneratedStreams(count: 10_000, packetsPerStream: 3)
            let clock = ContinuousClock()
            return [StreamMetricsMode.default, .all, .none].map { mode in
                var taken: AnalyzerExport?
                let held = clock.measure { taken = AnalyzerExport.take(from: generated.analyzer, mode: mode) }
                // Reports for `all` take seconds in a debug build; the release figure is in make bench.
                var streams: [ExportedStream] = []
                let build = mode == .all ? .zero : clock.measure { streams = taken!.exportedStreams() }
                return (mode, held, build, taken!.figures.count, mode == .all ? taken!.selected.count : streams.count)
            }
        }
        for (mode, held, build, tracked, exported) in results {
            print("snapshot, 10,000 streams, --stream-metrics \(mode): lock held \(held), reports after the lock \(build) (debug build)")
            #expect(tracked == 10_000)
            #expect(exported == (mode == .all ? 10_000 : mode == .none ? 0 : 1000))
        }
    }
}
