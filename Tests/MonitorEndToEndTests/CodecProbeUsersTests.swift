import Foundation
import Testing

extension MonitorEndToEnd.CodecProbes {
    /// `--codec-probes-users`: of two codecpush encoders sending RTP at the same time, one run by
    /// root and one by nobody, only nobody's gets codec probes with `--codec-probes-users 65534`;
    /// both streams are still measured.
    @Test func onlyTheListedUsersProcessesAreProbed() throws {
        let nobody = 65534
        try withMonitor(comms: ["codecpush"], arguments: ["--codec-probes-users", "\(nobody)"]) { session in
            let codecpush = try PackagePaths.codecpush()
            let arguments = ["--frames", "150", "--fps", "30", "--start-delay-ms", "1500", "--linger-ms", "3000", "--quiet"]
            let asRoot = try session.children.start("codecpush-root", codecpush,
                                                    ["--dest", "127.0.0.1:\(try freePort(udp: true))"] + arguments)
            let asNobody = try session.children.start("codecpush-nobody", try PackagePaths.executable("setpriv"), [
                "--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", codecpush,
                "--dest", "127.0.0.1:\(try freePort(udp: true))",
            ] + arguments)
            for push in [asRoot, asNobody] {
                let done = waitUntil(seconds: 40, interval: 0.1) { push.stdout.contains("frames=") || !push.isRunning }
                guard done, push.stdout.contains("frames=") else {
                    throw E2EError("\(push.commandLine) failed (\(push.exitDescription)): \(push.stderr)")
                }
            }
            let metrics = try session.monitor.settledScrape(
                CodecMetric.calls, where: ["pid": "\(asNobody.pid)", "function": "avcodec_send_frame"])
            print("codec-probes-users: root pid \(asRoot.pid) calls \(metrics.sum(CodecMetric.calls, where: ["pid": "\(asRoot.pid)"])), nobody pid \(asNobody.pid) calls \(metrics.sum(CodecMetric.calls, where: ["pid": "\(asNobody.pid)"]))")
            // Probed before its first frame (1.5 s start delay): every encode of the stream is seen.
            let encodes = Double(codecpushSummary(asNobody.stdout)["send_frame_calls"] ?? 0)
            #expect(encodes > 0)
            #expect(metrics.sum(CodecMetric.calls, where: ["pid": "\(asNobody.pid)", "function": "avcodec_send_frame"]) >= encodes)
            #expect(metrics.samples(CodecMetric.calls, where: ["pid": "\(asRoot.pid)"]).isEmpty,
                    "root's encoder must not be probed")
            for push in [asRoot, asNobody] {
                let packets = metrics.sum(MonitorMetric.packets, where: ["pid": "\(push.pid)", "direction": "sent"])
                #expect(packets > 0, "\(push.name): its RTP is measured whoever runs it")
            }
        }
    }
}

/// `--codec-probes-users` takes numeric uids; anything else is a usage error (64) naming the option.
@Suite struct CodecProbeUsersOptionTests {
    @Test func badUidListsAreUsageErrors() throws {
        let binary = PackagePaths.rtpscope
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw E2EError("\(binary) does not exist: build it with `make` (or point RTPSCOPE_BIN at a build)")
        }
        for list in ["alice", "1000,", "1000,-1", "", "4294967296"] {
            let child = try ChildProcess(name: "rtpscope", executable: binary, arguments: [
                "monitor", "--web.listen-address", "127.0.0.1:0", "--codec-probes-users", list,
            ])
            guard child.waitForExit(seconds: 20) else {
                child.stop()
                throw E2EError("rtpscope monitor --codec-probes-users \(list) did not stop")
            }
            #expect(child.exitDescription == "exit status 64", "\(list): \(child.stderr)")
            #expect(child.stderr.contains("--codec-probes-users"), "\(list): \(child.stderr)")
        }
    }

    @Test func helpSaysAutoProbesEveryUsersProcesses() throws {
        let child = try ChildProcess(name: "rtpscope", executable: PackagePaths.rtpscope, arguments: ["monitor", "--help"])
        #expect(child.waitForExit(seconds: 20))
        let help = child.stdout.replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "  +", with: " ", options: .regularExpression)
        #expect(help.contains("other users' included"), "\(child.stdout)")
        #expect(help.contains("--codec-probes-users"), "\(child.stdout)")
    }
}
