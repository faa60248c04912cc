/// An IPv4 or IPv6 address stored as two 64-bit words, so that hashing a stream key
/// (done once per packet) costs a couple of integer mixes instead of a byte-array walk.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Family: UInt8, Sendable, Codable { case v4 = 4, v6 = 6 }

    public let family: Family
    /// IPv6: first 8 bytes, big-endian. IPv4: 0.
    public let high: UInt64
    /// IPv6: last 8 bytes, big-endian. IPv4: the address in the low 32 bits (host order value of the big-endian bytes).
    public let low: UInt64

    /// `value` is the address as read big-endian from the wire (e.g. 127.0.0.1 == 0x7F00_0001).
    public init(v4 value: UInt32) {
        family = .v4
        high = 0
        low = UInt64(value)
    }

    /// `high`/`low` are the two halves of the address read big-endian from the wire.
    public init(v6High high: UInt64, low: UInt64) {
        family = .v6
        self.high = high
        self.low = low
    }

    /// Reads 4 (IPv4) or 16 (IPv6) bytes at `offset`; the caller guarantees the bytes are there.
    @inlinable
    public init(v4Bytes bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.init(v4: bytes.loadBigEndianUInt32(at: offset))
    }

    @inlinable
    public init(v6Bytes bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.init(v6High: bytes.loadBigEndianUInt64(at: offset), low: bytes.loadBigEndianUInt64(at: offset + 8))
    }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (with `::` compression and an optional dotted IPv4 tail).
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let v6 = IPAddress.parseV6(String(text)) else { return nil }
            self = v6
        } else {
            guard let v4 = IPAddress.parseV4(String(text)) else { return nil }
            self.init(v4: v4)
        }
    }

    public var isLoopback: Bool {
        switch family {
        case .v4: return (low >> 24) == 127
        case .v6: return high == 0 && low == 1
        }
    }

    /// The 16 wire bytes of an IPv6 address (or the IPv4-mapped form of an IPv4 one).
    public var v6Bytes: [UInt8] {
        let (h, l) = family == .v6 ? (high, low) : (0, 0xFFFF_0000_0000 | low)
        return (0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: l >> (56 - 8 * UInt64($0))) }
    }

    public var description: String {
        switch family {
        case .v4:
            return String(unsafeUninitializedCapacity: 15) { text in
                DecimalText.dottedQuad(UInt32(truncatingIfNeeded: low), into: text.baseAddress!)
            }
        case .v6:
            return IPAddress.formatV6(high: high, low: low)
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        (a.family.rawValue, a.high, a.low) < (b.family.rawValue, b.high, b.low)
    }

    // MARK: - Text forms

    private static func parseV4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    private static func parseV6(_ text: String) -> IPAddress? {
        var groups: [UInt16] = []
        var tailGroups: [UInt16] = []
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ s: String, allowV4Tail: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, f) in fields.enumerated() {
                if allowV4Tail, i == fields.count - 1, f.contains(".") {
                    guard let v4 = parseV4(String(f)) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard !f.isEmpty, f.count <= 4, let g = UInt16(f, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            guard let head = parseGroups(halves[0], allowV4Tail: false),
                  let tail = parseGroups(halves[1], allowV4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            groups = head
            tailGroups = tail
            groups += Array(repeating: 0, count: 8 - head.count - tail.count) + tailGroups
        } else {
            guard let all = parseGroups(halves[0], allowV4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for g in groups[0..<4] { high = high << 16 | UInt64(g) }
        for g in groups[4..<8] { low = low << 16 | UInt64(g) }
        return IPAddress(v6High: high, low: low)
    }

    /// RFC 5952 text: lowercase hex, the longest run (≥ 2) of zero groups compressed to `::`.
    private static func formatV6(high: UInt64, low: UInt64) -> String {
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            groups[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
            groups[i + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i)))
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[i], radix: 16)
            i += 1
        }
        return text
    }
}

/// A transport endpoint. Text form `ip:port`, IPv6 as `[addr]:port`.
public struct Endpoint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses `ip:port` or `[v6]:port`.
    public init?(_ text: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  let address = IPAddress(text[text.index(after: text.startIndex)..<close]),
                  text[close...].hasPrefix("]:"),
                  let port = UInt16(text[text.index(close, offsetBy: 2)...]) else { return nil }
            self.init(address: address, port: port)
        } else {
            guard let colon = text.lastIndex(of: ":"),
                  let address = IPAddress(text[..<colon]), address.family == .v4,
                  let port = UInt16(text[text.index(after: colon)...]) else { return nil }
            self.init(address: address, port: port)
        }
    }

    public var description: String {
        guard address.family == .v4 else { return "[\(address)]:\(port)" }
        // Byte by byte: interpolation took ~3,000 instructions, and every report spells two per stream.
        return String(unsafeUninitializedCapacity: 21) { text in
            var count = DecimalText.dottedQuad(UInt32(truncatingIfNeeded: address.low), into: text.baseAddress!)
            text[count] = UInt8(ascii: ":")
            count += 1
            return count + DecimalText.write(UInt64(port), into: text.baseAddress! + count)
        }
    }

    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        (a.address, a.port) < (b.address, b.port)
    }
}

public enum TransportProtocol: UInt8, Sendable, Codable, CustomStringConvertible {
    case udp = 17
    case tcp = 6

    public var description: String { self == .udp ? "udp" : "tcp" }
}
