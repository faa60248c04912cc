import Foundation
import Testing

/// A real media tool, run until it exits, whose RTP the monitor must count exactly as a packet
/// capture on lo does.
struct MediaToolRun {
    let comm: String                  // process name the monitor filters on and labels with
    let executable: String
    let arguments: (UInt16) -> [String]
    let clockRate: Double
    let monitorArguments: [String]
}

extension MonitorEndToEnd {
    @Suite("Real senders: FFmpeg and GStreamer, checked against a capture")
    struct MediaTools {
        @Test("ffmpeg H.264 (PT 96, 90 kHz) via sendto")
        func ffmpegH264() throws {
            _ = try countedLikeTheCapture(MediaToolRun(
                comm: "ffmpeg", executable: try PackagePaths.executable("ffmpeg"),
                arguments: { port in
                    ["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30",
                     "-t", "4", "-c:v", "libx264", "-f", "rtp", "rtp://127.0.0.1:\(port)"]
                },
                clockRate: 90000,
                // PT 96 is dynamic and the SDP never crosses a socket: the monitor must infer 90 kHz
                // from timestamps vs send times (x264 sends in decode order, so they step back and forth).
                monitorArguments: []))
        }

        @Test("ffmpeg PCMU (PT 0, 8 kHz) via sendto")
        func ffmpegPCMU() throws {
            _ = try countedLikeTheCapture(MediaToolRun(
                comm: "ffmpeg", executable: try PackagePaths.executable("ffmpeg"),
                arguments: { port in
                    ["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "sine", "-t", "4",
                     "-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", "-f", "rtp", "rtp://127.0.0.1:\(port)"]
                },
                clockRate: 8000, monitorArguments: []))
        }

        /// GStreamer 1.22 udpsink sends through sendmmsg (one message per call, two iovecs: the
        /// 12-byte RTP header and the payload), from a streaming thread named "audiotestsrc0:s";
        /// the process (thread-group leader) is "gst-launch-1.0". Seen with
        /// `strace -f -e trace=network` and /proc/PID/task/*/comm. So this also checks that the
        /// monitor filters and labels by process name, not by the sending thread's name.
        @Test("gst-launch-1.0 udpsink PCMU via sendmmsg, from a streaming thread")
        func gstreamerUdpsinkSendmmsg() throws {
            let metrics = try countedLikeTheCapture(MediaToolRun(
                comm: "gst-launch-1.0", executable: try PackagePaths.executable("gst-launch-1.0"),
                arguments: { port in
                    // 160 samples = 20 ms per packet; udpsink syncs to the clock, so 200 buffers take 4 s.
                    ["-q", "audiotestsrc", "num-buffers=200", "samplesperbuffer=160", "!",
                     "audio/x-raw,rate=8000,channels=1", "!", "mulawenc",
                     "!", "rtppcmupay", "!", "udpsink", "host=127.0.0.1", "port=\(port)"]
                },
                clockRate: 8000, monitorArguments: []))
            // The default socket capture counts every sent datagram under the egress hook.
            #expect(metrics.sum(MonitorMetric.events, where: ["syscall": "egress"]) > 0,
                    "udpsink's datagrams should show in \(MonitorMetric.events){syscall=\"egress\"}")
        }

        /// Starts a capture and the tool, and expects the monitor to report exactly one stream for
        /// the tool's pid with as many packets as the capture holds, the right clock rate and comm.
        private func countedLikeTheCapture(_ run: MediaToolRun) throws -> Exposition {
            var result: Exposition?
            try withMonitor(comms: [run.comm], arguments: run.monitorArguments) { session in
                let port = try freePort(udp: true)
                let capture = try LoopbackCapture(port: port, children: session.children)
                let tool = try session.children.start(run.comm, run.executable, run.arguments(port))
                guard tool.waitForExit(seconds: 20), tool.exitStatus == 0 else {
                    throw E2EError("\(tool.commandLine) failed (\(tool.exitDescription)): \(tool.stderr)")
                }
                let captured = try capture.stopAndCountRTPPackets()
                try #require(captured > 0, "the capture saw no RTP on port \(port)")

                let ours = ["direction": "sent", "pid": "\(tool.pid)"]
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: ours, expected: Double(captured))
                result = metrics
                let streams = metrics.samples(MonitorMetric.packets, where: ours)
                #expect(streams.count == 1, "one SSRC expected for pid \(tool.pid): \(streams)")
                #expect(metrics.sum(MonitorMetric.packets, where: ours) == Double(captured),
                        "monitor vs. capture of udp port \(port)")
                // A missing series fails the test (nothing is checked conditionally).
                let stream = try #require(streams.first, "no \(MonitorMetric.packets) series for pid \(tool.pid)")
                #expect(stream.labels["comm"] == run.comm)
                expectEndpoint(stream.labels["remote"], equals: "127.0.0.1:\(port)", "\(run.comm) remote")
                let clock = try #require(singleSeries(metrics, MonitorMetric.clockRate, ours))
                #expect(clock.value == run.clockRate)
            }
            return try #require(result)
        }
    }
}
