import RTPCore

/// `ADDR:PORT`, `[V6]:PORT` or `:PORT` (all addresses).
struct ListenAddress {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        guard IPAddress(host) != nil || host == "localhost" else { return nil }
        self.host = host
        self.port = port
    }
}
