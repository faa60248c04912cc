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

@Suite struct SystemChecksTests {
    private func capabilities(_ list: [Capabilities.Capability]) -> Capabilities {
        Capabilities(effective: list.reduce(UInt64(0)) { $0 | (1 << UInt64($1.rawValue)) })
    }

    @Test func readsEffectiveCapabilities() {
        let status = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\nCapBnd:\t000001ffffffffff\n"
        #expect(Capabilities.effective(fromProcStatus: status) == 0x1_fffe_ffff_ff)
        #expect(Capabilities.effective(fromProcStatus: "Name:\tx\n") == nil)
    }

    /// Each path's refusal names exactly what is missing; CAP_SYS_ADMIN stands in for CAP_BPF and
    /// CAP_PERFMON as the kernel allows, never for CAP_NET_ADMIN.
    @Test func missingCapabilitiesAreNamedPerPath() {
        let bpfAndPerfmon = capabilities([.bpf, .perfmon])
        #expect(bpfAndPerfmon.missing(for: .syscalls).isEmpty)
        #expect(bpfAndPerfmon.missing(for: .socket) == [.netAdmin])
        #expect(capabilities([.bpf]).missing(for: .syscalls) == [.perfmon])
        #expect(capabilities([.sysAdmin]).missing(for: .socket) == [.netAdmin])
        #expect(capabilities([.sysAdmin, .netAdmin]).missing(for: .socket).isEmpty)
        #expect(Capabilities.describe([.netAdmin]) == "CAP_NET_ADMIN (cgroup socket programs)")
    }

    @Test func privilegesNeedBPFAndPerfmonAndWarnWithoutNetAdmin() {
        #expect(SystemChecks.privileges(capabilities([.bpf, .perfmon, .netAdmin]), uid: 1000).status == .ok)
        let syscallsOnly = SystemChecks.privileges(capabilities([.bpf, .perfmon]), uid: 1000)
        #expect(syscallsOnly.status == .warn)
        #expect(syscallsOnly.detail.contains("CAP_NET_ADMIN"))
        let denied = SystemChecks.privileges(capabilities([.bpf]), uid: 1000)
        #expect(denied.status == .fail)
        #expect(denied.detail.contains("CAP_PERFMON") && denied.detail.contains("CAP_NET_ADMIN") && !denied.detail.contains("lacks CAP_BPF"))
        #expect(denied.fix.contains("setcap"))
    }

    /// The doctor's capture line: which path auto takes, and a failure only when none can run.
    @Test func capturePathSaysWhichAndWhy() {
        let ok = SystemCheck(name: "socket capture", status: .ok, detail: "cgroup v2 at /x")
        let noCgroup = SystemChecks.socketCapture(capabilities: capabilities([.bpf, .perfmon, .netAdmin]), mountPoint: nil)
        let tracefsOK = SystemCheck(name: "syscall capture", status: .ok, detail: "tracefs")
        let tracefsNo = SystemCheck(name: "syscall capture", status: .fail, detail: "no tracefs", fix: "mount it")
        #expect(noCgroup.status == .warn && noCgroup.detail.contains("cgroup v2 is not mounted"))
        #expect(SystemChecks.capturePath(.auto, socket: ok, syscalls: tracefsOK).detail.hasPrefix("socket"))
        let fallback = SystemChecks.capturePath(.auto, socket: noCgroup, syscalls: tracefsOK)
        #expect(fallback.status == .ok && fallback.detail.hasPrefix("syscalls (fallback: cgroup v2 is not mounted"))
        #expect(SystemChecks.capturePath(.socket, socket: noCgroup, syscalls: tracefsOK).status == .fail)
        #expect(SystemChecks.capturePath(.auto, socket: noCgroup, syscalls: tracefsNo).status == .fail)
        #expect(SystemChecks.socketCapture(capabilities: capabilities([.bpf, .perfmon]), mountPoint: "/sys/fs/cgroup").detail
            .contains("CAP_NET_ADMIN"))
    }

    /// tracefs mounted with mode 0700 is not "not mounted": the mount table says it is there.
    @Test func tracefsMountsComeFromMountinfo() {
        let mountinfo = """
        22 27 0:20 / /sys rw,nosuid - sysfs sysfs rw
        31 22 0:12 / /sys/kernel/tracing rw,nosuid,nodev,noexec - tracefs tracefs rw
        32 22 0:7 / /sys/kernel/debug rw - debugfs debugfs rw
        """
        #expect(Tracefs.mountedPaths(mountinfo) == ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"])
        #expect(Tracefs.state(mountinfo: "22 27 0:20 / /sys rw - sysfs sysfs rw\n") == .notMounted)
    }

    @Test func everyCheckHasANameAndADetail() {
        let checks = SystemChecks.run()
        #expect(checks.map(\.name) == ["privileges", "kernel BTF", "BPF ring buffer", "socket capture", "syscall capture",
                                       "capture path", "memlock limit", "uprobes", "kprobes"])
        for check in checks {
            #expect(!check.detail.isEmpty)
            #expect(check.status == .ok || !check.fix.isEmpty, "\(check)")
        }
    }
}
