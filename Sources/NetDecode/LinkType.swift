/// Link-layer header types this decoder understands, numbered as LINKTYPE_ values (the numbers
/// written in pcap/pcapng files, https://www.tcpdump.org/linktypes.html).
public enum LinkType: Int32, Sendable, CaseIterable {
    case null = 0
    case ethernet = 1
    case raw = 101
    case loop = 108
    case linuxSLL = 113
    case ipv4 = 228
    case ipv6 = 229
    case linuxSLL2 = 276

    /// Maps a DLT_ value as returned by `pcap_datalink()`. libpcap translates the file's LINKTYPE_
    /// to the platform's DLT_, and they differ for raw IP: LINKTYPE_RAW (101) comes back as
    /// DLT_RAW, which is 12 on Linux and most platforms, 14 on a few BSDs.
    public init?(dlt: Int32) {
        switch dlt {
        case 12, 14: self = .raw
        default: self.init(rawValue: dlt)
        }
    }
}
