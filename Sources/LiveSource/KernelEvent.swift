import CRTPScopeBPF
import RTPCore

/// One ring-buffer record (`struct rtpscope_event` + payload prefix), validated and decoded.
/// Addresses are whatever the kernel could see; `SocketResolver` fills the gaps.
struct KernelEvent {
    static let headerSize = MemoryLayout<rtpscope_event>.size

    /// The kernel's time of the datagram: CLOCK_MONOTONIC, or CLOCK_REALTIME when
    /// `timeIsRealtime` (an skb's arrival stamp).
    var timestampNanoseconds: UInt64
    var timeIsRealtime: Bool
    var socketInode: UInt64
    var pid: Int32
    var tid: Int32
    var fd: Int32
    var hook: CaptureHook
    var direction: Direction
    /// The kernel did not know the socket's owner: `pid`/`comm` are empty, resolve `socketInode`.
    var ownerUnknown: Bool
    /// cgroup v2 id of the socket (socket capture) or of the calling task (syscall capture); 0 unknown.
    var cgroupID: UInt64
    /// The datagram's size (UDP payload bytes); the payload may be a prefix of it.
    var datagramLength: Int
    /// Position in a sendmmsg/recvmmsg vector or a GSO/GRO super-packet.
    var messageIndex: Int
    /// The process name's 16 kernel bytes (or, for an owner resolved in user space, /proc's name in
    /// the same form); `DatagramAssembler` turns them into a String through a cache (decoding it per
    /// event was a visible share of the consumer's time). No String here: an event is plain bytes,
    /// copied without reference counting.
    var rawComm: KernelName
    /// The process name (decoded here: tests and the fuzzer; the capture uses the cache).
    var comm: String { rawComm.text }
    /// From the socket (nil when the kernel could not read it).
    var local: Endpoint?
    /// From the call's address or the connected socket (nil for a recv() without one).
    var remote: Endpoint?
    /// Borrowed from the record: valid only as long as the record is.
    var payload: UnsafeRawBufferPointer

    /// Nil for records that are too short, inconsistent, or from a newer/older layout.
    init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.headerSize else { return nil }
        let header = record.loadUnaligned(as: rtpscope_event.self)
        let payloadLength = Int(header.payload_length)
        guard Self.headerSize + payloadLength <= record.count,
              let hook = CaptureHook(rawValue: header.hook),
              header.direction == UInt8(RTPSCOPE_DIRECTION_SENT.rawValue)
                || header.direction == UInt8(RTPSCOPE_DIRECTION_RECEIVED.rawValue)
        else { return nil }

        let flags = UInt32(header.flags)
        timestampNanoseconds = header.timestamp_ns
        timeIsRealtime = flags & UInt32(RTPSCOPE_EVENT_TIME_REALTIME) != 0
        socketInode = header.socket_inode
        pid = Int32(bitPattern: header.pid)
        tid = Int32(bitPattern: header.tid)
        fd = header.fd
        self.hook = hook
        direction = header.direction == UInt8(RTPSCOPE_DIRECTION_SENT.rawValue) ? .sent : .received
        ownerUnknown = flags & UInt32(RTPSCOPE_EVENT_OWNER_UNKNOWN) != 0
        cgroupID = header.cgroup_id
        datagramLength = max(Int(header.datagram_length), payloadLength)
        messageIndex = Int(header.message_index)
        rawComm = withUnsafeBytes(of: header.comm) {
            KernelName(low: $0.loadUnaligned(as: UInt64.self), high: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        local = flags & UInt32(RTPSCOPE_EVENT_HAS_LOCAL) != 0
            ? withUnsafeBytes(of: header.local_address) {
                Self.endpoint(family: header.family, address: $0, port: header.local_port)
            }
            : nil
        remote = flags & UInt32(RTPSCOPE_EVENT_HAS_REMOTE) != 0
            ? withUnsafeBytes(of: header.remote_address) {
                Self.endpoint(family: header.family, address: $0, port: header.remote_port)
            }
            : nil
        payload = UnsafeRawBufferPointer(rebasing: record[Self.headerSize..<(Self.headerSize + payloadLength)])
    }

    /// AF_INET: 4 address bytes; AF_INET6: 16, and an IPv4-mapped address (a dual-stack socket
    /// talking IPv4) becomes the IPv4 address it is on the wire.
    static func endpoint(family: UInt8, address: UnsafeRawBufferPointer, port: UInt16) -> Endpoint? {
        switch Int32(family) {
        case AddressFamily.inet:
            return Endpoint(address: IPAddress(v4Bytes: address, at: 0), port: port)
        case AddressFamily.inet6:
            let v6 = IPAddress(v6Bytes: address, at: 0)
            return Endpoint(address: v6.unmappingIPv4(), port: port)
        default:
            return nil
        }
    }
}

/// Decoded process names by their kernel bytes (bounded: cleared when full).
struct ProcessNames {
    private var last: (bytes: KernelName, name: String)?
    private var names: [KernelName: String] = [:]
    private let limit = 4096

    mutating func name(_ bytes: KernelName) -> String {
        if let last, last.bytes == bytes { return last.name }
        let name: String
        if let known = names[bytes] {
            name = known
        } else {
            name = bytes.text
            if names.count >= limit { names.removeAll(keepingCapacity: true) }
            names[bytes] = name
        }
        last = (bytes, name)
        return name
    }
}

/// Linux address family numbers (kept here so decoding does not depend on Glibc).
enum AddressFamily {
    static let inet: Int32 = 2
    static let inet6: Int32 = 10
}

extension IPAddress {
    /// `::ffff:a.b.c.d` → `a.b.c.d`; anything else unchanged.
    func unmappingIPv4() -> IPAddress {
        guard family == .v6, high == 0, low >> 32 == 0xFFFF else { return self }
        return IPAddress(v4: UInt32(truncatingIfNeeded: low))
    }

    /// The wildcard address of a family (what an unbound or unknown side is reported as).
    static func unspecified(_ family: IPAddress.Family) -> IPAddress {
        family == .v4 ? IPAddress(v4: 0) : IPAddress(v6High: 0, low: 0)
    }
}
