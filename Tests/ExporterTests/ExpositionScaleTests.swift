import Foundation
import MetricCatalog
import RTPCore
import Testing
@testable import Exporter

/// /metrics at the scale of a busy host: the text is rendered in bounded pieces, and what a scrape
/// costs is printed (timings are printed, never asserted; a debug test build is ~50× slower than
/// release). `RTPSCOPE_SCALE_STREAMS=10000,100000` sets the sizes (default 10,000), e.g. with
/// `swift test -c release -Xswiftc -enable-testing --filter ExpositionScaleTests`.
@Suite struct ExpositionScaleTests {
    static let sizes: [Int] = (ProcessInfo.processInfo.environment["RTPSCOPE_SCALE_STREAMS"] ?? "10000")
        .split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }

    /// `count` distinct streams with every family populated (clock known, loss; every other one sent,
    /// with send stalls).
    static func syntheticStreams(_ count: Int) -> [ExportedStream] {
        (0..<count).map { index in
            var stream = Fixtures.audioStream
            stream.report.ssrc = UInt32(index)
            stream.report.pid = Int32(1000 + index % 50)
            stream.report.packets = UInt64(1000 + index)
            stream.report.lost = Int64(index % 7)
            if index % 2 == 1 {
                stream.report.direction = .sent
                stream.report.sendStalls = SendStallCounts(codec: UInt64(index % 3), other: 1, pending: 0)
            }
            stream.remote = "10.2.\(index / 250 % 250).\(index % 250):\(10_000 + index % 50_000)"
            var intervals = IntervalHistogram()
            for step in 0..<(index % 20) { intervals.observe(seconds: 0.02 + Double(step) * 0.001) }
            stream.intervalHistogram = ExportedHistogram(intervals)
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

    /// Every stream exported at 10,000 streams: ~66 MB, rendered ~64 KiB at a time (a chunk is the
    /// only text held; the test keeps them only to hand the whole to promtool). The work runs on its
    /// own thread; the expectations are checked back in the test's task, where they are attributed.
    @Test(arguments: sizes)
    func everyStreamRendersInBoundedChunksAndPromtoolAcceptsThem(count: Int) async throws {
        let (pieceSizes, largest, elapsed, text) = try await onOwnThread {
            let snapshot = Self.snapshot(streams: Self.syntheticStreams(count))
            let chunks = ExpositionChunks(families: Fixtures.renderer().families(snapshot), chunkSize: MetricsRenderer.chunkSize)
            var pieces: [[UInt8]] = []
            let cpu = Self.threadCPUSeconds()
            let elapsed = ContinuousClock().measure {
                while let chunk = chunks.next() { pieces.append(chunk) }
            }
            print("render /metrics, \(count) streams (all): thread CPU \(Self.threadCPUSeconds() - cpu) s")
            var whole: [UInt8] = []
            whole.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
            for piece in pieces { whole.append(contentsOf: piece) }  // (joined() is byte by byte in a debug build)
            return (pieces.map(\.count), chunks.largestChunk, elapsed, String(decoding: whole, as: UTF8.self))
        }
        let total = pieceSizes.reduce(0, +)
        print("render /metrics, \(count) streams (all): \(total) bytes in \(pieceSizes.count) chunks of at most \(largest) bytes, \(elapsed)")
        // Each piece is at most the chunk size plus one series (a histogram: 14 lines of ~200 bytes).
        #expect(largest <= MetricsRenderer.chunkSize + 8 * 1024)
        #expect(pieceSizes.allSatisfy { $0 > 0 && $0 <= largest })
        #expect(pieceSizes.count >= total / (MetricsRenderer.chunkSize + 8 * 1024))

        let (packetLines, bucketLines, promtool, checked) = try await onOwnThread {
            let start = ContinuousClock.now
            // Beyond 10,000 streams (570 MB at 100,000) promtool takes minutes: lint the first 10,000.
            let promtool = count <= 10_000 ? try PromtoolCheck.run(text) : PromtoolCheck.Result(exitCode: 0, output: "")
            return (Self.lines(in: text, startingWith: "rtpscope_rtp_packets_total{"),
                    Self.lines(in: text, startingWith: "rtpscope_rtp_packet_interval_seconds_bucket{"),
                    promtool, ContinuousClock.now - start)
        }
        if count <= 10_000 { print("promtool check metrics on it: \(checked)") }
        #expect(packetLines == count)
        #expect(bucketLines == count * (IntervalHistogram.bounds.count + 1))
        #expect(promtool.exitCode == 0, "\(promtool.output.prefix(2000))")
        #expect(promtool.output == "")
    }

    /// Lines of `text` that start with `prefix`, counted over bytes (String's own splitting works on
    /// grapheme clusters, minutes for 66 MB in a debug build).
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

    /// CPU time of the calling thread: what the work costs, whatever else the machine runs.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    @Test(arguments: sizes)
    func snapshotLockHold(count: Int) async throws {
        let results = try await onOwnThread {
            let generated = GeneratedStreams(count: count, packetsPerStream: 3)
            let clock = ContinuousClock()
            return [StreamMetricsMode.default, .all, .none].map { mode in
                var taken: AnalyzerExport?
                let cpu = Self.threadCPUSeconds()
                let held = clock.measure { taken = AnalyzerExport.take(from: generated.analyzer, mode: mode) }
                let heldCPU = Self.threadCPUSeconds() - cpu
                var streams: [ExportedStream] = []
                #if DEBUG
                // Every report of every stream takes ~10 s in a debug build: measured in release only.
                if mode == .all { return (mode, held, heldCPU, Duration.zero, taken!.figures.count, taken!.selected.count) }
                #endif
                let build = clock.measure { streams = taken!.exportedStreams() }
                return (mode, held, heldCPU, build, taken!.figures.count, streams.count)
            }
        }
        for (mode, held, heldCPU, build, tracked, exported) in results {
            print("snapshot, \(count) streams, --stream-metrics \(mode): lock held \(held) (CPU \(heldCPU) s), reports after the lock \(build)")
            #expect(tracked == count)
            #expect(exported == (mode == .all ? count : mode == .none ? 0 : min(count, 1000)))
        }
    }
}
