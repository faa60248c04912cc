import Foundation
import Testing

extension MonitorEndToEnd {
    /// RTCP BYE → `rtpscope_rtp_bye_timestamp_seconds` (what keeps RTPStreamStopped quiet after a
    /// hang-up). FFmpeg's RTP muxer sends a BYE at the end only with `-rtpflags send_bye`: two
    /// ffmpeg senders, one with and one without, tell whether the series follows the sender.
    @Suite("RTCP BYE ends a live stream")
    struct Goodbye {
        @Test func ffmpegsByeIsExportedForItsStreamOnly() throws {
            try withMonitor(comms: ["ffmpeg"]) { session in
                let ffmpeg = try PackagePaths.executable("ffmpeg")
                func start(_ name: String, _ flags: [String]) throws -> ChildProcess {
                    try session.children.start(name, ffmpeg, [
                        "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "sine", "-t", "2",
                        "-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1",
                    ] + flags + ["-f", "rtp", "rtp://127.0.0.1:\(try freePort(udp: true))"])
                }
                let started = Date().timeIntervalSince1970
                let withBye = try start("ffmpeg-bye", ["-rtpflags", "send_bye"])
                let without = try start("ffmpeg-no-bye", [])
                for sender in [withBye, without] {
                    guard sender.waitForExit(seconds: 30), sender.exitStatus == 0 else {
                        throw E2EError("\(sender.commandLine) failed (\(sender.exitDescription)): \(sender.stderr)")
                    }
                }
                let ended = Date().timeIntervalSince1970
                let bye = "rtpscope_rtp_bye_timestamp_seconds"
                let metrics = try session.monitor.settledScrape(bye, where: ["pid": "\(withBye.pid)"])
                let byes = metrics.samples(bye, where: ["pid": "\(withBye.pid)", "direction": "sent"])
                let streams = metrics.samples(MonitorMetric.packets, where: ["pid": "\(withBye.pid)", "direction": "sent"])
                print("send_bye: \(streams.count) streams, BYE at \(byes.map(\.value)) (ffmpeg ran \(started)…\(ended))")
                #expect(streams.count == 1 && (streams.first?.value ?? 0) > 0, "\(streams)")
                #expect(byes.count == 1, "one BYE series for the one stream: \(byes)")
                if let time = byes.first?.value {
                    #expect(time >= started && time <= ended + 1, "BYE at \(time), ffmpeg ran \(started)…\(ended)")
                    #expect(byes.first?.labels["ssrc"] == streams.first?.labels["ssrc"])
                }
                #expect(metrics.sum(MonitorMetric.packets, where: ["pid": "\(without.pid)", "direction": "sent"]) > 0)
                #expect(metrics.samples(bye, where: ["pid": "\(without.pid)"]).isEmpty,
                        "no BYE sent, none exported")
            }
        }
    }
}
