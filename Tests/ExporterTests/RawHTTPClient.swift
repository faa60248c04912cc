import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A deliberately dumb HTTP client: writes the given bytes verbatim and collects everything the
/// server sends until it closes the connection. That is what lets tests send malformed and
/// oversized requests a real client library would refuse to produce.
enum RawHTTPClient {
    struct Response {
        let statusLine: String
        /// Header names lowercased.
        let headers: [String: String]
        let body: String
    }

    /// All bytes received until the server closed the connection (or `timeout` passed: then the
    /// client closes, and what arrived is returned — a test never hangs on a server that does not answer).
    static func exchange(port: Int, sending request: String, timeout: TimeAmount = .seconds(20)) async throws -> String {
        // The request is written by the channel itself once connected, on its event loop: written
        // after an await, it waited for a cooperative thread, which scale tests running beside it could
        // hold for seconds — long enough for a server under a connection attack to evict the idle
        // connection, or for the request deadline to pass.
        let collector = ByteCollector(sendingOnConnect: request)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { timer.cancel() }
        return try await collector.received.futureResult.get()
    }

    /// Splits a stream of pipelined responses (each with Content-Length or chunked encoding; chunks
    /// are joined into the body, so `body` is what the client application sees).
    static func parseAll(_ raw: String, headRequests: Int = 0) -> [Response] {
        var responses: [Response] = []
        var rest = Substring(raw)
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            rest = rest[end.upperBound...]
            var body = ""
            if responses.count < headRequests {
                // HEAD: no body whatever the headers say.
            } else if headers["transfer-encoding"] == "chunked" {
                while let sizeEnd = rest.range(of: "\r\n"), let size = Int(rest[..<sizeEnd.lowerBound], radix: 16) {
                    let data = rest[sizeEnd.upperBound...].utf8.prefix(size)
                    body += String(decoding: data, as: UTF8.self)
                    rest = Substring(rest[data.endIndex...].utf8.dropFirst(2))  // the CRLF after the data
                    if size == 0 { break }
                }
            } else {
                let length = Int(headers["content-length"] ?? "0") ?? 0
                let data = rest.utf8.prefix(length)
                body = String(decoding: data, as: UTF8.self)
                rest = rest[data.endIndex...]
            }
            responses.append(Response(statusLine: lines[0], headers: headers, body: body))
        }
        return responses
    }

    static func get(port: Int, _ path: String, method: String = "GET", headers: [String] = [],
                    timeout: TimeAmount = .seconds(20)) async throws -> Response {
        let extra = headers.map { $0 + "\r\n" }.joined()
        let raw = try await exchange(
            port: port, sending: "\(method) \(path) HTTP/1.1\r\nHost: test\r\n\(extra)Connection: close\r\n\r\n", timeout: timeout)
        return parseAll(raw, headRequests: method == "HEAD" ? 1 : 0).first
            ?? Response(statusLine: "<no response>", headers: [:], body: raw)
    }
}

/// Collects everything a server sends on a connection until it closes it (or resets it: what was
/// received before still counts).
final class ByteCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: String.self)
    private let bytes = NIOLockedValueBox("")
    private let request: String

    init(sendingOnConnect request: String = "") {
        self.request = request
    }

    func channelActive(context: ChannelHandlerContext) {
        if !request.isEmpty {
            // A server that drops the connection at accept (connection cap) may close it before or
            // while this is written: that is an answer ("<no response>"), so only the read side decides.
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: request)), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let text = buffer.readString(length: buffer.readableBytes) ?? ""
        bytes.withLockedValue { $0 += text }
    }

    func channelInactive(context: ChannelHandlerContext) {
        received.succeed(bytes.withLockedValue { $0 })
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

import Foundation
