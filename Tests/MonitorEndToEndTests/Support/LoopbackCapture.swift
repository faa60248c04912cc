import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An independent witness: dumpcap on lo for one UDP port, counted afterwards with tshark.
/// The monitor's packet counts are compared with what really crossed the loopback.
final class LoopbackCapture {
    private let port: UInt16
    private let file: String
    private let dumpcap: ChildProcess

    init(port: UInt16, children: ChildProcesses) throws {
        self.port = port
        file = FileManager.default.temporaryDirectory
            .appendingPathComponent("rtpscope-e2e-\(port)-\(UUID().uuidString.prefix(8)).pcapng").path
        dumpcap = try children.start("dumpcap", try PackagePaths.executable("dumpcap"),
                                     ["-i", "lo", "-f", "udp port \(port)", "-w", file, "-q"])
        // dumpcap says "Capturing on …" once the filter is attached; before that packets are missed.
        let capturing = waitUntil(seconds: 10) { self.dumpcap.stderr.contains("Capturing on") || !self.dumpcap.isRunning }
        guard capturing, dumpcap.isRunning else {
            dumpcap.stop()
            throw E2EError("dumpcap did not start capturing (\(dumpcap.exitDescription)): \(dumpcap.stderr)")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: file) }

    /// Stops the capture and returns the number of RTP packets to `port` it holds. Throws when
    /// the capture itself lost packets, since the comparison would then prove nothing.
    func stopAndCountRTPPackets() throws -> Int {
        let file = try stop()
        let seqs = try runToCompletion(try PackagePaths.executable("tshark"),
                                       ["-r", file, "-d", "udp.port==\(port),rtp", "-Y", "rtp && udp.dstport==\(port)",
                                        "-T", "fields", "-e", "rtp.seq"])
        return seqs.split(separator: "\n").count
    }

    /// Stops the capture and returns its file (removed with this object); throws when the capture
    /// itself lost packets.
    func stop() throws -> String {
        usleep(300_000)  // let the last datagrams reach the capture buffer
        dumpcap.signal(SIGINT)  // dumpcap's normal stop: it flushes the file and prints its counts
        guard dumpcap.waitForExit(seconds: 10) else {
            dumpcap.stop()
            throw E2EError("dumpcap did not stop on SIGINT")
        }
        if let dropped = Self.droppedCount(in: dumpcap.stderr), dropped > 0 {
            throw E2EError("the reference capture dropped \(dropped) packets: \(dumpcap.stderr)")
        }
        return file
    }

    /// From "Packets received/dropped on interface 'Loopback: lo': 10/0 (…)".
    private static func droppedCount(in report: String) -> Int? {
        guard let line = report.split(separator: "\n").first(where: { $0.contains("received/dropped") }),
              let afterName = line.range(of: "': "),
              let counts = line[afterName.upperBound...].split(separator: " ").first
        else { return nil }
        return counts.split(separator: "/").last.flatMap { Int($0) }
    }
}
