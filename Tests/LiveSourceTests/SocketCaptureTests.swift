import Glibc
import Testing
@testable import LiveSource
import RTPCore

/// What only the socket capture sees, or sees differently: calls without addresses, GSO, sockets
/// older than the capture, containers.
// Nested in LiveCaptureTests, whose .serialized covers it: both count every event of this test
// process, so one suite's traffic must not run while the other counts.
extension LiveCaptureTests {
@Suite struct SocketCaptureTests {
    /// write()/read() and send()/recv() on connected sockets, both directions: every datagram, with
    /// both endpoints and this process on each.
    @Test(arguments: [IPAddress.Family.v4, .v6])
    func connectedWriteReadSendRecv(family: IPAddress.Family) throws {
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], capture: .socket))
        defer { capture.close() }
        let a = try TestSocket(family), b = try TestSocket(family)
        try a.connect(to: b.localEndpoint)
        try b.connect(to: a.localEndpoint)
        let n = 6
        for i in 0..<n {
            try a.write(rtpPacket(sequence: UInt16(100 + i)))
            try b.send(rtpPacket(sequence: UInt16(200 + i)))
        }
        for _ in 0..<n {
            #expect(try b.read().count == 172)
            #expect(try a.recv().count == 172)
        }
        let datagrams = collect(from: capture, ports: [a.localEndpoint.port, b.localEndpoint.port], expected: 4 * n)
        func sequences(_ source: TestSocket, _ destination: TestSocket, _ direction: Direction) -> [UInt16] {
            datagrams.filter {
                $0.source == source.localEndpoint && $0.destination == destination.localEndpoint && $0.syscallHint == direction
            }.map(\.sequence).sorted()
        }
        #expect(datagrams.count == 4 * n)
        #expect(sequences(a, b, .sent) == (100..<106).map(UInt16.init), "write()")
        #expect(sequences(a, b, .received) == (100..<106).map(UInt16.init), "read()")
        #expect(sequences(b, a, .sent) == (200..<206).map(UInt16.init), "send()")
        #expect(sequences(b, a, .received) == (200..<206).map(UInt16.init), "recv()")
        #expect(datagrams.allSatisfy { $0.pid == getpid() && $0.comm == LiveBPF.ownComm })
        #expect(capture.statistics().unresolvedAddresses == 0)
    }

    /// One UDP GSO send of 10 datagrams (one skb leaving the socket): 10 sent datagrams, each with
    /// its own sequence number and length, and 10 received (the kernel segments for a receiver
    /// without UDP_GRO).
    @Test func gsoSuperPacketsAreReportedPerDatagram() throws {
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], capture: .socket))
        defer { capture.close() }
        let sender = try TestSocket(.v4), receiver = try TestSocket(.v4)
        let segment = 172
        let payload = (0..<10).flatMap { rtpPacket(sequence: UInt16(700 + $0)) }
        try sender.sendSegmented(Array(payload.dropLast(40)), segmentSize: segment, to: receiver.localEndpoint)
        for _ in 0..<10 { _ = try receiver.recvfrom() }
        let datagrams = collect(from: capture, ports: [receiver.localEndpoint.port], expected: 20)
        for direction in [Direction.sent, .received] {
            let side = datagrams.filter { $0.syscallHint == direction }
            #expect(side.map(\.sequence).sorted() == (700..<710).map(UInt16.init), "\(direction)")
            // The last datagram of the super-packet is the short one.
            #expect(side.first { $0.sequence == 709 }?.length == segment - 40, "\(direction)")
            #expect(side.filter { $0.length == segment }.count == 9, "\(direction)")
        }
        #expect(capture.statistics().segmentBoundExceeded == 0)
    }

    /// A socket opened before the capture started that only receives, without asking for the
    /// sender's address: its owner comes from the start-up scan, not from /proc.
    @Test func socketsOlderThanTheCaptureKeepTheirOwner() throws {
        let receiver = try TestSocket(.v6)
        let sender = try TestSocket(.v6)
        try receiver.connect(to: sender.localEndpoint)
        let capture = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], direction: .received, capture: .socket))
        defer { capture.close() }
        for i in 0..<4 { try sender.sendto(rtpPacket(sequence: UInt16(40 + i)), to: receiver.localEndpoint) }
        for _ in 0..<4 { _ = try receiver.read() }
        let datagrams = collect(from: capture, ports: [receiver.localEndpoint.port], expected: 4)
        #expect(datagrams.map(\.sequence).sorted() == [40, 41, 42, 43])
        #expect(datagrams.allSatisfy { $0.pid == getpid() && $0.comm == LiveBPF.ownComm })
        #expect(capture.statistics().ownerUnknown == 0)
    }

    /// A child process moved into a cgroup of its own named like a Kubernetes container's: its
    /// datagrams (both directions) carry the container id, pod uid, pod name and namespace; ours
    /// carry none.
    @Test func containersComeFromTheSocketsCgroup() throws {
        let mount = try #require(CgroupV2.mountPoint())
        let containerID = (0..<4).map { _ in
            let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        let podUID = "6a1e2b3c-4d5e-4f60-8172-93a4b5c6d7e8"
        let top = "\(mount)/netpath-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let leaf = "\(top)/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(podUID.replacingDashes()).slice/cri-containerd-\(containerID).scope"
        let logs = "/tmp/netpath-pods-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(try runShell("mkdir -p '\(leaf)' '\(logs)/media_sfu-0_\(podUID)'") == 0)
        defer { _ = try? runShell("rm -rf '\(logs)'; find '\(top)' -depth -type d -exec rmdir {} \\; 2>/dev/null") }

        let receiver = try TestSocket(.v4)
        let capture = try LiveCapture(options: LiveCaptureOptions(
            udpPorts: [receiver.localEndpoint.port], capture: .socket, podLogsDirectory: logs))
        defer { capture.close() }
        // The child joins the cgroup first, then opens its socket there: 5 datagrams to us, 5 echoed back.
        let script = """
        echo $$ > '\(leaf)/cgroup.procs' && exec python3 -c '
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        for i in range(5):
            s.sendto(bytes([0x80, 0, 0, 10 + i]) + bytes(168), ("127.0.0.1", \(receiver.localEndpoint.port)))
        for i in range(5):
            s.recv(2048)
        '
        """
        let pid = try spawnShell(script)
        var echoed = 0
        for _ in 0..<200 where echoed < 5 {
            if let (bytes, from) = try? receiver.recvfrom() {
                try receiver.sendto(bytes, to: from)
                echoed += 1
            } else {
                usleep(10_000)
            }
        }
        let status = exitStatus(of: pid)
        #expect(echoed == 5 && status == 0)

        var byProcess: [Bool: [ContainerContext?]] = [:]
        let deadline = SystemClock.now(CLOCK_MONOTONIC) + 2_000_000_000
        while byProcess.values.map(\.count).reduce(0, +) < 20 && SystemClock.now(CLOCK_MONOTONIC) < deadline {
            capture.poll(timeoutMilliseconds: 20) { datagram in
                byProcess[datagram.process?.pid == pid, default: []].append(datagram.process?.container)
            }
        }
        let expected = ContainerContext(id: containerID, podUID: podUID, podName: "sfu-0", namespace: "media")
        #expect(byProcess[true]?.count == 10, "the child's 5 sent + 5 received")
        #expect(byProcess[true]?.allSatisfy { $0 == expected } == true, "\(byProcess[true] ?? [])")
        #expect(byProcess[false]?.count == 10, "ours: 5 received + 5 sent")
        #expect(byProcess[false]?.allSatisfy { $0 == nil } == true)
    }
}
}
