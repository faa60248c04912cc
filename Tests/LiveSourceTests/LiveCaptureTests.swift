import Glibc
import Testing
@testable import LiveSource
import RTPCore

/// Whether the live tests can run here: nil when a capture loads, else the reason it does not.
/// With RTPSCOPE_REQUIRE_BPF=1 the tests run regardless, so the reason becomes a failure.
enum LiveBPF {
    static let requireBPF = getenv("RTPSCOPE_REQUIRE_BPF").map { String(cString: $0) } == "1"

    static let unavailableReason: String? = {
        do {
            let probe = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], ringBufferBytes: 1 << 16))
            probe.close()
            return nil
        } catch let error as LiveCaptureError {
            return error.description
        } catch {
            return "\(error)"
        }
    }()

    static var shouldRun: Bool { requireBPF || unavailableReason == nil }
    static var skipComment: Comment {
        Comment(rawValue: "eBPF live capture unavailable (set RTPSCOPE_REQUIRE_BPF=1 to fail instead): \(unavailableReason ?? "")")
    }

    static var ownComm: String {
        (TextFile.read("/proc/self/comm") ?? "").split(separator: "\n").first.map(String.init) ?? ""
    }
}

/// What the tests keep of a delivered datagram (the payload itself is only borrowed).
struct CapturedDatagram: Equatable {
    var syscallHint: Direction
    var source: Endpoint
    var destination: Endpoint
    var sequence: UInt16
    var firstByte: UInt8
    var pid: Int32
    var comm: String
    var length: Int

    init(_ datagram: Datagram) {
        syscallHint = datagram.process?.direction ?? .sent
        source = datagram.source
        destination = datagram.destination
        let payload = datagram.payload
        firstByte = payload.first ?? 0
        sequence = payload.count >= 4 ? UInt16(payload[2]) << 8 | UInt16(payload[3]) : 0
        pid = datagram.process?.pid ?? -1
        comm = datagram.process?.comm ?? ""
        length = datagram.originalLength
    }
}

/// Polls until `expected` datagrams touching `ports` arrived, or two seconds passed.
func collect(from capture: LiveCapture, ports: Set<UInt16>, expected: Int) -> [CapturedDatagram] {
    var collected: [CapturedDatagram] = []
    let deadline = SystemClock.now(CLOCK_MONOTONIC) + 2_000_000_000
    while collected.count < expected && SystemClock.now(CLOCK_MONOTONIC) < deadline {
        capture.poll(timeoutMilliseconds: 20) { datagram in
            guard ports.contains(datagram.source.port) || ports.contains(datagram.destination.port) else { return }
            collected.append(CapturedDatagram(datagram))
        }
    }
    // Anything late (there should be nothing) is collected too, so over-counting is caught.
    capture.poll(timeoutMilliseconds: 20) { datagram in
        guard ports.contains(datagram.source.port) || ports.contains(datagram.destination.port) else { return }
        collected.append(CapturedDatagram(datagram))
    }
    return collected
}

/// Both capture paths, each forced (never the fallback), for the tests that must hold on both.
let bothPaths: [LiveCaptureOptions.CaptureSelection] = [.socket, .syscalls]

@Suite(.serialized, .enabled(if: LiveBPF.shouldRun, LiveBPF.skipComment))
struct LiveCaptureTests {
    static let count = 5

    /// Every send and receive syscall, over one address family, with exact per-hook counts,
    /// addresses, sequence numbers and process attribution, on both capture paths.
    @Test(arguments: bothPaths, [IPAddress.Family.v4, .v6])
    func capturesEverySyscallExactly(path: LiveCaptureOptions.CaptureSelection, family: IPAddress.Family) throws {
        let capture: LiveCapture
        do {
            capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], capture: path))
        } catch {
            Issue.record("eBPF could not start: \(error)")
            return
        }
        defer { capture.close() }
        #expect(capture.path.rawValue == path.rawValue)

        let sender = try TestSocket(family)
        let connected = try TestSocket(family)
        let fromReceiver = try TestSocket(family)   // read with recvfrom
        let msgReceiver = try TestSocket(family)    // read with recvmsg
        let mmsgReceiver = try TestSocket(family)   // read with recvmmsg
        try connected.connect(to: msgReceiver.localEndpoint)
        let n = Self.count

        for i in 0..<n { try sender.sendto(rtpPacket(sequence: UInt16(1000 + i)), to: fromReceiver.localEndpoint) }
        // Not RTP (first byte 0x00): must never show up, sent or received.
        try sender.sendto([0x00] + [UInt8](repeating: 1, count: 40), to: fromReceiver.localEndpoint)
        for i in 0..<n { try sender.sendmsg([rtpPacket(sequence: UInt16(2000 + i))], to: msgReceiver.localEndpoint) }
        for i in 0..<n {
            // Header and payload in separate iovecs: the kernel must stitch them.
            let packet = rtpPacket(sequence: UInt16(3000 + i))
            try connected.sendmsg([Array(packet[0..<12]), Array(packet[12...])], to: nil)
        }
        try sender.sendmmsg((0..<n).map { rtpPacket(sequence: UInt16(4000 + $0)) }, to: mmsgReceiver.localEndpoint)

        for _ in 0...n { _ = try fromReceiver.recvfrom() }        // n RTP + the non-RTP one
        for _ in 0..<(2 * n) { _ = try msgReceiver.recvmsg() }
        #expect(try mmsgReceiver.recvmmsg(count: n) == n)

        let ports: Set = [sender, connected, fromReceiver, msgReceiver, mmsgReceiver].map(\.localEndpoint.port).reduce(into: []) { $0.insert($1) }
        let datagrams = collect(from: capture, ports: ports, expected: 8 * n)

        #expect(datagrams.count == 8 * n)
        #expect(datagrams.allSatisfy { $0.firstByte & 0xC0 == 0x80 }, "a non-RTP datagram was delivered")
        #expect(datagrams.allSatisfy { $0.pid == getpid() && $0.comm == LiveBPF.ownComm })
        #expect(datagrams.allSatisfy { $0.length == 172 })

        func sequences(from source: Endpoint, to destination: Endpoint, _ direction: Direction) -> [UInt16] {
            datagrams.filter { $0.source == source && $0.destination == destination && $0.syscallHint == direction }
                .map(\.sequence).sorted()
        }
        let range = { (base: Int) in (0..<n).map { UInt16(base + $0) } }
        // sendto / recvfrom
        #expect(sequences(from: sender.localEndpoint, to: fromReceiver.localEndpoint, .sent) == range(1000))
        #expect(sequences(from: sender.localEndpoint, to: fromReceiver.localEndpoint, .received) == range(1000))
        // sendmsg unconnected + connected (two iovecs) / recvmsg
        #expect(sequences(from: sender.localEndpoint, to: msgReceiver.localEndpoint, .sent) == range(2000))
        #expect(sequences(from: connected.localEndpoint, to: msgReceiver.localEndpoint, .sent) == range(3000))
        #expect(sequences(from: sender.localEndpoint, to: msgReceiver.localEndpoint, .received) == range(2000))
        #expect(sequences(from: connected.localEndpoint, to: msgReceiver.localEndpoint, .received) == range(3000))
        // sendmmsg / recvmmsg
        #expect(sequences(from: sender.localEndpoint, to: mmsgReceiver.localEndpoint, .sent) == range(4000))
        #expect(sequences(from: sender.localEndpoint, to: mmsgReceiver.localEndpoint, .received) == range(4000))

        let statistics = capture.statistics()
        if capture.path == .syscalls {
            for hook in [CaptureHook.sendto, .recvfrom, .sendmmsg, .recvmmsg] {
                #expect(statistics.eventsByHook[hook] == UInt64(n), "\(hook)")
            }
            #expect(statistics.eventsByHook[.sendmsg] == UInt64(2 * n))
            #expect(statistics.eventsByHook[.recvmsg] == UInt64(2 * n))
            #expect(statistics.attachedPrograms.count == 12)
            #expect(statistics.programs.first { $0.name == "exit_sendto" }.map { $0.runCount > 0 } == true)
        } else {
            #expect(statistics.eventsByHook[.egress] == UInt64(4 * n))
            #expect(statistics.eventsByHook[.ingress] == UInt64(4 * n))
            #expect(Set(statistics.attachedPrograms) == ["socket_egress", "socket_ingress", "socket_create", "socket_recvmsg4", "socket_recvmsg6"])
            #expect(statistics.programs.first { $0.name == "socket_ingress" }.map { $0.runCount > 0 } == true)
            #expect(statistics.ownerUnknown == 0)
        }
        #expect(statistics.eventsLost == 0)
        #expect(statistics.unresolvedAddresses == 0)
    }

    /// Port and direction filters run in the kernel: only the selected traffic arrives.
    @Test(arguments: bothPaths)
    func portAndDirectionFiltersApply(path: LiveCaptureOptions.CaptureSelection) throws {
        let sender = try TestSocket(.v4)
        let wanted = try TestSocket(.v4)
        let other = try TestSocket(.v4)
        let capture = try LiveCapture(options: LiveCaptureOptions(
            pids: [getpid()], udpPorts: [wanted.localEndpoint.port], direction: .received, capture: path))
        defer { capture.close() }

        for i in 0..<3 {
            try sender.sendto(rtpPacket(sequence: UInt16(i)), to: wanted.localEndpoint)
            try sender.sendto(rtpPacket(sequence: UInt16(100 + i)), to: other.localEndpoint)
        }
        for _ in 0..<3 {
            _ = try wanted.recvfrom()
            _ = try other.recvfrom()
        }
        let ports: Set = [sender.localEndpoint.port, wanted.localEndpoint.port, other.localEndpoint.port]
        let datagrams = collect(from: capture, ports: ports, expected: 3)
        #expect(datagrams.map(\.sequence).sorted() == [0, 1, 2])
        #expect(datagrams.allSatisfy { $0.syscallHint == .received && $0.destination == wanted.localEndpoint })
        #expect(!capture.statistics().attachedPrograms.isEmpty)
        #expect(capture.statistics().attachedPrograms.allSatisfy { !$0.contains("send") && !$0.contains("egress") })
    }

    /// Selecting by process name (the main thread's comm, whatever the sending thread is called).
    @Test(arguments: bothPaths)
    func commFilterSelectsTheProcessByName(path: LiveCaptureOptions.CaptureSelection) throws {
        let sender = try TestSocket(.v6)
        let receiver = try TestSocket(.v6)
        let capture = try LiveCapture(options: LiveCaptureOptions(comms: [LiveBPF.ownComm], direction: .sent, capture: path))
        defer { capture.close() }
        for i in 0..<4 { try sender.sendto(rtpPacket(sequence: UInt16(70 + i)), to: receiver.localEndpoint) }
        let datagrams = collect(from: capture, ports: [sender.localEndpoint.port, receiver.localEndpoint.port], expected: 4)
        #expect(datagrams.map(\.sequence).sorted() == [70, 71, 72, 73])
        #expect(datagrams.allSatisfy { $0.pid == getpid() && $0.source == sender.localEndpoint })
    }

    /// What lies beyond the syscall capture's fixed walks is counted, never silently dropped.
    @Test func walkBoundsAreCounted() throws {
        let sender = try TestSocket(.v4)
        let receiver = try TestSocket(.v4)
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], direction: .sent, capture: .syscalls))
        defer { capture.close() }
        // 20 datagrams in one sendmmsg: 16 reported, 4 counted.
        try sender.sendmmsg((0..<20).map { rtpPacket(sequence: UInt16(500 + $0)) }, to: receiver.localEndpoint)
        // One datagram in 10 iovecs of 16 bytes: the first 8 iovecs (128 bytes) are copied.
        let packet = rtpPacket(sequence: 600, payloadBytes: 148)
        try sender.sendmsg((0..<10).map { Array(packet[($0 * 16)..<($0 * 16 + 16)]) }, to: receiver.localEndpoint)

        var payloadLengths: [UInt16: Int] = [:]
        let deadline = SystemClock.now(CLOCK_MONOTONIC) + 2_000_000_000
        while payloadLengths.count < 17 && SystemClock.now(CLOCK_MONOTONIC) < deadline {
            capture.poll(timeoutMilliseconds: 20) { datagram in
                guard datagram.destination == receiver.localEndpoint else { return }
                let payload = datagram.payload
                let sequence = UInt16(payload[2]) << 8 | UInt16(payload[3])
                payloadLengths[sequence] = payload.count
                #expect(datagram.originalLength == (sequence == 600 ? 160 : 172))
            }
        }
        #expect(Set(payloadLengths.keys) == Set((500..<516).map(UInt16.init) + [600]))
        #expect(payloadLengths[600] == 128)
        #expect(payloadLengths[500] == 172)
        let statistics = capture.statistics()
        #expect(statistics.messageBoundExceeded == 4)
        #expect(statistics.iovecBoundExceeded == 1)
    }

    /// The socket capture has no walk bounds: 20 datagrams of one sendmmsg and a datagram in 10
    /// iovecs are each reported whole.
    @Test func socketCaptureHasNoWalkBounds() throws {
        let sender = try TestSocket(.v4)
        let receiver = try TestSocket(.v4)
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], direction: .sent, capture: .socket))
        defer { capture.close() }
        try sender.sendmmsg((0..<20).map { rtpPacket(sequence: UInt16(500 + $0)) }, to: receiver.localEndpoint)
        let packet = rtpPacket(sequence: 600, payloadBytes: 148)
        try sender.sendmsg((0..<10).map { Array(packet[($0 * 16)..<($0 * 16 + 16)]) }, to: receiver.localEndpoint)
        let datagrams = collect(from: capture, ports: [receiver.localEndpoint.port], expected: 21)
        #expect(datagrams.map(\.sequence).sorted() == (500..<520).map(UInt16.init) + [600])
        #expect(datagrams.first { $0.sequence == 600 }?.length == 160)
        #expect(capture.statistics().eventsLost == 0)
    }

    /// RTP-looking bytes on a socket that is not UDP (here a UNIX datagram pair) are ignored.
    @Test(arguments: bothPaths)
    func nonUDPSocketsAreIgnored(path: LiveCaptureOptions.CaptureSelection) throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], direction: .sent, capture: path))
        defer { capture.close() }
        let packet = rtpPacket(sequence: 1)
        for _ in 0..<3 { #expect(send(pair[0], packet, packet.count, 0) == packet.count) }
        var delivered = 0
        capture.poll(timeoutMilliseconds: 20) { _ in delivered += 1 }
        #expect(delivered == 0)
        #expect(capture.statistics().eventsTotal == 0)
    }

    /// Another process's pid: nothing of ours may arrive.
    @Test(arguments: bothPaths)
    func pidFilterExcludesOtherProcesses(path: LiveCaptureOptions.CaptureSelection) throws {
        let sender = try TestSocket(.v4)
        let receiver = try TestSocket(.v4)
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [1], capture: path))
        defer { capture.close() }
        try sender.sendto(rtpPacket(sequence: 9), to: receiver.localEndpoint)
        _ = try receiver.recvfrom()
        let datagrams = collect(from: capture, ports: [sender.localEndpoint.port, receiver.localEndpoint.port], expected: 0)
        #expect(datagrams.isEmpty)
    }

    @Test(arguments: bothPaths)
    func closeIsIdempotentAndStopsDelivery(path: LiveCaptureOptions.CaptureSelection) throws {
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], capture: path))
        capture.close()
        capture.close()
        #expect(capture.isClosed)
        #expect(capture.poll(timeoutMilliseconds: 1) { _ in Issue.record("delivered after close") } == 0)
        #expect(capture.statistics().programs.isEmpty)
    }
}

@Suite struct LiveCaptureOptionTests {
    @Test func invalidOptionsAreOneLineErrors() {
        func message(_ options: LiveCaptureOptions) -> String? {
            do {
                _ = try LiveCapture(options: options)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message(LiveCaptureOptions(snaplen: 4)) == "live capture options: snaplen 4 is outside 16...1024")
        #expect(message(LiveCaptureOptions(pids: [0])) == "live capture options: pid 0 is not a process id")
        #expect(message(LiveCaptureOptions(udpPorts: [0])) == "live capture options: port 0 cannot be filtered on")
        #expect(message(LiveCaptureOptions(comms: [""])) == "live capture options: an empty process name cannot match anything")
        #expect(message(LiveCaptureOptions(sipPorts: [5060, 0])) == "live capture options: port 0 cannot be a SIP port")
        #expect(message(LiveCaptureOptions(sipPorts: (1...65).map { UInt16($0) }))
                == "live capture options: at most 64 SIP ports, got 65")
    }

    @Test func longProcessNamesAreCutLikeTheKernelDoes() {
        #expect(LiveCaptureOptions(comms: ["rtpscopePackageTests.xctest"]).kernelComms == ["rtpscopePackage"])
    }
}
