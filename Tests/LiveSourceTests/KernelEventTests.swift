import Glibc
import CRTPScopeBPF
import Testing
@testable import LiveSource
import RTPCore

/// Builds ring-buffer records by hand, exactly as the BPF side lays them out.
private func record(
    syscall: CaptureHook, direction: UInt32, family: UInt8, flags: Int32,
    local: [UInt8], localPort: UInt16, remote: [UInt8], remotePort: UInt16,
    payload: [UInt8], datagramLength: UInt32? = nil, comm: String = "gst-launch-1.0",
    cgroupID: UInt64 = 0, timestamp: UInt64 = 5_000_000_000
) -> [UInt8] {
    var header = rtpscope_event()
    header.timestamp_ns = timestamp
    header.socket_inode = 424_242
    header.pid = 4321
    header.tid = 4322
    header.fd = 7
    header.datagram_length = datagramLength ?? UInt32(payload.count)
    header.payload_length = UInt16(payload.count)
    header.direction = UInt8(direction)
    header.hook = syscall.rawValue
    header.cgroup_id = cgroupID
    header.flags = UInt8(flags)
    header.family = family
    header.local_port = localPort
    header.remote_port = remotePort
    withUnsafeMutableBytes(of: &header.local_address) { $0.copyBytes(from: local + [UInt8](repeating: 0, count: 16 - local.count)) }
    withUnsafeMutableBytes(of: &header.remote_address) { $0.copyBytes(from: remote + [UInt8](repeating: 0, count: 16 - remote.count)) }
    withUnsafeMutableBytes(of: &header.comm) { $0.copyBytes(from: Array(comm.utf8)) }
    return withUnsafeBytes(of: header) { Array($0) } + payload
}

private let both = RTPSCOPE_EVENT_HAS_LOCAL | RTPSCOPE_EVENT_HAS_REMOTE
private let sent = RTPSCOPE_DIRECTION_SENT.rawValue
private let received = RTPSCOPE_DIRECTION_RECEIVED.rawValue

@Suite struct KernelEventDecodingTests {
    @Test func headerLayoutIsTheSharedOne() {
        // 104 bytes: a multiple of 8 so the payload and the next record stay aligned.
        #expect(KernelEvent.headerSize == 104)
        #expect(MemoryLayout<rtpscope_event>.offset(of: \rtpscope_event.local_address) == 48)
        #expect(MemoryLayout<rtpscope_event>.offset(of: \rtpscope_event.comm) == 80)
        #expect(MemoryLayout<rtpscope_event>.offset(of: \rtpscope_event.cgroup_id) == 96)
    }

    @Test func decodesAnIPv4SentDatagram() throws {
        let payload = rtpPacket(sequence: 4711, payloadBytes: 20)
        let bytes = record(syscall: .sendto, direction: sent, family: 2, flags: both,
                           local: [127, 0, 0, 1], localPort: 5004, remote: [127, 0, 0, 2], remotePort: 6000,
                           payload: payload, datagramLength: 1200)
        try bytes.withUnsafeBytes { raw in
            let event = try #require(KernelEvent(record: raw))
            #expect(event.pid == 4321)
            #expect(event.tid == 4322)
            #expect(event.fd == 7)
            #expect(event.comm == "gst-launch-1.0")
            #expect(event.hook == .sendto)
            #expect(event.direction == .sent)
            #expect(event.timestampNanoseconds == 5_000_000_000)
            #expect(!event.timeIsRealtime && !event.ownerUnknown)
            #expect(event.socketInode == 424_242)
            #expect(event.local == Endpoint("127.0.0.1:5004"))
            #expect(event.remote == Endpoint("127.0.0.2:6000"))
            #expect(event.datagramLength == 1200)
            #expect(Array(event.payload) == payload)
        }
    }

    @Test func decodesIPv6AndUnmapsIPv4MappedAddresses() throws {
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3]
        let loopback6: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        let bytes = record(syscall: .recvmmsg, direction: received, family: 10, flags: both,
                           local: loopback6, localPort: 40000, remote: mapped, remotePort: 5004,
                           payload: [0x80, 0xC8, 0, 6])
        try bytes.withUnsafeBytes { raw in
            let event = try #require(KernelEvent(record: raw))
            #expect(event.local == Endpoint("[::1]:40000"))
            #expect(event.remote == Endpoint("10.1.2.3:5004"))
            #expect(event.direction == .received)
        }
    }

    @Test func missingAddressFlagsLeaveEndpointsUnknown() throws {
        let bytes = record(syscall: .recvfrom, direction: received, family: 2, flags: RTPSCOPE_EVENT_HAS_LOCAL,
                           local: [127, 0, 0, 1], localPort: 5004, remote: [9, 9, 9, 9], remotePort: 9,
                           payload: [0x80])
        try bytes.withUnsafeBytes { raw in
            let event = try #require(KernelEvent(record: raw))
            #expect(event.local == Endpoint("127.0.0.1:5004"))
            #expect(event.remote == nil)
        }
    }

    @Test func rejectsMalformedRecords() {
        let good = record(syscall: .sendmsg, direction: sent, family: 2, flags: both,
                          local: [127, 0, 0, 1], localPort: 1, remote: [127, 0, 0, 1], remotePort: 2,
                          payload: [0x80, 0, 0, 1])
        // Shorter than the header; payload_length beyond the record; unknown syscall; bad direction.
        var unknownSyscall = good
        unknownSyscall[MemoryLayout<rtpscope_event>.offset(of: \rtpscope_event.hook)!] = 9
        var badDirection = good
        badDirection[MemoryLayout<rtpscope_event>.offset(of: \rtpscope_event.direction)!] = 0
        for bytes in [Array(good.prefix(50)), Array(good.dropLast()), unknownSyscall, badDirection] {
            bytes.withUnsafeBytes { #expect(KernelEvent(record: $0) == nil) }
        }
    }
}

@Suite struct DatagramAssemblerTests {
    private func event(direction: Direction, local: Endpoint?, remote: Endpoint?) -> [UInt8] {
        record(syscall: direction == .sent ? .sendto : .recvfrom,
               direction: direction == .sent ? sent : received, family: 2,
               flags: (local != nil ? RTPSCOPE_EVENT_HAS_LOCAL : 0) | (remote != nil ? RTPSCOPE_EVENT_HAS_REMOTE : 0),
               local: local.map { Array($0.address.v6Bytes[12...]) } ?? [0, 0, 0, 0], localPort: local?.port ?? 0,
               remote: remote.map { Array($0.address.v6Bytes[12...]) } ?? [0, 0, 0, 0], remotePort: remote?.port ?? 0,
               payload: rtpPacket(sequence: 1, payloadBytes: 4))
    }

    @Test func orientsEndpointsAsOnTheWire() throws {
        var assembler = DatagramAssembler(resolver: SocketResolver(procRoot: "/nonexistent"))
        let local = Endpoint("127.0.0.1:5004")!, remote = Endpoint("127.0.0.9:7000")!
        try event(direction: .sent, local: local, remote: remote).withUnsafeBytes { raw in
            let datagram = assembler.datagram(from: try #require(KernelEvent(record: raw)))
            #expect(datagram.source == local)
            #expect(datagram.destination == remote)
            #expect(datagram.process == ProcessContext(pid: 4321, comm: "gst-launch-1.0", direction: .sent))
            #expect(datagram.time == 5_000_000_000 + assembler.clock.offset)
            #expect(datagram.transport == .udp)
        }
        try event(direction: .received, local: local, remote: remote).withUnsafeBytes { raw in
            let datagram = assembler.datagram(from: try #require(KernelEvent(record: raw)))
            #expect(datagram.source == remote)
            #expect(datagram.destination == local)
        }
        #expect(assembler.unresolvedAddresses == 0)
    }

    @Test func unknownSidesBecomeUnspecifiedAndAreCounted() throws {
        var assembler = DatagramAssembler(resolver: SocketResolver(procRoot: "/nonexistent"))
        try event(direction: .received, local: Endpoint("127.0.0.1:5004"), remote: nil).withUnsafeBytes { raw in
            let datagram = assembler.datagram(from: try #require(KernelEvent(record: raw)))
            #expect(datagram.source == Endpoint("0.0.0.0:0"))
            #expect(datagram.destination == Endpoint("127.0.0.1:5004"))
        }
        #expect(assembler.unresolvedAddresses == 1)
    }

    /// An skb's arrival stamp is already wall time (CLOCK_REALTIME): used as it is.
    @Test func realtimeStampsAreUsedAsTheyAre() throws {
        var assembler = DatagramAssembler(resolver: SocketResolver(procRoot: "/nonexistent"))
        let stamp: UInt64 = 1_700_000_000_123_456_789
        let bytes = record(syscall: .recvmmsg, direction: received, family: 2,
                           flags: RTPSCOPE_EVENT_HAS_LOCAL | RTPSCOPE_EVENT_HAS_REMOTE | RTPSCOPE_EVENT_TIME_REALTIME,
                           local: [127, 0, 0, 1], localPort: 5004, remote: [127, 0, 0, 2], remotePort: 6000,
                           payload: rtpPacket(sequence: 1, payloadBytes: 4), timestamp: stamp)
        try bytes.withUnsafeBytes { raw in
            let event = try #require(KernelEvent(record: raw))
            #expect(event.timeIsRealtime)
            #expect(assembler.datagram(from: event).time == Int64(stamp))
        }
    }

    /// A received datagram the kernel could not attribute is resolved through /proc, and the
    /// process filters then apply to the owner found.
    @Test func unknownOwnersAreResolvedAndFiltered() throws {
        let flags = RTPSCOPE_EVENT_HAS_LOCAL | RTPSCOPE_EVENT_HAS_REMOTE | RTPSCOPE_EVENT_OWNER_UNKNOWN
        let bytes = record(syscall: .ingress, direction: received, family: 2, flags: flags,
                           local: [127, 0, 0, 1], localPort: 5004, remote: [127, 0, 0, 2], remotePort: 6000,
                           payload: rtpPacket(sequence: 1, payloadBytes: 4), comm: "")
        try bytes.withUnsafeBytes { raw in
            var event = try #require(KernelEvent(record: raw))
            #expect(event.ownerUnknown)
            // Nothing in /proc knows inode 424242 here: unresolved, delivered only without filters.
            var open = DatagramAssembler(owners: SocketOwnerResolver(procRoot: "/nonexistent"))
            let delivered = open.attribute(&event)
            #expect(delivered)
            #expect(open.unresolvedOwners == 1)
            var filtered = DatagramAssembler(owners: SocketOwnerResolver(procRoot: "/nonexistent"),
                                             processFilter: ProcessFilter(pids: [4321]))
            let selected = filtered.attribute(&event)
            #expect(!selected)
        }
    }

    @Test func dualStackWildcardFollowsTheIPv4Peer() {
        let (local, remote) = DatagramAssembler.complete(local: Endpoint("[::]:5004"), remote: Endpoint("10.0.0.1:9"))
        #expect(local == Endpoint("0.0.0.0:5004"))
        #expect(remote == Endpoint("10.0.0.1:9"))
    }

    @Test func wallClockOffsetIsRealtimeMinusMonotonic() {
        let clock = MonotonicToWallClock()
        let monotonic = SystemClock.now(CLOCK_MONOTONIC)
        let wall = SystemClock.wallNow()
        #expect(abs(clock.wallTime(monotonic: UInt64(monotonic)) - wall) < 5_000_000)
    }
}
