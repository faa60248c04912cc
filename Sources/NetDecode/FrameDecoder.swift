import RTPCore

/// PLACEHOLDER: link-layer → IP → UDP/TCP decoding (the capture work fills this in).
public enum LinkType: Int32, Sendable {
    case null = 0
    case ethernet = 1
    case raw = 101
    case loop = 108
    case linuxSLL = 113
    case ipv4 = 228
    case ipv6 = 229
    case linuxSLL2 = 276
}
