/// What makes two RTP packets the same stream: transport, source and destination endpoints, SSRC,
/// and for live datagrams the process and direction (the same socket pair seen by a sender and a
/// receiver process are two streams). tshark keys streams the same way minus the process, so the
/// same SSRC on two legs is two streams. A small value type: hashing it costs a few integer mixes.
public struct StreamKey: Hashable, Sendable {
    public var transport: TransportProtocol
    public var source: Endpoint
    public var destination: Endpoint
    public var ssrc: UInt32
    public var pid: Int32?
    public var direction: Direction?

    public init(transport: TransportProtocol, source: Endpoint, destination: Endpoint, ssrc: UInt32,
                pid: Int32? = nil, direction: Direction? = nil) {
        self.transport = transport
        self.source = source
        self.destination = destination
        self.ssrc = ssrc
        self.pid = pid
        self.direction = direction
    }

    /// Hashed once per packet: the fields are folded into two words (multiply-rotate mixing keeps
    /// every bit relevant) so SipHash runs over 16 bytes instead of one round per field. Equality still
    /// compares every field, so a fold collision costs a probe, never a wrong stream.
    public func hash(into hasher: inout Hasher) {
        let (identity, portsAndSSRC) = foldedWords
        hasher.combine(identity)
        hasher.combine(portsAndSSRC)
    }

    /// The fold of `foldedWords` into one word for `StreamTable`, which applies its own seeded mix.
    /// Bijective in the ports/SSRC word, so keys that differ only there never collide.
    @inline(__always)
    var foldedHash: UInt64 {
        let (identity, portsAndSSRC) = foldedWords
        return (identity &* Self.spread).rotateLeft(29) ^ portsAndSSRC
    }

    private static let spread: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Addresses, families, transport and process folded into one word; ports and SSRC in the other.
    @inline(__always)
    private var foldedWords: (UInt64, UInt64) {
        let spread = Self.spread
        let direction: UInt64 = switch self.direction { case nil: 0; case .sent: 1; case .received: 2 }
        let family = UInt64(source.address.family.rawValue) << 8 | UInt64(destination.address.family.rawValue)
        let pid = pid.map { UInt64(UInt32(bitPattern: $0)) | 1 << 32 } ?? 0
        let misc = pid << 24 | direction << 20 | family << 4 | UInt64(transport.rawValue)
        var addresses = source.address.high &* spread
        addresses = (addresses ^ source.address.low).rotateLeft(23) &* spread
        addresses = (addresses ^ destination.address.high).rotateLeft(23) &* spread
        addresses = (addresses ^ destination.address.low).rotateLeft(23) &* spread
        return (addresses ^ misc, UInt64(source.port) << 48 | UInt64(destination.port) << 32 | UInt64(ssrc))
    }
}

extension UInt64 {
    fileprivate func rotateLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}

/// A live view of one stream for the exporter: its report plus the interval histogram.
public struct StreamSnapshot: Sendable {
    public var key: StreamKey
    public var report: StreamReport
    public var intervalHistogram: IntervalHistogram
    /// Arrival time of the stream's latest packet.
    public var lastSeen: Nanoseconds
}
