import Exporter
import Foundation
import Logging
import NetDecode
import PcapSource
import RTPCore
import ServiceLifecycle
import Synchronization

/// The latest counters of every `--interface` capture: written by their reader threads, read by
/// scrapes (`/health`, `/metrics`) without touching a libpcap handle another thread owns.
final class InterfaceStatisticsBoard: Sendable {
    private let entries: Mutex<[InterfaceHealth]>

    init(names: [String]) {
        entries = Mutex(names.map {
            InterfaceHealth(interface: $0, packetsReceived: 0, packetsDropped: 0, packetsDroppedByInterface: 0,
                            packetsRead: 0)
        })
    }

    var current: [InterfaceHealth] { entries.withLock { $0 } }

    func publish(_ position: Int, _ statistics: InterfaceCaptureStatistics) {
        entries.withLock { entries in
            guard entries.indices.contains(position) else { return }
            entries[position].packetsReceived = statistics.received
            entries[position].packetsDropped = statistics.dropped
            entries[position].packetsDroppedByInterface = statistics.droppedByInterface
            entries[position].packetsRead = statistics.read
        }
    }
}

/// An interface capture handed to the one thread that reads it (libpcap handles are not shared).
final class OwnedInterfaceCapture: @unchecked Sendable {
    let capture: InterfaceCapture
    init(_ capture: InterfaceCapture) { self.capture = capture }
}

/// One thread per `--interface`: waits on the capture ring without any lock, then decodes what the
/// ring holds into the engine under the engine lock (once per batch), beside the eBPF drain loop.
/// Threads rather than tasks for the reason `CaptureLoop` gives, and because `poll` blocks.
struct InterfaceReaders: Service {
    let captures: [OwnedInterfaceCapture]
    let engine: LiveEngine
    let board: InterfaceStatisticsBoard
    let logger: Logger
    /// Upper bound of one wait: how soon a reader notices shutdown.
    static let waitMilliseconds: Int32 = 100
    /// Frames decoded per hold of the engine lock: with -1 libpcap would go on as long as blocks
    /// keep coming, and under a sustained flood the lock would never be released for the eBPF
    /// drain or a scrape. ~1 ms of work.
    static let framesPerBatch = 4096
    /// How often the libpcap counters are published.
    static let statisticsPeriod = Duration.milliseconds(250)

    func run() async throws {
        let stop = CaptureLoop.StopRequest()
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for (position, owned) in captures.enumerated() {
                        group.addTask {
                            await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                                let thread = Thread {
                                    // ≤ 15 bytes, the kernel's limit for a thread name.
                                    Thread.current.name = "rtpscope-if\(position)"
                                    read(owned.capture, position: position, until: stop)
                                    finished.resume()
                                }
                                thread.start()
                            }
                        }
                    }
                }
            } onCancel: {
                stop.request()
            }
        }
        for owned in captures { owned.capture.close() }
    }

    private func read(_ capture: InterfaceCapture, position: Int, until stop: CaptureLoop.StopRequest) {
        let clock = ContinuousClock()
        var nextStatistics = clock.now
        var counted = DecodeCounters()
        var lastBatch = 0
        while !stop.isRequested {
            // A full batch means the ring may hold more: read on without waiting.
            if lastBatch < Self.framesPerBatch { capture.wait(timeoutMilliseconds: Self.waitMilliseconds) }
            var failure: InterfaceCaptureError?
            engine.withAnalyzer { analyzer in
                do throws(InterfaceCaptureError) {
                    // Thousands of streams: state prefetched a few frames ahead, payloads copied
                    // (libpcap reuses a frame's bytes once its callback returns).
                    let lookahead = IngestLookahead(analyzer: analyzer, copyingPayloadsUpTo: capture.payloadSnaplen)
                    defer { lookahead.flush() }
                    let frames = try capture.dispatch(maxFrames: Int32(Self.framesPerBatch)) { lookahead.ingest($0) }
                    lastBatch = frames
                    // Live, every frame read is a "packet read", as every traced datagram is.
                    analyzer.addSourceCounts(SourceCounts(packetsRead: UInt64(frames)))
                } catch {
                    failure = error
                }
                let counters = capture.decodeCounters
                if counters != counted {
                    analyzer.addSourceCounts(Self.decodeCounts(counters, since: counted))
                    counted = counters
                }
            }
            if let failure {
                // The interface went away (or libpcap broke): this reader ends, the others go on.
                logger.error("rtpscope monitor: \(failure); no longer capturing on \(capture.interface.name)")
                board.publish(position, capture.statistics())
                // Returning would end the service, and ServiceGroup would stop the whole monitor.
                while !stop.isRequested { usleep(useconds_t(Self.waitMilliseconds) * 1000) }
                return
            }
            let now = clock.now
            if now >= nextStatistics {
                board.publish(position, capture.statistics())
                nextStatistics = now + Self.statisticsPeriod
            }
        }
        board.publish(position, capture.statistics())
    }

    /// What the link/IP decoding skipped since the last batch, into the counts `/metrics` exports
    /// as discarded datagrams (`ip_fragment`, `udp_*`, …), as `analyze` does for a capture file.
    private static func decodeCounts(_ counters: DecodeCounters, since before: DecodeCounters) -> SourceCounts {
        var counts = SourceCounts(fragmentsSkipped: counters.fragmentsSkipped &- before.fragmentsSkipped)
        let earlier = before.malformed
        for (key, count) in counters.malformed where count != earlier[key] {
            counts.malformed[key] = count &- (earlier[key] ?? 0)
        }
        return counts
    }
}
