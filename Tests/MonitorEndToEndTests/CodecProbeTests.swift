import Foundation
import Testing

enum CodecMetric {
    static let calls = "rtpscope_codec_calls_total"
    static let errors = "rtpscope_codec_errors_total"
    static let durationCount = "rtpscope_codec_call_duration_seconds_count"
    static let stalls = "rtpscope_rtp_send_stalls_total"
    static let correlation = "rtpscope_codec_network_correlation"
    static let probedProcesses = "rtpscope_codec_probed_processes"
}

extension MonitorEndToEnd {
    @Suite("Codec probes: libavcodec uprobes and codec ↔ network correlation")
    struct CodecProbes {
        /// Debian's FFmpeg encoding 150 frames with libx264 and pushing RTP. ffmpeg reads raw
        /// frames from a FIFO, so it has libavcodec mapped and waits (in avformat_open_input) until
        /// the monitor has attached; then every avcodec_send_frame call is seen.
        @Test func ffmpegEncodeCallsEqualFramesEncoded() throws {
            let frames = 150, width = 320, height = 240
            let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-frames-\(UUID().uuidString.prefix(8))").path
            guard mkfifo(fifo, 0o600) == 0 else { throw E2EError("mkfifo \(fifo): \(String(cString: strerror(errno)))") }
            defer { unlink(fifo) }
            let children = ChildProcesses()
            defer { children.stopAll() }
            let port = try freePort(udp: true)
            let ffmpeg = try children.start("ffmpeg", try PackagePaths.executable("ffmpeg"), [
                "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                "-video_size", "\(width)x\(height)", "-framerate", "30", "-i", fifo,
                "-c:v", "libx264", "-f", "rtp", "rtp://127.0.0.1:\(port)",
            ])
            try withMonitor(comms: [], arguments: ["--pid", "\(ffmpeg.pid)"]) { session in
                try waitForProbes(session, processes: 1)
                try writeFrames(frames, width: width, height: height, into: fifo)
                guard ffmpeg.waitForExit(seconds: 30), ffmpeg.exitStatus == 0 else {
                    throw E2EError("\(ffmpeg.commandLine) failed (\(ffmpeg.exitDescription)): \(ffmpeg.stderr)")
                }
                let process = ["pid": "\(ffmpeg.pid)", "comm": "ffmpeg"]
                let encode = process.merging(["function": "avcodec_send_frame"]) { $1 }
                // ffmpeg ends the stream with avcodec_send_frame(ctx, NULL) (the flush): one call more.
                let metrics = try session.monitor.settledScrape(CodecMetric.calls, where: encode, expected: Double(frames + 1))
                #expect(metrics.sum(CodecMetric.calls, where: encode) == Double(frames + 1))
                #expect(metrics.sum(CodecMetric.errors, where: encode) == 0)
                #expect(metrics.sum(CodecMetric.durationCount, where: encode) == Double(frames + 1), "every call timed")
                #expect(singleSeries(metrics, CodecMetric.calls, encode)?.labels["library"] == "libavcodec.so.59")
                // Packets out of the encoder = packets into the muxer.
                let received = metrics.sum(CodecMetric.calls, where: process.merging(["function": "avcodec_receive_packet"]) { $1 })
                #expect(received >= Double(frames))
                // The RTP stream carries the same pid and comm as the codec series.
                let rtp = metrics.samples(MonitorMetric.packets, where: process.merging(["direction": "sent"]) { $1 })
                #expect(rtp.count == 1 && (rtp.first?.value ?? 0) > Double(frames), "\(rtp)")
            }
        }

        /// codecpush (tools/codecpush/) encodes MJPEG and sends each frame right away; every
        /// 45th frame is an expensive encode (~200 ms): those gaps are stalls caused by the codec,
        /// and the per-second worst encode latency follows the worst send interval.
        @Test func codecStallsAreBlamedOnTheCodec() throws {
            let outcome = try runCodecPush(mode: "codec-stalls")
            #expect(outcome.stalls(.codec) >= Double(outcome.summary["expensive"] ?? 0) - 1, "\(outcome.description)")
            #expect(outcome.stalls(.codec) >= 6, "\(outcome.description)")
            #expect(outcome.stalls(.other) <= 1, "\(outcome.description)")
            #expect((outcome.correlation ?? 0) > 0.8, "\(outcome.description)")
            // Calibration calls happen before the stream starts; the monitor may see some of them.
            #expect(outcome.encodeCalls >= Double(outcome.summary["send_frame_calls"] ?? 0))
        }

        /// The same sender pausing between sends without codec work: stalls with cause `other`,
        /// and no correlation with the (cheap) encodes.
        @Test func networkPausesAreNotBlamedOnTheCodec() throws {
            let outcome = try runCodecPush(mode: "network-pauses")
            #expect(outcome.stalls(.other) >= Double(outcome.summary["pauses"] ?? 0) - 1, "\(outcome.description)")
            #expect(outcome.stalls(.other) >= 6, "\(outcome.description)")
            #expect(outcome.stalls(.codec) == 0, "\(outcome.description)")
            #expect(abs(outcome.correlation ?? 1) < 0.3, "\(outcome.description)")
            // No calibration in this mode, and the probes were attached before the first frame.
            #expect(outcome.encodeCalls == Double(outcome.summary["send_frame_calls"] ?? -1), "\(outcome.description)")
        }

        /// `--codec-probes PATH` naming a file without the probed symbols (zlib): reported once, not
        /// retried at every refresh, and nothing attached.
        @Test func aFileWithoutTheSymbolsIsReportedOnce() throws {
            try withMonitor(comms: ["codecpush"], arguments: ["--codec-probes", "/usr/lib/x86_64-linux-gnu/libz.so.1"]) { session in
                let push = try session.children.start("codecpush", try PackagePaths.codecpush(), [
                    "--dest", "127.0.0.1:\(try freePort(udp: true))", "--frames", "45", "--fps", "30", "--quiet",
                ])
                #expect(push.waitForExit(seconds: 20) && push.exitStatus == 0, "\(push.stderr)")
                let metrics = try session.monitor.scrape()
                #expect(metrics.sum(CodecMetric.probedProcesses) == 0)
                let log = session.monitor.child.stdout + session.monitor.child.stderr
                let reports = log.components(separatedBy: "exports none of the probed functions").count - 1
                #expect(reports == 1, "expected one report over ~6 refreshes:\n\(log)")
            }
        }

        enum Cause: String { case codec, other }

        struct Outcome: CustomStringConvertible {
            let summary: [String: Int]
            let metrics: Exposition
            let pid: Int32
            var labels: [String: String] { ["pid": "\(pid)", "comm": "codecpush"] }
            func stalls(_ cause: Cause) -> Double {
                metrics.sum(CodecMetric.stalls, where: labels.merging(["cause": cause.rawValue]) { $1 })
            }
            var correlation: Double? {
                metrics.samples(CodecMetric.correlation, where: labels.merging(["function": "avcodec_send_frame"]) { $1 }).first?.value
            }
            var encodeCalls: Double {
                metrics.sum(CodecMetric.calls, where: labels.merging(["function": "avcodec_send_frame"]) { $1 })
            }
            var description: String {
                "summary \(summary); stalls codec \(stalls(.codec)) other \(stalls(.other)); correlation \(correlation.map { "\($0)" } ?? "absent"); send_frame calls \(encodeCalls)"
            }
        }

        /// Starts the monitor first, then codecpush (so it is picked up as a new process); scrapes
        /// while codecpush lingers after its last frame; then checks the probes are released when
        /// it exits.
        private func runCodecPush(mode: String) throws -> Outcome {
            var outcome: Outcome?
            // A short idle timeout: the exited process's series must go once it has passed.
            try withMonitor(comms: ["codecpush"], arguments: ["--stream-idle-timeout", "3"]) { session in
                let port = try freePort(udp: true)
                // 12 s of 30 fps with a stall every 1.5 s: ≥ 10 complete seconds for the correlation.
                let push = try session.children.start("codecpush", try PackagePaths.codecpush(), [
                    "--dest", "127.0.0.1:\(port)", "--frames", "360", "--fps", "30", "--mode", mode,
                    "--stall-every", "45", "--stall-ms", "150", "--start-delay-ms", "1500", "--linger-ms", "4000", "--quiet",
                ])
                let summaryWritten = waitUntil(seconds: 40, interval: 0.1) { push.stdout.contains("frames=") || !push.isRunning }
                guard summaryWritten, push.stdout.contains("frames=") else {
                    throw E2EError("\(push.commandLine) failed (\(push.exitDescription)): \(push.stderr)")
                }
                let summary = codecpushSummary(push.stdout)
                let packets = ["pid": "\(push.pid)", "direction": "sent"]
                _ = try session.monitor.settledScrape(MonitorMetric.packets, where: packets,
                                                      expected: Double(summary["packets"] ?? 0))
                // Stalls are classified once the codec records are in (a drain or two later).
                var metrics = try session.monitor.scrape()
                _ = waitUntil(seconds: 3, interval: 0.1) {
                    metrics = (try? session.monitor.scrape()) ?? metrics
                    let result = Outcome(summary: summary, metrics: metrics, pid: push.pid)
                    return result.stalls(.codec) + result.stalls(.other) >= Double(max(summary["expensive"] ?? 0, summary["pauses"] ?? 0))
                }
                outcome = Outcome(summary: summary, metrics: metrics, pid: push.pid)
                print("codecpush \(mode): \(outcome!.description)")

                #expect(push.waitForExit(seconds: 10), "codecpush should exit after lingering")
                let released = waitUntil(seconds: 5, interval: 0.2) {
                    (try? session.monitor.scrape().sum(CodecMetric.probedProcesses)) == 0
                }
                #expect(released, "the probes of an exited process must be released")
                let gone = waitUntil(seconds: 10, interval: 0.5) {
                    (try? session.monitor.scrape().samples(CodecMetric.calls, where: ["pid": "\(push.pid)"]).isEmpty) == true
                }
                #expect(gone, "an exited process's codec series must go after --stream-idle-timeout")
            }
            return try #require(outcome)
        }
    }
}

/// codecpush's exit line `frames=N packets=P bytes=B send_frame_calls=C expensive=E pauses=Q` as a dictionary.
func codecpushSummary(_ stdout: String) -> [String: Int] {
    Dictionary(stdout.split(whereSeparator: \.isWhitespace).compactMap { pair -> (String, Int)? in
        let parts = pair.split(separator: "=")
        return parts.count == 2 ? Int(parts[1]).map { (String(parts[0]), $0) } : nil
    }, uniquingKeysWith: { $1 })
}

/// Polls /metrics until the monitor reports `processes` probed processes (bounded).
private func waitForProbes(_ session: MonitorSession, processes: Int) throws {
    let attached = waitUntil(seconds: 10, interval: 0.1) {
        (try? session.monitor.scrape().sum(CodecMetric.probedProcesses)) == Double(processes)
    }
    guard attached else {
        throw E2EError("codec probes not attached within 10 s: \(session.monitor.child.stderr)")
    }
}

/// Writes `count` distinct yuv420p frames into the FIFO ffmpeg reads, then closes it (EOF).
private func writeFrames(_ count: Int, width: Int, height: Int, into fifo: String) throws {
    let fd = open(fifo, O_WRONLY)
    guard fd >= 0 else { throw E2EError("open \(fifo): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var frame = [UInt8](repeating: 128, count: width * height * 3 / 2)
    for index in 0..<count {
        for row in 0..<height { frame[row * width + (index * 2 + row) % width] = UInt8(truncatingIfNeeded: index * 7) }
        var offset = 0
        while offset < frame.count {
            let written = frame[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw E2EError("write \(fifo): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }
}
