import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A network namespace joined to the host by a veth pair, for traffic that crosses a real
/// interface (what `monitor --interface` captures) without touching the host's own networks:
/// host side `hostInterface` with `hostAddress`, the namespace's side `peerInterface` with
/// `peerAddress`, a /30 in 10.213.0.0/16 (private, picked at random per run). `remove()` deletes
/// both (deleting one end of a veth deletes the pair); call it in a `defer`.
final class VethNamespace {
    let namespace: String
    let hostInterface: String
    let peerInterface: String
    let hostAddress: String
    let peerAddress: String
    private let ip: String
    private var removed = false

    /// Needs root and iproute2; otherwise skips, or fails under RTPSCOPE_REQUIRE_BPF=1 (as the
    /// monitor's own tests do: a root runner must run this).
    init() throws {
        guard geteuid() == 0 else {
            try Self.unavailable("not running as root (euid \(geteuid())): creating a network namespace needs it")
        }
        do {
            ip = try PackagePaths.executable("ip")
        } catch {
            try Self.unavailable("iproute2's ip is not installed")
        }
        // Interface names: at most 15 bytes.
        let tag = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)
        namespace = "rtpscope-\(tag)"
        hostInterface = "rtpsh\(tag)"
        peerInterface = "rtpsp\(tag)"
        let subnet = UInt32.random(in: 0...(1 << 14 - 1)) * 4  // a /30 within 10.213.0.0/16
        hostAddress = "10.213.\(subnet >> 8).\((subnet & 0xFF) + 1)"
        peerAddress = "10.213.\(subnet >> 8).\((subnet & 0xFF) + 2)"
        do {
            try run(["netns", "add", namespace])
            try run(["link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface, "netns", namespace])
            try run(["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
            try run(["link", "set", hostInterface, "up"])
            try inside(["ip", "addr", "add", "\(peerAddress)/30", "dev", peerInterface])
            try inside(["ip", "link", "set", peerInterface, "up"])
            try inside(["ip", "link", "set", "lo", "up"])
        } catch {
            remove()
            throw error
        }
        // A veth carries traffic only once both ends are up (carrier): bounded wait.
        _ = waitUntil(seconds: 5) {
            (try? String(contentsOfFile: "/sys/class/net/\(hostInterface)/operstate", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "up"
        }
    }

    /// `ip netns exec NAMESPACE` + `command`: the argument list for a child run inside.
    func execArguments(_ command: [String]) -> (executable: String, arguments: [String]) {
        (ip, ["netns", "exec", namespace] + command)
    }

    /// Deletes the pair and the namespace (whatever exists of them); safe to call twice.
    func remove() {
        guard !removed else { return }
        removed = true
        _ = try? runToCompletion(ip, ["link", "del", hostInterface], seconds: 10)
        _ = try? runToCompletion(ip, ["netns", "del", namespace], seconds: 10)
    }

    deinit { remove() }

    private func run(_ arguments: [String]) throws {
        _ = try runToCompletion(ip, arguments, seconds: 10)
    }

    private func inside(_ command: [String]) throws {
        _ = try runToCompletion(ip, ["netns", "exec", namespace] + command, seconds: 10)
    }

    private static func unavailable(_ reason: String) throws -> Never {
        if ProcessInfo.processInfo.environment["RTPSCOPE_REQUIRE_BPF"] == "1" {
            throw E2EError("RTPSCOPE_REQUIRE_BPF=1 but the veth test cannot run: \(reason)")
        }
        try Test.cancel(Comment(rawValue: "skipped, \(reason) (RTPSCOPE_REQUIRE_BPF=1 makes this a failure)"))
    }
}
