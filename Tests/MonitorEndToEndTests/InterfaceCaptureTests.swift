import Foundation
import Testing

extension MonitorEndToEnd {
    /// `monitor --interface`: RTP sent from inside a network namespace across a veth pair is
    /// captured on the host end through libpcap, beside the eBPF capture of the process that
    /// receives it — the same 5-tuple as two streams, one labelled by interface, one by process.
    @Suite("monitor --interface (libpcap on a veth pair)")
    struct InterfaceCapture {
        static let interfaceReceived = "rtpscope_interface_packets_received_total"
        static let interfaceDropped = "rtpscope_interface_packets_dropped_total"

        @Test func rtpAcrossAVethIsOneStreamPerInterfaceAndOnePerProcess() throws {
            let veth = try VethNamespace()
            defer { veth.remove() }
            let children = ChildProcesses()
            defer { children.stopAll() }
            let traffic = try TrafficTool(children: children)
            let receiverComm = uniqueComm("ifrecv")
            let monitor = try RunningMonitor.start(
                arguments: ["--comm", receiverComm, "--interface", veth.hostInterface], children: children)

            let ssrc = randomSSRC()
            let count = 400
            let drops = [1100, 1101, 1102, 1250]  // seqs (send starts at 1000): 4 lost, one burst of 3
            let destination = "\(veth.hostAddress):\(try freePort(udp: true))"
            let receiver = try traffic.startReceiver(bind: destination, syscall: "recvfrom", count: count - drops.count,
                                                     comm: receiverComm)
            let (ip, arguments) = veth.execArguments([
                traffic.path, "send", "--to", destination, "--syscall", "sendto", "--count", "\(count)",
                "--ptime-ms", "2", "--ssrc", String(format: "0x%08x", ssrc),
                "--drop", drops.map(String.init).joined(separator: ","), "--comm", uniqueComm("ifsend"),
            ])
            let sent = try TrafficTool.report(SendReport.self, from: try children.start("rtptraffic-send-netns", ip, arguments))
            let received = try TrafficTool.report(ReceiveReport.self, from: receiver)
            try #require(sent.packets == count - drops.count, "sender put \(sent.packets) datagrams on the wire")
            try #require(sent.expectedLost == drops.count)
            try #require(received.received == sent.packets, "the veth delivered \(received.received) of \(sent.packets)")

            let onInterface = ["interface": veth.hostInterface, "ssrc": ssrcLabel(ssrc)]
            let byProcess = ["pid": "\(received.pid)", "ssrc": ssrcLabel(ssrc)]
            _ = try monitor.settledScrape(MonitorMetric.packets, where: onInterface, expected: Double(sent.packets))
            let metrics = try monitor.settledScrape(MonitorMetric.packets, where: byProcess, expected: Double(received.received))

            // The interface's stream: exact count and loss, no process, seen as its receiver sees it.
            if let stream = singleSeries(metrics, MonitorMetric.packets, onInterface) {
                #expect(stream.value == Double(sent.packets))
                #expect(stream.labels["pid"] == "" && stream.labels["comm"] == "", "\(stream.labels)")
                #expect(stream.labels["direction"] == "received")
                #expect(stream.labels["local"] == destination)
                #expect(stream.labels["remote"]?.hasPrefix(veth.peerAddress + ":") == true, "\(stream.labels)")
            }
            #expect(metrics.sum(MonitorMetric.lost, where: onInterface) == Double(drops.count))
            // The receiving process's stream of the same 5-tuple is a stream of its own.
            if let stream = singleSeries(metrics, MonitorMetric.packets, byProcess) {
                #expect(stream.value == Double(received.received))
                #expect(stream.labels["interface"] == "", "\(stream.labels)")
                #expect(stream.labels["comm"] == receiverComm)
            }
            #expect(metrics.sum(MonitorMetric.lost, where: byProcess) == Double(drops.count))

            // libpcap's counters: nothing dropped, at least the RTP packets passed the filter.
            #expect(metrics.sum(Self.interfaceDropped, where: ["interface": veth.hostInterface, "reason": "buffer"]) == 0)
            #expect(metrics.samples(Self.interfaceDropped, where: ["interface": veth.hostInterface]).count == 2)
            #expect(metrics.sum(Self.interfaceReceived, where: ["interface": veth.hostInterface]) >= Double(sent.packets))

            // /streams names the interface; /health lists its capture.
            let streams = try monitor.streams().filter {
                ($0["interface"] as? String) == veth.hostInterface && jsonInt($0["ssrc"]) == Int(ssrc)
            }
            #expect(streams.count == 1, "\(streams)")
            #expect(jsonInt(streams.first?["packets"]) == sent.packets)
            #expect(jsonInt(streams.first?["lost"]) == drops.count)
            #expect(streams.first?["pid"] == nil)
            let health = try JSONSerialization.jsonObject(with: Data(try monitor.get("/health").body.utf8)) as? [String: Any]
            let interfaces = health?["interfaces"] as? [[String: Any]] ?? []
            #expect(interfaces.map { $0["interface"] as? String } == [veth.hostInterface], "\(health ?? [:])")
            #expect(jsonInt(interfaces.first?["packets_dropped"]) == 0)

            let status = monitor.stopGracefully()
            #expect(status == 0, "monitor must exit 0 on SIGTERM, got \(monitor.child.exitDescription): \(monitor.child.stderr.suffix(2000))")
        }

        /// Without eBPF: `--capture none` runs the interface alone (and /health is still 200).
        @Test func captureNoneWatchesTheInterfaceOnly() throws {
            let veth = try VethNamespace()
            defer { veth.remove() }
            let children = ChildProcesses()
            defer { children.stopAll() }
            let traffic = try TrafficTool(children: children)
            let monitor = try RunningMonitor.start(
                arguments: ["--capture", "none", "--interface", veth.hostInterface, "--bpf-filter", "udp and src host \(veth.peerAddress)"],
                children: children)
            let ssrc = randomSSRC()
            // Nobody listens on the host: the datagrams still cross the veth (the ICMP answers do
            // not pass the filter), and no process stream can exist.
            let destination = "\(veth.hostAddress):\(try freePort(udp: true))"
            let (ip, arguments) = veth.execArguments([
                traffic.path, "send", "--to", destination, "--syscall", "sendto", "--count", "200",
                "--ptime-ms", "2", "--ssrc", String(format: "0x%08x", ssrc), "--drop", "1050",
            ])
            let sent = try TrafficTool.report(SendReport.self, from: try children.start("rtptraffic-send-netns", ip, arguments))
            try #require(sent.packets == 199)
            let onInterface = ["interface": veth.hostInterface, "ssrc": ssrcLabel(ssrc)]
            let metrics = try monitor.settledScrape(MonitorMetric.packets, where: onInterface, expected: Double(sent.packets))
            #expect(metrics.sum(MonitorMetric.packets, where: onInterface) == Double(sent.packets))
            #expect(metrics.sum(MonitorMetric.lost, where: onInterface) == 1)
            #expect(metrics.samples(MonitorMetric.packets, where: ["ssrc": ssrcLabel(ssrc)]).count == 1,
                    "only the interface's stream without eBPF")
            #expect(!metrics.contains(MonitorMetric.events), "no eBPF events without the eBPF capture")
            let status = monitor.stopGracefully()
            #expect(status == 0, "\(monitor.child.exitDescription): \(monitor.child.stderr.suffix(2000))")
        }

        /// Two interfaces carrying the very same RTP stream (same 5-tuple, same SSRC: a mirror of
        /// both legs of a bridge, say) are two streams, one per interface. `rtptraffic frames`
        /// writes identical Ethernet frames to each veth, addressed to a MAC nobody has.
        @Test func theSameStreamOnTwoInterfacesIsTwoStreams() throws {
            let first = try VethNamespace()
            defer { first.remove() }
            let second = try VethNamespace()
            defer { second.remove() }
            let children = ChildProcesses()
            defer { children.stopAll() }
            let traffic = try TrafficTool(children: children)
            let monitor = try RunningMonitor.start(
                arguments: ["--capture", "none", "--interface", first.hostInterface, "--interface", second.hostInterface],
                children: children)
            let ssrc = randomSSRC()
            let counts = [first.hostInterface: 300, second.hostInterface: 200]
            for (veth, count) in [(first, 300), (second, 200)] {
                let (ip, arguments) = veth.execArguments([
                    traffic.path, "frames", "--interface", veth.peerInterface, "--from", "192.168.77.2:5004",
                    "--to", "192.168.77.1:6004", "--count", "\(count)", "--batch", "8",
                    "--ssrc", String(format: "0x%08x", ssrc),
                ])
                let sender = try children.start("rtptraffic-frames", ip, arguments)
                guard sender.waitForExit(seconds: 15), sender.exitStatus == 0 else {
                    throw E2EError("\(sender.commandLine) failed (\(sender.exitDescription)): \(sender.stderr)")
                }
            }
            let stream = ["ssrc": ssrcLabel(ssrc)]
            let metrics = try monitor.settledScrape(MonitorMetric.packets, where: stream, expected: 500)
            let series = metrics.samples(MonitorMetric.packets, where: stream)
            #expect(series.count == 2, "\(series)")
            for sample in series {
                #expect(sample.labels["local"] == "192.168.77.1:6004" && sample.labels["remote"] == "192.168.77.2:5004")
                #expect(counts[sample.labels["interface"] ?? ""].map(Double.init) == sample.value, "\(sample)")
            }
            #expect(metrics.sum(MonitorMetric.lost, where: stream) == 0)
            let health = try JSONSerialization.jsonObject(with: Data(try monitor.get("/health").body.utf8)) as? [String: Any]
            let interfaces = (health?["interfaces"] as? [[String: Any]] ?? []).compactMap { $0["interface"] as? String }
            #expect(interfaces == [first.hostInterface, second.hostInterface], "command-line order")
            let status = monitor.stopGracefully()
            #expect(status == 0, "\(monitor.child.exitDescription): \(monitor.child.stderr.suffix(2000))")
        }

        /// A misspelt interface and a bad filter are one-line errors and a non-zero exit, before
        /// anything is attached (no root needed to see them).
        @Test func missingInterfaceAndBadFilterAreOneLineErrors() throws {
            let binary = PackagePaths.rtpscope
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw E2EError("\(binary) does not exist: build it with `make` (or point RTPSCOPE_BIN at a build)")
            }
            let cases: [(arguments: [String], message: String)] = [
                (["--capture", "none", "--interface", "nosuchif0"], "rtpscope: interface nosuchif0: no such interface"),
                (["--capture", "none", "--interface", "lo", "--bpf-filter", "udp and and"], "rtpscope: bad --bpf-filter 'udp and and': "),
            ]
            for (arguments, message) in cases {
                let child = try ChildProcess(name: "rtpscope-monitor", executable: binary,
                                             arguments: ["monitor", "--web.listen-address", "127.0.0.1:0"] + arguments)
                guard child.waitForExit(seconds: 15) else {
                    child.stop()
                    throw E2EError("\(child.commandLine) still running: it should have refused to start")
                }
                let lines = child.stderr.split(separator: "\n")
                #expect(child.exitStatus == 1, "\(child.commandLine): \(child.exitDescription)")
                #expect(lines.count == 1 && lines.first?.hasPrefix(message) == true, "\(child.commandLine): \(child.stderr)")
            }
        }
    }
}
