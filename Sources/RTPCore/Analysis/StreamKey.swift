/// What makes two RTP packets the same stream: transport, source and destination endpoints, SSRC,
/// and for live datagrams the process and direction (the same socket pair seen by a sender and a
/// receiver process are two streams) or the interface they were captured on (the same 5-tuple seen
/// on two interfaces is two streams). tshark keys streams the same way minus the process, so the
/// same SSRC on two legs is two streams. A small value type: hashing it costs a few integer mixes.
public struct StreamKey: Hashable, Sendable {
    public var transport: TransportProtocol
    public var source: Endpoint
    public var destination: Endpoint
    public var ssrc: UInt32
    public var pid: Int32?
    public var direction: Direction?
    /// The kernel index of the interface the stream was captured on (`monitor --interface`); nil for
    /// process and capture-file streams. A key has a pid or an interface, not both: with both, the
    /// packed key keeps the pid.
    public var interface: UInt32?

    public init(transport: TransportProtocol, source: Endpoint, destination: Endpoint, ssrc: UInt32,
                pid: Int32? = nil, direction: Direction? = nil, interface: UInt32? = nil) {
        self.transport = transport
        self.source = source
        self.destination = destination
        self.ssrc = ssrc
        self.pid = pid
        self.direction = direction
        self.interface = pid == nil ? interface : nil
    }

    /// Folded into two words by `PackedStreamKey` (multiply-rotate mixing keeps every bit relevant) so
    /// SipHash runs over 16 bytes instead of one round per field. Equality still compares every field,
    /// so a fold collision costs a probe, never a wrong stream.
    public func hash(into hasher: inout Hasher) {
        let packed = PackedStreamKey(self)
        hasher.combine(packed.foldedAddresses ^ packed.context)
        hasher.combine(packed.portsAndSSRC)
    }
}

/// A `StreamKey` as six machine words: what `StreamTable` hashes and compares once per packet.
///
/// Why not the key itself: its optionals, enums and byte-sized fields make the compiler shuffle it
/// through unaligned stack copies (store-forwarding stalls were ~10 % of the lookup) and compare it field
/// by field. Built straight from a datagram's fields, this compares as six integers. The packing is
/// injective (every field has its own bits), so equal words mean equal keys.
struct PackedStreamKey: Equatable {
    var sourceHigh: UInt64
    var sourceLow: UInt64
    var destinationHigh: UInt64
    var destinationLow: UInt64
    /// Source port, destination port, SSRC.
    var portsAndSSRC: UInt64
    /// Address families, transport, and the live context: direction, and either the pid (presence
    /// bit 56) or an interface index (presence bit 57) in the same 32 bits — a stream has one or
    /// the other.
    var context: UInt64

    /// Whether the stream was captured on an interface (rather than from a process or a file).
    var hasInterface: Bool { context >> 57 & 1 == 1 }

    @inline(__always)
    init(transport: TransportProtocol, source: Endpoint, destination: Endpoint, ssrc: UInt32,
         pid: Int32?, direction: Direction?, interface: UInt32? = nil) {
        sourceHigh = source.address.high
        sourceLow = source.address.low
        destinationHigh = destination.address.high
        destinationLow = destination.address.low
        portsAndSSRC = UInt64(source.port) << 48 | UInt64(destination.port) << 32 | UInt64(ssrc)
        let directionBits: UInt64 = switch direction { case nil: 0; case .sent: 1; case .received: 2 }
        let originBits = pid.map { UInt64(UInt32(bitPattern: $0)) | 1 << 32 }
            ?? interface.map { UInt64($0) | 1 << 33 } ?? 0
        let families = UInt64(source.address.family.rawValue) << 8 | UInt64(destination.address.family.rawValue)
        context = originBits << 24 | directionBits << 20 | families << 4 | UInt64(transport.rawValue)
    }

    init(_ key: StreamKey) {
        self.init(transport: key.transport, source: key.source, destination: key.destination, ssrc: key.ssrc,
                  pid: key.pid, direction: key.direction, interface: key.interface)
    }

    /// The key with SSRC 0 and no process context, endpoints in a fixed order: what two streams on
    /// one socket pair (either direction, any process) share.
    var flow: PackedStreamKey {
        var flow = self
        let swap = (destinationHigh, destinationLow, portsAndSSRC >> 32 & 0xFFFF) < (sourceHigh, sourceLow, portsAndSSRC >> 48)
        if swap {
            (flow.sourceHigh, flow.destinationHigh) = (destinationHigh, sourceHigh)
            (flow.sourceLow, flow.destinationLow) = (destinationLow, sourceLow)
        }
        let sourcePort = portsAndSSRC >> 48, destinationPort = portsAndSSRC >> 32 & 0xFFFF
        flow.portsAndSSRC = swap ? destinationPort << 48 | sourcePort << 32 : sourcePort << 48 | destinationPort << 32
        // Families (bits 4…19, swapped with the endpoints) and transport; no pid, no direction.
        let sourceFamily = context >> 12 & 0xFF, destinationFamily = context >> 4 & 0xFE
        let families = swap ? destinationFamily << 8 | sourceFamily : sourceFamily << 8 | destinationFamily
        flow.context = families << 4 | context & 0x1F
        return flow
    }

    /// The four address words mixed into one.
    @inline(__always)
    var foldedAddresses: UInt64 {
        let spread: UInt64 = 0x9E37_79B9_7F4A_7C15
        var addresses = sourceHigh &* spread
        addresses = (addresses ^ sourceLow).rotateLeft(23) &* spread
        addresses = (addresses ^ destinationHigh).rotateLeft(23) &* spread
        addresses = (addresses ^ destinationLow).rotateLeft(23) &* spread
        return addresses
    }

    /// Every word folded into one, for `StreamTable` (which applies its own seeded mix). Bijective in
    /// the ports/SSRC word, so keys that differ only there never collide.
    @inline(__always)
    var folded: UInt64 {
        ((foldedAddresses ^ context) &* 0x9E37_79B9_7F4A_7C15).rotateLeft(29) ^ portsAndSSRC
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotateLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}

/// A live view of one stream for the exporter: its report plus the interval histogram.
public struct StreamSnapshot: Sendable {
    public var key: StreamKey
    public var report: StreamReport
    public var intervalHistogram: IntervalHistogram
    /// Arrival time of the stream's latest packet.
    public var lastSeen: Nanoseconds
    /// Outgoing streams of a live analysis: stalls and per-second worst send interval.
    public var pacing: SendPacing?
}

extension StreamKey {
    /// The key a `PackedStreamKey` was packed from (the packing is injective).
    init(_ packed: PackedStreamKey) {
        func address(family: UInt64, high: UInt64, low: UInt64) -> IPAddress {
            family == UInt64(IPAddress.Family.v6.rawValue)
                ? IPAddress(v6High: high, low: low) : IPAddress(v4: UInt32(truncatingIfNeeded: low))
        }
        let context = packed.context
        let transport: TransportProtocol = context & 0x1F == UInt64(TransportProtocol.tcp.rawValue) ? .tcp : .udp
        let source = Endpoint(address: address(family: context >> 12 & 0xFF, high: packed.sourceHigh, low: packed.sourceLow),
                              port: UInt16(truncatingIfNeeded: packed.portsAndSSRC >> 48))
        let destination = Endpoint(
            address: address(family: context >> 4 & 0xFE, high: packed.destinationHigh, low: packed.destinationLow),
            port: UInt16(truncatingIfNeeded: packed.portsAndSSRC >> 32))
        let direction: Direction? = switch context >> 20 & 0x3 { case 1: .sent; case 2: .received; default: nil }
        let pid: Int32? = context >> 56 & 1 == 1 ? Int32(bitPattern: UInt32(truncatingIfNeeded: context >> 24)) : nil
        let interface: UInt32? = context >> 57 & 1 == 1 ? UInt32(truncatingIfNeeded: context >> 24) : nil
        self.init(transport: transport, source: source, destination: destination,
                  ssrc: UInt32(truncatingIfNeeded: packed.portsAndSSRC), pid: pid, direction: direction,
                  interface: interface)
    }
}
