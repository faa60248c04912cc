import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The few parts of an HTTP response the tests look at.
struct HTTPResponse {
    let status: Int
    let headers: [String: String]  // lower-cased names
    let body: String
}

/// A minimal blocking HTTP/1.1 GET against 127.0.0.1 with a hard timeout. Written on sockets
/// rather than URLSession so that a hung or half-started monitor can only ever cost `timeout`.
func httpGet(port: UInt16, path: String, timeout: Double = 2) throws -> HTTPResponse {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw E2EError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }

    var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
        setsockopt(fd, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw E2EError("connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }

    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
    let written = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    guard written == request.utf8.count else { throw E2EError("send request: \(String(cString: strerror(errno)))") }

    var raw = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 65536)
    // Until EOF, or until the response is complete in case the server keeps the connection open.
    while !isCompleteResponse(raw) {
        let n = recv(fd, &chunk, chunk.count, 0)
        if n == 0 { break }
        guard n > 0 else { throw E2EError("GET \(path): \(String(cString: strerror(errno)))") }
        raw.append(contentsOf: chunk[0..<n])
    }
    return try parseHTTPResponse(raw, path: path)
}

/// Header complete and either Content-Length bytes of body or the last chunk have arrived.
private func isCompleteResponse(_ raw: [UInt8]) -> Bool {
    guard let headerEnd = raw.firstRange(of: Array("\r\n\r\n".utf8)) else { return false }
    let head = String(decoding: raw[..<headerEnd.lowerBound], as: UTF8.self).lowercased()
    let bodyLength = raw.count - headerEnd.upperBound
    if let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
       let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
        return bodyLength >= length
    }
    if head.contains("transfer-encoding: chunked") {
        return raw.suffix(5).elementsEqual(Array("0\r\n\r\n".utf8))
    }
    return false  // no length: the body ends at EOF
}

private func parseHTTPResponse(_ raw: [UInt8], path: String) throws -> HTTPResponse {
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    guard let headerEnd = raw.firstRange(of: separator) else {
        throw E2EError("GET \(path): no complete HTTP header in \(raw.count) bytes")
    }
    let head = String(decoding: raw[..<headerEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = head.first?.split(separator: " ") ?? []
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
        throw E2EError("GET \(path): bad status line '\(head.first ?? "")'")
    }
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Array(raw[headerEnd.upperBound...])
    if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body, path: path) }
    return HTTPResponse(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
}

/// RFC 9112 chunked body: "<hex size>[;ext]\r\n<data>\r\n" … "0\r\n\r\n".
private func dechunk(_ bytes: [UInt8], path: String) throws -> [UInt8] {
    var out = [UInt8]()
    var index = 0
    let crlf: [UInt8] = [13, 10]
    while let lineEnd = bytes[index...].firstRange(of: crlf) {
        let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            .split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw E2EError("GET \(path): bad chunk size '\(sizeText)'")
        }
        if size == 0 { return out }
        let start = lineEnd.upperBound
        guard start + size <= bytes.count else { throw E2EError("GET \(path): truncated chunk") }
        out.append(contentsOf: bytes[start..<start + size])
        index = start + size + 2
        guard index <= bytes.count else { break }
    }
    throw E2EError("GET \(path): chunked body without its last chunk")
}
