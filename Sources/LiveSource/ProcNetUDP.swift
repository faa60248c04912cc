import RTPCore

/// The addresses of one socket as /proc/net/udp{,6} lists them.
struct SocketAddresses: Equatable, Sendable {
    var local: Endpoint
    /// Nil when the socket is not connected (the kernel lists 0:0).
    var remote: Endpoint?
}

/// Parser for /proc/PID/net/udp and /proc/PID/net/udp6 (the process's own network namespace).
///
///     sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode …
///     0: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41234 …
///
/// Addresses are printed as the kernel's 32-bit words in *host* byte order (`%08X` of a __be32
/// loaded natively), one word for IPv4 and four for IPv6; ports are plain hex.
enum ProcNetUDP {
    /// inode → addresses, for every well-formed line; malformed lines are skipped.
    static func parse(_ text: String) -> [UInt64: SocketAddresses] {
        var table: [UInt64: SocketAddresses] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9,
                  let local = endpoint(fields[1]),
                  let remote = endpoint(fields[2]),
                  let inode = UInt64(fields[9]), inode != 0
            else { continue }
            let connected = remote.port != 0
            table[inode] = SocketAddresses(local: local, remote: connected ? remote : nil)
        }
        return table
    }

    /// `ADDRESS:PORT` with an 8- or 32-digit address.
    static func endpoint(_ text: Substring) -> Endpoint? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        guard hex.count == 8 || hex.count == 32 else { return nil }
        var words: [UInt32] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 8)
            guard let word = UInt32(hex[index..<next], radix: 16) else { return nil }
            // The printed number is the native load of network-order bytes: undo that.
            words.append(UInt32(bigEndian: word))
            index = next
        }
        if words.count == 1 {
            return Endpoint(address: IPAddress(v4: words[0]), port: port)
        }
        let high = UInt64(words[0]) << 32 | UInt64(words[1])
        let low = UInt64(words[2]) << 32 | UInt64(words[3])
        return Endpoint(address: IPAddress(v6High: high, low: low).unmappingIPv4(), port: port)
    }

    /// `socket:[12345]` (the target of /proc/PID/fd/N for a socket) → 12345.
    static func socketInode(fromLinkTarget target: String) -> UInt64? {
        guard target.hasPrefix("socket:["), target.hasSuffix("]") else { return nil }
        return UInt64(target.dropFirst("socket:[".count).dropLast())
    }
}
