import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The JSON line `udp-paths recv` prints.
struct LateReceiveReport: Decodable {
    let pid: Int32
    let received: Int
    let reads: Int
    /// Wake-ups that found datagrams waiting.
    let drains: Int
}

/// The JSON line `udp-paths loop` prints.
struct LoopReport: Decodable {
    let pid: Int32
    let count: Int
    let nsPerIteration: Double
}

/// The JSON line `udp-paths uring` prints.
struct UringReport: Decodable {
    let pid: Int32
    let sent: Int
    let ssrc: UInt32
}

extension MonitorEndToEnd {
    @Suite("Network-layer capture: arrival times, every send path, containers, coexistence")
    struct SocketCapture {
        /// A paced 20 ms PCMU stream to a receiver that drains its socket only every 60 ms (with
        /// recvfrom, or recvmmsg 16 at a time): the received jitter must be the network's — what a
        /// capture of the same packets on lo gives (`rtpscope analyze` of a dumpcap file) — within
        /// 0.2 ms, on both capture paths. Timed at the read, it would be ~26 ms.
        @Test(arguments: ["socket", "syscalls"], [1, 16])
        func aLateReaderIsNotNetworkJitter(capture: String, batch: Int) throws {
            let senderComm = uniqueComm("np-jit-tx"), receiverComm = uniqueComm("np-jit-rx")
            try withMonitor(comms: [senderComm, receiverComm], arguments: ["--capture", capture]) { session in
                let port = try freePort(udp: true)
                let destination = LoopbackFamily.ipv4.endpoint(port: port)
                let count = 150
                let ssrc = randomSSRC()
                let wire = try LoopbackCapture(port: port, children: session.children)
                let receiver = try startLateReceiver(session, bind: destination, count: count, everyMs: 60, batch: batch,
                                                     comm: receiverComm)
                let sent = try TrafficTool.report(SendReport.self, from: try session.traffic.start("send", [
                    "--to", destination, "--from", "127.0.0.1:0", "--syscall", "sendto", "--count", "\(count)",
                    "--ptime-ms", "20", "--pt", "0", "--clock", "8000", "--ssrc", "\(ssrc)", "--comm", senderComm,
                ]))
                let received = try TrafficTool.report(LateReceiveReport.self, from: receiver, seconds: 20)
                try #require(sent.packets == count && received.received == count, "traffic: \(sent), \(received)")
                // Several datagrams per wake-up: the receiver really reads late (60 ms / 20 ms ≈ 3).
                #expect(received.drains < count / 2, "the receiver drained \(received.drains) times")

                let truth = try Self.captureJitterMilliseconds(try wire.stop(), ssrc: ssrc)
                let side = ["direction": "received", "pid": "\(received.pid)", "ssrc": ssrcLabel(ssrc)]
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: side, expected: Double(count))
                #expect(metrics.sum(MonitorMetric.packets, where: side) == Double(count))
                if let jitter = singleSeries(metrics, MonitorMetric.jitter, side) {
                    print("late reader (\(capture), batch \(batch), \(received.reads) reads in \(received.drains) drains): received jitter \(jitter.value * 1000) ms, capture's \(truth) ms")
                    #expect(abs(jitter.value * 1000 - truth) <= 0.2,
                            "received jitter \(jitter.value * 1000) ms vs the capture's \(truth) ms")
                }
            }
        }

        /// io_uring sends never enter a send syscall per datagram: the socket capture still sees
        /// each one, and its receiver's.
        @Test func ioUringSendsAreCounted() throws {
            let senderComm = uniqueComm("np-uring"), receiverComm = uniqueComm("np-uring-rx")
            try withMonitor(comms: [senderComm, receiverComm]) { session in
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                let count = 120
                let receiver = try session.traffic.startReceiver(bind: destination, syscall: "recvfrom", count: count,
                                                                 comm: receiverComm)
                let sent = try TrafficTool.report(UringReport.self, from: try session.children.start(
                    "udp-paths-uring", try PackagePaths.udpPaths(),
                    ["uring", "--to", destination, "--count", "\(count)", "--ptime-ms", "5", "--comm", senderComm]))
                let received = try TrafficTool.report(ReceiveReport.self, from: receiver)
                try #require(sent.sent == count && received.received == count)
                let sentSide = ["direction": "sent", "pid": "\(sent.pid)", "ssrc": ssrcLabel(sent.ssrc)]
                let receivedSide = ["direction": "received", "pid": "\(received.pid)", "ssrc": ssrcLabel(sent.ssrc)]
                _ = try session.monitor.settledScrape(MonitorMetric.packets, where: sentSide, expected: Double(count))
                let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: receivedSide, expected: Double(count))
                #expect(metrics.sum(MonitorMetric.packets, where: sentSide) == Double(count), "io_uring sends")
                #expect(metrics.sum(MonitorMetric.packets, where: receivedSide) == Double(count))
                #expect(singleSeries(metrics, MonitorMetric.packets, sentSide)?.labels["comm"] == senderComm)
            }
        }

        /// write()/read() on connected sockets (what Go's net.DialUDP, nc and socat do): every
        /// datagram, both directions, under the right process.
        @Test(arguments: ["write", "sendto"])
        func connectedWriteAndReadAreCounted(io: String) throws {
            let comm = uniqueComm("np-loop")
            try withMonitor(comms: [comm]) { session in
                let count = 300
                let loop = try TrafficTool.report(LoopReport.self, from: try session.children.start(
                    "udp-paths-loop", try PackagePaths.udpPaths(),
                    ["loop", "--count", "\(count)", "--io", io, "--family", "6", "--comm", comm]))
                let process = ["pid": "\(loop.pid)"]
                for direction in ["sent", "received"] {
                    let side = process.merging(["direction": direction]) { $1 }
                    let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: side, expected: Double(count))
                    #expect(metrics.sum(MonitorMetric.packets, where: side) == Double(count), "\(io): \(direction)")
                }
            }
        }

        /// A process in a cgroup of its own, named as a Kubernetes container's: its streams carry
        /// the container id, the pod (its name, from a pod log directory) and the namespace; a
        /// process outside carries empty labels.
        @Test func containerLabelsComeFromTheSocketsCgroup() throws {
            guard let mount = cgroup2Mount() else { throw E2EError("no cgroup2 mount in /proc/self/mountinfo") }
            let containerID = (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
            let podUID = UUID().uuidString.lowercased()
            let top = "\(mount)/netpath-e2e-\(UInt32.random(in: 0...UInt32.max))"
            let leaf = "\(top)/kubepods/besteffort/pod\(podUID)/\(containerID)"
            let logs = FileManager.default.temporaryDirectory.appendingPathComponent("netpath-pods-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: "\(logs)/media_sfu-0_\(podUID)", withIntermediateDirectories: true)
            defer {
                try? FileManager.default.removeItem(atPath: logs)
                removeCgroups(top)
            }
            try FileManager.default.createDirectory(atPath: leaf, withIntermediateDirectories: true)

            let inside = uniqueComm("np-pod"), outside = uniqueComm("np-host")
            try withMonitor(comms: [inside, outside], arguments: ["--kubernetes.pod-logs", logs]) { session in
                let udpPaths = try PackagePaths.udpPaths()
                // The shell moves itself into the cgroup, then becomes the loop: its sockets are created there.
                let contained = try TrafficTool.report(LoopReport.self, from: try session.children.start(
                    "udp-paths-pod", "/bin/sh",
                    ["-c", "echo $$ > '\(leaf)/cgroup.procs' && exec '\(udpPaths)' loop --count 100 --comm \(inside)"]))
                let host = try TrafficTool.report(LoopReport.self, from: try session.children.start(
                    "udp-paths-host", udpPaths, ["loop", "--count", "100", "--comm", outside]))
                for (report, labels) in [(contained, ["container": containerID, "pod": "sfu-0", "namespace": "media"]),
                                         (host, ["container": "", "pod": "", "namespace": ""])] {
                    for direction in ["sent", "received"] {
                        let side = ["pid": "\(report.pid)", "direction": direction]
                        let metrics = try session.monitor.settledScrape(MonitorMetric.packets, where: side, expected: 100)
                        if let series = singleSeries(metrics, MonitorMetric.packets, side) {
                            #expect(series.value == 100)
                            for (name, value) in labels {
                                #expect(series.labels[name, default: "absent"] == value, "\(direction) \(name): \(series)")
                            }
                        }
                    }
                }
                let streams = try session.monitor.streams().filter { jsonInt($0["pid"]) == Int(contained.pid) }
                #expect(streams.count == 2)
                #expect(streams.allSatisfy { $0["container"] as? String == containerID && $0["pod_uid"] as? String == podUID })
            }
        }

        /// Another cgroup program on the same root (here a second monitor's) keeps working when
        /// ours is killed with SIGKILL, and ours leave with us: programs, cgroup links, all.
        @Test func anotherCgroupProgramKeepsWorkingAndOursLeave() throws {
            guard let mount = cgroup2Mount() else { throw E2EError("no cgroup2 mount in /proc/self/mountinfo") }
            let children = ChildProcesses()
            defer { children.stopAll() }
            let ourComm = uniqueComm("np-ours"), theirComm = uniqueComm("np-theirs")
            let ours = try RunningMonitor.start(arguments: ["--comm", ourComm], children: children)
            let theirs = try RunningMonitor.start(arguments: ["--comm", theirComm], children: children)
            let owned = BPFObjects.owned(by: ours.child.pid)
            let attachedBefore = Self.attachedPrograms(mount)
            #expect(owned.links.count >= 5, "cgroup links of the socket capture: \(owned)")
            #expect(!owned.programs.intersection(attachedBefore).isEmpty, "ours attached to \(mount): \(attachedBefore)")
            let theirPrograms = BPFObjects.owned(by: theirs.child.pid).programs.intersection(attachedBefore)
            #expect(theirPrograms.count >= 2)

            ours.child.signal(SIGKILL)
            #expect(ours.child.waitForExit(seconds: 10))
            var remaining = BPFObjects.existing()
            let released = waitUntil(seconds: 5, interval: 0.1) {
                remaining = BPFObjects.existing()
                return remaining.programs.isDisjoint(with: owned.programs) && remaining.links.isDisjoint(with: owned.links)
            }
            #expect(released, "left behind: \(remaining.programs.intersection(owned.programs)), links \(remaining.links.intersection(owned.links))")
            #expect(Self.attachedPrograms(mount).isDisjoint(with: owned.programs))
            #expect(theirPrograms.isSubset(of: Self.attachedPrograms(mount)), "the other programs must stay attached")

            // …and still see everything.
            let loop = try TrafficTool.report(LoopReport.self, from: try children.start(
                "udp-paths-loop", try PackagePaths.udpPaths(), ["loop", "--count", "200", "--comm", theirComm]))
            let side = ["pid": "\(loop.pid)", "direction": "received"]
            let metrics = try theirs.settledScrape(MonitorMetric.packets, where: side, expected: 200)
            #expect(metrics.sum(MonitorMetric.packets, where: side) == 200)
            #expect(theirs.stopGracefully() == 0)
        }

        // MARK: - Helpers

        private func startLateReceiver(_ session: MonitorSession, bind: String, count: Int, everyMs: Int, batch: Int,
                                       comm: String) throws -> ChildProcess {
            let readyFile = FileManager.default.temporaryDirectory.appendingPathComponent("udp-paths-ready-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: readyFile) }
            let receiver = try session.children.start("udp-paths-recv", try PackagePaths.udpPaths(), [
                "recv", "--bind", bind, "--count", "\(count)", "--every-ms", "\(everyMs)", "--batch", "\(batch)",
                "--timeout-ms", "15000", "--comm", comm, "--ready-file", readyFile,
            ])
            guard waitUntil(seconds: 5, { FileManager.default.fileExists(atPath: readyFile) || !receiver.isRunning }),
                  receiver.isRunning else {
                throw E2EError("udp-paths recv did not bind \(bind): \(receiver.stderr)")
            }
            return receiver
        }

        /// RFC 3550 jitter (ms) of stream `ssrc` in a capture file, as `rtpscope analyze` computes it.
        static func captureJitterMilliseconds(_ file: String, ssrc: UInt32) throws -> Double {
            let json = try runToCompletion(PackagePaths.rtpscope, ["analyze", "--format", "json", file])
            guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
                  let streams = object["streams"] as? [[String: Any]],
                  let stream = streams.first(where: { jsonInt($0["ssrc"]) == Int(ssrc) }),
                  let jitter = (stream["jitter_ms"] as? NSNumber)?.doubleValue
            else { throw E2EError("no jitter for ssrc \(ssrc) in the analysis of \(file): \(json.prefix(800))") }
            return jitter
        }

        /// Program ids attached directly to the cgroup at `path` (bpftool cgroup show).
        static func attachedPrograms(_ path: String) -> Set<Int> {
            guard let output = try? runToCompletion(try PackagePaths.executable("bpftool"), ["-j", "cgroup", "show", path]),
                  let list = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else { return [] }
            return Set(list.compactMap { jsonInt($0["id"]) })
        }
    }
}

/// The cgroup2 mount point (from /proc/self/mountinfo; hybrid hosts have it below /sys/fs/cgroup).
func cgroup2Mount() -> String? {
    guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") {
        let halves = line.components(separatedBy: " - ")
        guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
        let fields = halves[0].split(separator: " ")
        if fields.count >= 5, fields[3] == "/" { return String(fields[4]) }
    }
    return nil
}

/// Removes a cgroup tree made by a test, deepest first (a cgroup with processes cannot go: the
/// tests stop their children before this runs).
func removeCgroups(_ top: String) {
    guard let enumerator = FileManager.default.enumerator(atPath: top) else { return }
    var directories: [String] = []
    while let entry = enumerator.nextObject() as? String {
        if (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { directories.append("\(top)/\(entry)") }
    }
    for directory in directories.sorted(by: { $0.count > $1.count }) { rmdir(directory) }
    rmdir(top)
}
