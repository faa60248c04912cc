import Glibc
import RTPCore

/// A UDP socket on loopback for the live tests, with each send/receive syscall spelled out so the
/// tests can exercise exactly the syscall they name.
final class TestSocket {
    let fd: Int32
    let family: IPAddress.Family
    private(set) var localEndpoint: Endpoint

    init(_ family: IPAddress.Family) throws {
        self.family = family
        fd = socket(family == .v4 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestSocketError.system("socket", errno) }
        localEndpoint = Endpoint(address: TestSocket.loopback(family), port: 0)
        var address = TestSocket.socketAddress(localEndpoint)
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else { throw TestSocketError.system("bind", errno) }
        localEndpoint = try boundEndpoint()
    }

    deinit { close(fd) }

    static func loopback(_ family: IPAddress.Family) -> IPAddress {
        family == .v4 ? IPAddress(v4: 0x7F00_0001) : IPAddress(v6High: 0, low: 1)
    }

    func connect(to peer: Endpoint) throws {
        var address = TestSocket.socketAddress(peer)
        let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        guard result == 0 else { throw TestSocketError.system("connect", errno) }
    }

    // MARK: Sending

    func sendto(_ bytes: [UInt8], to peer: Endpoint) throws {
        var address = TestSocket.socketAddress(peer)
        let sent = bytes.withUnsafeBytes { buffer in
            address.withSockaddr { Glibc.sendto(fd, buffer.baseAddress, buffer.count, 0, $0, $1) }
        }
        guard sent == bytes.count else { throw TestSocketError.system("sendto", errno) }
    }

    /// sendmsg with the datagram split over `chunks` iovecs; `peer` nil on a connected socket.
    func sendmsg(_ chunks: [[UInt8]], to peer: Endpoint?) throws {
        var address = peer.map(TestSocket.socketAddress)
        let total = chunks.reduce(0) { $0 + $1.count }
        let sent = withIovecs(chunks) { iovecs in
            var message = msghdr()
            message.msg_iov = iovecs.baseAddress
            message.msg_iovlen = iovecs.count
            if address != nil {
                return address!.withMutableSockaddr { name, length in
                    message.msg_name = UnsafeMutableRawPointer(name)
                    message.msg_namelen = length
                    return Glibc.sendmsg(fd, &message, 0)
                }
            }
            return Glibc.sendmsg(fd, &message, 0)
        }
        guard sent == total else { throw TestSocketError.system("sendmsg", errno) }
    }

    /// One sendmmsg call carrying every datagram.
    func sendmmsg(_ datagrams: [[UInt8]], to peer: Endpoint) throws {
        var address = TestSocket.socketAddress(peer)
        let sent: Int32 = address.withMutableSockaddr { name, length in
            withIovecs(datagrams) { iovecs in
                var messages = (0..<datagrams.count).map { index in
                    var header = MultiMessageHeader()
                    header.msg_hdr.msg_name = UnsafeMutableRawPointer(name)
                    header.msg_hdr.msg_namelen = length
                    header.msg_hdr.msg_iov = iovecs.baseAddress! + index
                    header.msg_hdr.msg_iovlen = 1
                    return header
                }
                return LibC.sendmmsg(fd, &messages, UInt32(messages.count), 0)
            }
        }
        guard sent == datagrams.count else { throw TestSocketError.system("sendmmsg", errno) }
    }

    /// write() on a connected socket (no address anywhere in the call).
    func write(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { throw TestSocketError.system("write", errno) }
    }

    /// send() on a connected socket.
    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw TestSocketError.system("send", errno) }
    }

    /// One sendmsg of `segments` equal datagrams as a UDP GSO super-packet (UDP_SEGMENT).
    func sendSegmented(_ payload: [UInt8], segmentSize: Int, to peer: Endpoint) throws {
        var size = Int32(segmentSize)
        // SOL_UDP 17, UDP_SEGMENT 103 (linux/udp.h; not in Glibc's module).
        guard setsockopt(fd, 17, 103, &size, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw TestSocketError.system("setsockopt(UDP_SEGMENT)", errno)
        }
        defer {
            var off: Int32 = 0
            _ = setsockopt(fd, 17, 103, &off, socklen_t(MemoryLayout<Int32>.size))
        }
        try sendmsg([payload], to: peer)
    }

    // MARK: Receiving (non-blocking: everything was sent before)

    /// read() on a connected socket (made non-blocking for it).
    func read() throws -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw TestSocketError.system("read", errno) }
        return Array(buffer[0..<count])
    }

    /// recv() without an address.
    func recv() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count >= 0 else { throw TestSocketError.system("recv", errno) }
        return Array(buffer[0..<count])
    }

    func recvfrom() throws -> (bytes: [UInt8], from: Endpoint) {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.recvfrom(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                }
            }
        }
        guard count >= 0 else { throw TestSocketError.system("recvfrom", errno) }
        return (Array(buffer[0..<count]), TestSocket.endpoint(storage))
    }

    func recvmsg() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var storage = sockaddr_storage()
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &storage) { name in
                var iov = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                return withUnsafeMutablePointer(to: &iov) { iov in
                    var message = msghdr()
                    message.msg_name = UnsafeMutableRawPointer(name)
                    message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    message.msg_iov = iov
                    message.msg_iovlen = 1
                    return Glibc.recvmsg(fd, &message, Int32(MSG_DONTWAIT))
                }
            }
        }
        guard count >= 0 else { throw TestSocketError.system("recvmsg", errno) }
        return Array(buffer[0..<count])
    }

    /// One recvmmsg call for up to `count` datagrams.
    func recvmmsg(count: Int) throws -> Int {
        let buffers = (0..<count).map { _ in [UInt8](repeating: 0, count: 2048) }
        var names = [sockaddr_storage](repeating: sockaddr_storage(), count: count)
        let received: Int32 = withIovecs(buffers) { iovecs in
            names.withUnsafeMutableBufferPointer { names in
                var messages = (0..<count).map { index in
                    var header = MultiMessageHeader()
                    header.msg_hdr.msg_name = UnsafeMutableRawPointer(names.baseAddress! + index)
                    header.msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    header.msg_hdr.msg_iov = iovecs.baseAddress! + index
                    header.msg_hdr.msg_iovlen = 1
                    return header
                }
                return LibC.recvmmsg(fd, &messages, UInt32(count), Int32(MSG_DONTWAIT), nil)
            }
        }
        guard received >= 0 else { throw TestSocketError.system("recvmmsg", errno) }
        return Int(received)
    }

    // MARK: Addresses

    private func boundEndpoint() throws -> Endpoint {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw TestSocketError.system("getsockname", errno) }
        return TestSocket.endpoint(storage)
    }

    static func socketAddress(_ endpoint: Endpoint) -> SocketAddress {
        var storage = sockaddr_storage()
        let bytes = endpoint.address.v6Bytes
        let length: Int
        if endpoint.address.family == .v4 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes[12..<16]) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
            length = MemoryLayout<sockaddr_in>.size
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
            length = MemoryLayout<sockaddr_in6>.size
        }
        return SocketAddress(storage: storage, length: socklen_t(length))
    }

    static func endpoint(_ storage: sockaddr_storage) -> Endpoint {
        withUnsafeBytes(of: storage) { raw in
            let family = raw.load(as: sa_family_t.self)
            if Int32(family) == AF_INET {
                let address = raw.load(as: sockaddr_in.self)
                let ip = withUnsafeBytes(of: address.sin_addr) { IPAddress(v4Bytes: $0, at: 0) }
                return Endpoint(address: ip, port: UInt16(bigEndian: address.sin_port))
            }
            let address = raw.load(as: sockaddr_in6.self)
            let ip = withUnsafeBytes(of: address.sin6_addr) { IPAddress(v6Bytes: $0, at: 0) }
            return Endpoint(address: ip, port: UInt16(bigEndian: address.sin6_port))
        }
    }
}

struct SocketAddress {
    var storage: sockaddr_storage
    var length: socklen_t

    mutating func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        let length = self.length
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    mutating func withMutableSockaddr<T>(_ body: (UnsafeMutablePointer<sockaddr>, socklen_t) -> T) -> T {
        let length = self.length
        return withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}

/// Pins every chunk and hands out one iovec per chunk.
func withIovecs<T>(_ chunks: [[UInt8]], _ body: (UnsafeMutableBufferPointer<iovec>) -> T) -> T {
    let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, chunks.reduce(0) { $0 + $1.count }), alignment: 8)
    defer { storage.deallocate() }
    var iovecs: [iovec] = []
    var offset = 0
    for chunk in chunks {
        chunk.withUnsafeBytes { (storage + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        iovecs.append(iovec(iov_base: storage + offset, iov_len: chunk.count))
        offset += chunk.count
    }
    return iovecs.withUnsafeMutableBufferPointer { body($0) }
}

enum TestSocketError: Error, CustomStringConvertible {
    case system(String, Int32)
    var description: String {
        switch self {
        case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
        }
    }
}

/// A 12-byte RTP header (version 2, PT 96) followed by `payloadBytes` bytes.
func rtpPacket(sequence: UInt16, ssrc: UInt32 = 0x1234_5678, payloadBytes: Int = 160) -> [UInt8] {
    var bytes: [UInt8] = [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x03, 0x20]
    bytes += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
    bytes += [UInt8](repeating: 0xD5, count: payloadBytes)
    return bytes
}

/// `struct mmsghdr` (Glibc hides it behind _GNU_SOURCE): a msghdr and the byte count, 64 bytes.
struct MultiMessageHeader {
    var msg_hdr = msghdr()
    var msg_len: UInt32 = 0
}

/// sendmmsg/recvmmsg are _GNU_SOURCE-only too; look them up in the C library directly.
enum LibC {
    typealias SendMultiple = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32
    typealias ReceiveMultiple = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> Int32

    static func sendmmsg(_ fd: Int32, _ messages: UnsafeMutableRawPointer, _ count: UInt32, _ flags: Int32) -> Int32 {
        unsafeBitCast(dlsym(nil, "sendmmsg"), to: SendMultiple.self)(fd, messages, count, flags)
    }

    static func recvmmsg(_ fd: Int32, _ messages: UnsafeMutableRawPointer, _ count: UInt32, _ flags: Int32,
                         _ timeout: UnsafeMutableRawPointer?) -> Int32 {
        unsafeBitCast(dlsym(nil, "recvmmsg"), to: ReceiveMultiple.self)(fd, messages, count, flags, timeout)
    }
}
