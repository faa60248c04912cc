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
        let probePort = try freePort(udp: true)
        file = FileManager.default.temporaryDirectory
            .appendingPathComponent("rtpscope-e2e-\(port)-\(UUID().uuidString.prefix(8)).pcapng").path
        // Without -q dumpcap reports "Packets: N" while it captures; the probes use that.
        dumpcap = try children.start("dumpcap", try PackagePaths.executable("dumpcap"),
                                     ["-i", "lo", "-f", "udp port \(port) or udp port \(probePort)", "-w", file])
        let capturing = waitUntil(seconds: 10) { self.dumpcap.stderr.contains("Capturing on") || !self.dumpcap.isRunning }
        guard capturing, dumpcap.isRunning else {
            dumpcap.stop()
            throw E2EError("dumpcap did not start capturing (\(dumpcap.exitDescription)): \(dumpcap.stderr)")
        }
        // "Capturing on …" is not enough: the first datagrams of a sender started right after it
        // were missing from the capture in ~1 run in 20 (rtptraffic send, 2 ms batches). So probe
        // datagrams go to a second port in the capture filter (never counted) until dumpcap has
        // captured one.
        let probed = waitUntil(seconds: 10, interval: 0.1) {
            Self.sendProbe(to: probePort)
            return self.dumpcap.stderr.contains("Packets: ") || !self.dumpcap.isRunning
        }
        guard probed, dumpcap.isRunning else {
            dumpcap.stop()
            throw E2EError("dumpcap captured none of its probes to udp port \(probePort): \(dumpcap.stderr)")
        }
    }

    /// One datagram from a throwaway socket to 127.0.0.1:port (nothing listens there).
    private static func sendProbe(to port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let probe = Array("rtpscope capture probe".utf8)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, probe, probe.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
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
