import Foundation
import Testing

extension MonitorEndToEnd {
    /// Whatever ends the monitor — SIGINT, SIGTERM, or SIGKILL (no chance to clean up) — none of
    /// its BPF programs or links may outlive it: links are owned by file descriptors. The IDs are
    /// taken from the monitor's own /proc/PID/fdinfo (bpftool here lacks the pid iterator, and a
    /// concurrent in-process capture test loads programs with the same names).
    @Suite("Clean detach on every way out")
    struct Detach {
        /// Every signal on the default (socket) capture, SIGTERM and SIGKILL on the syscall capture.
        @Test(arguments: [(SIGINT, "socket"), (SIGTERM, "socket"), (SIGKILL, "socket"), (SIGTERM, "syscalls"), (SIGKILL, "syscalls")])
        func nothingOfOursRemains(_ signal: Int32, capture: String) throws {
            let children = ChildProcesses()
            defer { children.stopAll() }
            let monitor = try RunningMonitor.start(arguments: ["--comm", "codecpush", "--capture", capture], children: children)
            // A process with libavcodec, so uprobe links exist too.
            let push = try children.start("codecpush", try PackagePaths.codecpush(), [
                "--dest", "127.0.0.1:\(try freePort(udp: true))", "--frames", "30", "--quiet", "--linger-ms", "30000",
            ])
            let probed = waitUntil(seconds: 10, interval: 0.1) {
                (try? monitor.scrape().sum(CodecMetric.probedProcesses)) == 1
            }
            #expect(probed, "codec probes never attached")
            let owned = BPFObjects.owned(by: monitor.child.pid)
            // Socket capture: egress, ingress, sock_create, recvmsg4/6 (+ the start-up iterator,
            // loaded) and 5 cgroup links; syscall capture: 12 tracepoints and their links.
            let (programs, links) = capture == "socket" ? (6, 5) : (12, 12)
            #expect(owned.programs.count >= programs + 2, "capture + codec entry/return: \(owned)")
            #expect(owned.links.count >= links + 15, "capture links + codecpush's uprobes: \(owned)")
            let cgroupAttached = cgroup2Mount().map(MonitorEndToEnd.SocketCapture.attachedPrograms) ?? []
            if capture == "socket" {
                #expect(!cgroupAttached.isDisjoint(with: owned.programs), "attached to the cgroup root: \(cgroupAttached)")
            }

            monitor.child.signal(signal)
            #expect(monitor.child.waitForExit(seconds: 10), "monitor did not exit on signal \(signal)")
            if signal != SIGKILL {
                #expect(monitor.child.exitStatus == 0, "\(monitor.child.exitDescription): \(monitor.child.stderr.suffix(1000))")
            }
            // The kernel frees programs after an RCU grace period: bounded wait.
            var remaining = BPFObjects.existing()
            let released = waitUntil(seconds: 5, interval: 0.1) {
                remaining = BPFObjects.existing()
                return remaining.programs.isDisjoint(with: owned.programs) && remaining.links.isDisjoint(with: owned.links)
            }
            #expect(released, "still loaded after exit: programs \(remaining.programs.intersection(owned.programs)), links \(remaining.links.intersection(owned.links))")
            let stillAttached = cgroup2Mount().map(MonitorEndToEnd.SocketCapture.attachedPrograms) ?? []
            #expect(stillAttached.isDisjoint(with: owned.programs), "left on the cgroup root: \(stillAttached.intersection(owned.programs))")
            #expect(push.isRunning, "the traced process must not be disturbed")
        }
    }
}

/// BPF program and link IDs, from a process's fdinfo or from bpftool.
struct BPFObjects: CustomStringConvertible {
    var programs = Set<Int>()
    var links = Set<Int>()

    var description: String { "programs \(programs.sorted()), links \(links.sorted())" }

    /// The objects process `pid` holds file descriptors to ("prog_id:" / "link_id:" in fdinfo).
    static func owned(by pid: Int32) -> BPFObjects {
        var objects = BPFObjects()
        let directory = "/proc/\(pid)/fdinfo"
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let text = try? String(contentsOfFile: "\(directory)/\(fd)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let id = Int(parts[1]) else { continue }
                if parts[0] == "prog_id" { objects.programs.insert(id) }
                if parts[0] == "link_id" { objects.links.insert(id) }
            }
        }
        return objects
    }

    /// Everything loaded on the host now.
    static func existing() -> BPFObjects {
        var objects = BPFObjects()
        for (kind, key) in [("prog", "programs"), ("link", "links")] {
            guard let output = try? runToCompletion(try PackagePaths.executable("bpftool"), ["-j", kind, "show"], seconds: 20),
                  let list = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else { continue }
            let ids = Set(list.compactMap { jsonInt($0["id"]) })
            if key == "programs" { objects.programs = ids } else { objects.links = ids }
        }
        return objects
    }
}
