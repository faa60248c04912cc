import Foundation

/// The JSON line `rtptraffic send` prints when it is done.
struct SendReport: Decodable {
    let pid: Int32
    let comm: String
    let syscall: String
    let local: String
    let remote: String
    let ssrc: UInt32
    let payloadType: Int
    let clockRate: Int
    let packets: Int            // datagrams on the wire (duplicates included, drops excluded)
    let syscalls: Int
    let expectedLost: Int       // RFC 3550 A.3 cumulative loss a receiver should report
    let dropped: [Int]
    let expectedJitterMs: Double?  // RFC 3550 jitter of the planned send times
    let measuredJitterMs: Double   // … of the times read just before each send syscall
}

/// The JSON line `rtptraffic recv` prints.
struct ReceiveReport: Decodable {
    let pid: Int32
    let comm: String
    let local: String
    let received: Int
    let rtpPackets: Int
    let timedOut: Bool
}

/// The JSON line `rtptraffic blast` prints.
struct BlastReport: Decodable {
    let pid: Int32
    let comm: String
    let ssrc: UInt32
    let packets: Int
    let syscalls: Int
    let seconds: Double
    let nsPerSend: Double
    /// SSRCs used (`--ssrc-every`); 1 otherwise.
    let ssrcs: Int
}

/// The JSON line `rtptraffic webrtc` prints.
struct WebRTCReport: Decodable {
    let pid: Int32
    let comm: String
    let local: String
    let remote: String
    let ssrc: UInt32
    let payloadType: Int
    let srtpPackets: Int
    let srtcpPackets: Int
    let stunPackets: Int
    let dtlsRecords: Int
}

/// Runs build/rtptraffic subcommands as children of one test.
struct TrafficTool {
    let path: String
    let children: ChildProcesses

    init(children: ChildProcesses) throws {
        path = try PackagePaths.rtptraffic()
        self.children = children
    }

    func start(_ subcommand: String, _ arguments: [String]) throws -> ChildProcess {
        try children.start("rtptraffic-\(subcommand)", path, [subcommand] + arguments)
    }

    /// Starts `recv` and returns once its socket is bound (it writes --ready-file then), so a
    /// sender started afterwards cannot lose its first packets to a port nobody listens on yet.
    func startReceiver(bind: String, syscall: String, count: Int, comm: String, timeoutMs: Int = 15_000) throws -> ChildProcess {
        let readyFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("rtptraffic-ready-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: readyFile) }
        let receiver = try start("recv", ["--bind", bind, "--syscall", syscall, "--batch", "8", "--count", "\(count)",
                                          "--timeout-ms", "\(timeoutMs)", "--comm", comm, "--ready-file", readyFile])
        let ready = waitUntil(seconds: 5) { FileManager.default.fileExists(atPath: readyFile) || !receiver.isRunning }
        guard ready, receiver.isRunning || receiver.exitStatus == 0 else {
            throw E2EError("rtptraffic recv did not bind \(bind) (\(receiver.exitDescription)): \(receiver.stderr)")
        }
        return receiver
    }

    /// Waits (bounded) for the child and decodes the JSON line it printed last.
    static func report<Report: Decodable>(_ type: Report.Type, from child: ChildProcess, seconds: Double = 15) throws -> Report {
        guard child.waitForExit(seconds: seconds) else {
            child.stop()
            throw E2EError("\(child.commandLine) did not finish within \(seconds) s")
        }
        guard child.exitStatus == 0 else {
            throw E2EError("\(child.commandLine) failed (\(child.exitDescription)): \(child.stderr)")
        }
        guard let line = child.stdout.split(separator: "\n").last else {
            throw E2EError("\(child.commandLine) printed nothing")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Report.self, from: Data(line.utf8))
        } catch {
            throw E2EError("\(child.commandLine): cannot decode '\(line)': \(error)")
        }
    }
}

/// A process name (≤ 15 bytes, the kernel's TASK_COMM_LEN) unique to one test run, so the
/// monitor's --comm filter and our label checks never pick up another engineer's traffic.
func uniqueComm(_ prefix: String) -> String {
    let suffix = String(UInt16.random(in: .min ... .max), radix: 16)
    return "\(prefix.prefix(10))-\(suffix)"
}

/// `0x%08x`, the monitor's ssrc label format.
func ssrcLabel(_ ssrc: UInt32) -> String {
    let hex = String(ssrc, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
}
