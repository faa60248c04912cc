/// One `monitor --interface` capture's counters, as libpcap keeps them (cumulative).
public struct InterfaceHealth: Sendable, Equatable, Encodable {
    public var interface: String
    /// Packets that passed the filter (`pcap_stats` ps_recv; on Linux including the dropped ones).
    public var packetsReceived: UInt64
    /// Lost because the capture ring was full (ps_drop).
    public var packetsDropped: UInt64
    /// The interface's own receive drops since the capture started (ps_ifdrop).
    public var packetsDroppedByInterface: UInt64
    /// Frames rtpscope read from the ring and decoded.
    public var packetsRead: UInt64

    public init(interface: String, packetsReceived: UInt64, packetsDropped: UInt64,
                packetsDroppedByInterface: UInt64, packetsRead: UInt64) {
        self.interface = interface
        self.packetsReceived = packetsReceived
        self.packetsDropped = packetsDropped
        self.packetsDroppedByInterface = packetsDroppedByInterface
        self.packetsRead = packetsRead
    }

    enum CodingKeys: String, CodingKey {
        case interface, packetsReceived = "packets_received", packetsDropped = "packets_dropped"
        case packetsDroppedByInterface = "packets_dropped_by_interface", packetsRead = "packets_read"
    }
}
