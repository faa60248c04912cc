import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The two loopbacks the tests run on.
enum LoopbackFamily: String, CaseIterable, Sendable {
    case ipv4, ipv6

    var address: String { self == .ipv4 ? "127.0.0.1" : "::1" }

    /// ADDR:PORT as rtptraffic and the monitor's labels write it: 127.0.0.1:5004, [::1]:5004.
    func endpoint(port: UInt16) -> String {
        self == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}

/// A port nothing listens on right now, found by letting the kernel pick one. (Another process
/// could take it before we use it; on a test machine that window is harmless.)
func freePort(_ family: LoopbackFamily = .ipv4, udp: Bool) throws -> UInt16 {
    let domain = family == .ipv4 ? AF_INET : AF_INET6
    let type = Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
    let fd = socket(domain, type, 0)
    guard fd >= 0 else { throw E2EError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }

    var storage = sockaddr_storage()
    var length: socklen_t
    if family == .ipv4 {
        length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                $0.pointee.sin_family = sa_family_t(AF_INET)
                $0.pointee.sin_addr.s_addr = inet_addr("127.0.0.1")
            }
        }
    } else {
        length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                $0.pointee.sin6_family = sa_family_t(AF_INET6)
                $0.pointee.sin6_addr = in6addr_loopback
            }
        }
    }
    let bound = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw E2EError("bind: \(String(cString: strerror(errno)))") }
    let named = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw E2EError("getsockname: \(String(cString: strerror(errno)))") }
    return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
    }
}

/// An IP endpoint compared by value, so "[::1]:5004", "::1:5004" and "[0:0::1]:5004" are equal
/// whichever way the monitor chooses to print IPv6 labels.
struct EndpointText: Equatable, CustomStringConvertible {
    let host: String   // canonical inet_ntop form
    let port: UInt16

    init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(after: close)...].dropFirst()  // skip ':'
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        } else {
            return nil
        }
        guard let port = UInt16(portPart), let host = Self.canonical(String(hostPart)) else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func canonical(_ host: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count)).map { String(cString: $0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)).map { String(cString: $0) }
        }
        return nil
    }
}
