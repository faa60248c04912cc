import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
@testable import Exporter

/// Hostile connections for the tests: each slot connects, misbehaves, and (by default) reconnects
/// 1 s after the server closes it, until `stop()`. Loopback only; bounded by the test.
final class ConnectionAttack: Sendable {
    /// The attackers' own event loop, so their churn does not queue behind the server's work.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    enum Behaviour: Sendable {
        /// One byte of a never-ending request head every interval.
        case trickle(every: Duration)
        /// A complete head announcing `Content-Length: 10`, and no body.
        case headWithoutBody
        /// Connects and sends nothing.
        case silent
    }

    private let port: Int
    private let connections: Int
    private let behaviour: Behaviour
    private let reconnect: Bool
    private let state = NIOLockedValueBox(State())
    private let firstReceived = NIOLockedValueBox<EventLoopPromise<String>?>(nil)

    private struct State {
        var connects = 0
        var closedByServer = 0
        var tasks: [Task<Void, Never>] = []
    }

    init(port: Int, connections: Int, behaviour: Behaviour, reconnect: Bool = true) {
        self.port = port
        self.connections = connections
        self.behaviour = behaviour
        self.reconnect = reconnect
    }

    var connects: Int { state.withLockedValue { $0.connects } }
    var closedByServer: Int { state.withLockedValue { $0.closedByServer } }

    func start() {
        let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: String.self)
        firstReceived.withLockedValue { $0 = promise }
        let tasks = (0..<connections).map { _ in Task { await self.attackLoop() } }
        state.withLockedValue { $0.tasks = tasks }
    }

    func stop() async {
        let tasks = state.withLockedValue { $0.tasks }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        firstReceived.withLockedValue { $0?.succeed("") }
    }

    /// What the server sent on the first connection before closing it.
    func firstConnectionReceived() async throws -> String {
        guard let promise = firstReceived.withLockedValue({ $0 }) else { return "" }
        return try await promise.futureResult.get()
    }

    private func attackLoop() async {
        while !Task.isCancelled {
            let collector = ByteCollector()
            guard let channel = try? await ClientBootstrap(group: Self.group)
                .channelInitializer({ channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
                })
                .connect(host: "127.0.0.1", port: port).get()
            else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            state.withLockedValue { $0.connects += 1 }
            await misbehave(on: channel)
            let closedByServer = !channel.isActive
            try? await channel.close()
            let received = (try? await collector.received.futureResult.get()) ?? ""
            if closedByServer {
                state.withLockedValue { $0.closedByServer += 1 }
                if let promise = firstReceived.withLockedValue({ current -> EventLoopPromise<String>? in
                    defer { current = nil }
                    return current
                }) {
                    promise.succeed(received)
                }
            }
            if !reconnect { return }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Returns when the server closes the connection or the attack is stopped.
    private func misbehave(on channel: any Channel) async {
        let head = "GET /metrics HTTP/1.1\r\nHost: attacker\r\nX-Slow: " + String(repeating: "a", count: 4000)
        var sent = 0
        switch behaviour {
        case .headWithoutBody:
            try? await channel.writeAndFlush(channel.allocator.buffer(
                string: "POST /metrics HTTP/1.1\r\nHost: attacker\r\nContent-Length: 10\r\n\r\n"))
        case .trickle, .silent:
            break
        }
        while channel.isActive, !Task.isCancelled {
            if case .trickle(let interval) = behaviour {
                let byte = head.utf8[head.utf8.index(head.utf8.startIndex, offsetBy: sent % head.utf8.count)]
                try? await channel.writeAndFlush(channel.allocator.buffer(bytes: [byte]))
                sent += 1
                try? await Task.sleep(for: interval)
            } else {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// A client that pipelines requests and does not read the responses until told to: its socket
/// receive buffer is small and reading is off (`autoRead` false, no `read()`).
final class PipeliningClient: Sendable {
    private let channel: any Channel
    private let collector: ByteCollector

    private init(channel: any Channel, collector: ByteCollector) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(port: Int) async throws -> PipeliningClient {
        let collector = ByteCollector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return PipeliningClient(channel: channel, collector: collector)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(string: text))
    }

    /// Starts reading and returns everything until the server closes the connection (60 s at most).
    func readUntilClosed() async throws -> String {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
        let timer = channel.eventLoop.scheduleTask(in: .seconds(60)) { [channel] in channel.close(promise: nil) }
        defer { timer.cancel() }
        return try await collector.received.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }
}

extension RawHTTPClient {
    /// Sends `request`, waits, sends the second request on the same connection, and returns all
    /// bytes until the server closes.
    static func exchange(port: Int, sending request: String, then second: (Duration, String)) async throws -> String {
        let client = try await PipeliningClient.connect(port: port)
        try await client.send(request)
        try await Task.sleep(for: second.0)
        try await client.send(second.1)
        return try await client.readUntilClosed()
    }
}
