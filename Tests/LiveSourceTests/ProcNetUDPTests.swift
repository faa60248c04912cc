import Glibc
import Testing
@testable import LiveSource
import RTPCore

@Suite struct ProcNetUDPTests {
    // Real lines from a little-endian host (trailing columns as the kernel prints them).
    static let udp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          120: 0100007F:138C 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41234 2 0000000000000000 0
          300: 0100007F:D431 0200007F:1770 01 00000000:00000000 00:00000000 00000000  1000        0 41299 2 0000000000000000 0
          garbage line
          301: 0100007F:ZZZZ 0200007F:1770 01 00000000:00000000 00:00000000 00000000  1000        0 41300 2 0000000000000000 0
        """
    static let udp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
           42: 00000000000000000000000001000000:138C 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 51000 2 0000000000000000 0
           43: 0000000000000000FFFF00000100007F:138D 0000000000000000FFFF00000200000A:1F90 01 00000000:00000000 00:00000000 00000000     0        0 51001 2 0000000000000000 0
           44: B80D0120000000000000000001000000:138E 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 51002 2 0000000000000000 0
        """

    @Test func parsesIPv4Sockets() {
        let table = ProcNetUDP.parse(Self.udp)
        #expect(table.count == 2)
        #expect(table[41234] == SocketAddresses(local: Endpoint("127.0.0.1:5004")!, remote: nil))
        #expect(table[41299] == SocketAddresses(local: Endpoint("127.0.0.1:54321")!, remote: Endpoint("127.0.0.2:6000")!))
    }

    @Test func parsesIPv6SocketsAndUnmapsIPv4() {
        let table = ProcNetUDP.parse(Self.udp6)
        #expect(table[51000] == SocketAddresses(local: Endpoint("[::1]:5004")!, remote: nil))
        #expect(table[51001] == SocketAddresses(local: Endpoint("127.0.0.1:5005")!, remote: Endpoint("10.0.0.2:8080")!))
        #expect(table[51002]?.local == Endpoint("[2001:db8::1]:5006"))
    }

    @Test func parsesSocketLinks() {
        #expect(ProcNetUDP.socketInode(fromLinkTarget: "socket:[41234]") == 41234)
        #expect(ProcNetUDP.socketInode(fromLinkTarget: "pipe:[41234]") == nil)
        #expect(ProcNetUDP.socketInode(fromLinkTarget: "socket:[]") == nil)
        #expect(ProcNetUDP.socketInode(fromLinkTarget: "/dev/null") == nil)
    }

    /// A fake /proc: the fd link, then the tables; a reused fd (new inode) is looked up again.
    @Test func resolverFollowsFdLinksAndNoticesReuse() throws {
        let root = "/tmp/rtpscope-procfs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = system("rm -rf '\(root)'") }
        #expect(mkdir(root, 0o755) == 0)
        #expect(mkdir("\(root)/99", 0o755) == 0)
        #expect(mkdir("\(root)/99/fd", 0o755) == 0)
        #expect(mkdir("\(root)/99/net", 0o755) == 0)
        try write(Self.udp, to: "\(root)/99/net/udp")
        try write(Self.udp6, to: "\(root)/99/net/udp6")
        #expect(symlink("socket:[41299]", "\(root)/99/fd/5") == 0)

        let resolver = SocketResolver(procRoot: root)
        #expect(resolver.addresses(pid: 99, fd: 5, knownInode: 0)?.remote == Endpoint("127.0.0.2:6000"))
        // The fd now refers to another (IPv6) socket.
        #expect(unlink("\(root)/99/fd/5") == 0)
        #expect(symlink("socket:[51000]", "\(root)/99/fd/5") == 0)
        #expect(resolver.addresses(pid: 99, fd: 5, knownInode: 0)?.local == Endpoint("[::1]:5004"))
        // A kernel-provided inode needs no link; unknown inodes and fds resolve to nil.
        #expect(resolver.addresses(pid: 99, fd: 6, knownInode: 41234)?.local == Endpoint("127.0.0.1:5004"))
        #expect(resolver.addresses(pid: 99, fd: 6, knownInode: 777) == nil)
        #expect(resolver.addresses(pid: 99, fd: 8, knownInode: 0) == nil)
    }

    private func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TestSocketError.system("open", errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        #expect(Glibc.write(fd, bytes, bytes.count) == bytes.count)
    }
}
