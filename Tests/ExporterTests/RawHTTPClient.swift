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

    /// All bytes received until the server closed the connection.
    static func exchange(port: Int, sending request: String) async throws -> String {
        let received = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: String.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(done: received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        if !request.isEmpty {
            // A server that drops the connection at accept (connection cap) may close it before or
            // while we write: that is an answer ("<no response>"), so only the read side decides.
            try? await channel.writeAndFlush(channel.allocator.buffer(string: request)).get()
        }
        return try await received.futureResult.get()
    }

    /// Splits a stream of pipelined responses (each must carry Content-Length).
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
            let length = responses.count < headRequests ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            let body = rest.utf8.prefix(length)
            rest = rest[body.endIndex...]
            responses.append(Response(statusLine: lines[0], headers: headers, body: String(decoding: body, as: UTF8.self)))
        }
        return responses
    }

    static func get(port: Int, _ path: String, method: String = "GET") async throws -> Response {
        let raw = try await exchange(port: port, sending: "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        return parseAll(raw, headRequests: method == "HEAD" ? 1 : 0).first
            ?? Response(statusLine: "<no response>", headers: [:], body: raw)
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var bytes = ""
        private let done: EventLoopPromise<String>

        init(done: EventLoopPromise<String>) {
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            bytes += buffer.readString(length: buffer.readableBytes) ?? ""
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(bytes)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset after the response still leaves us with what was received.
            context.close(promise: nil)
        }
    }
}

import Foundation
