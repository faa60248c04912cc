import Glibc
import Testing
@testable import LiveSource
import RTPCore

@Suite struct ContainerResolverTests {
    static let id = "3f4d2c1b0a998877665544332211000ffeeddccbbaa998877665544332211009"
    static let uid = "0b7c7e8e-1f2a-4c3d-9e8f-a1b2c3d4e5f6"

    @Test func namesTheContainerTheWayEachRuntimeWritesIt() {
        let id = Self.id
        let cases: [(String, ContainerContext?)] = [
            ("/system.slice/docker-\(id).scope", ContainerContext(id: id)),
            ("/docker/\(id)", ContainerContext(id: id)),
            ("/machine.slice/libpod-\(id).scope/container", ContainerContext(id: id)),
            ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(Self.uid.replacingDashes()).slice/cri-containerd-\(id).scope",
             ContainerContext(id: id, podUID: Self.uid)),
            ("/kubepods/besteffort/pod\(Self.uid)/\(id)", ContainerContext(id: id, podUID: Self.uid)),
            ("/kubepods.slice/kubepods-pod\(Self.uid.replacingDashes()).slice/crio-\(id).scope", ContainerContext(id: id, podUID: Self.uid)),
            // Not containers: the root, a user session, CRI-O's monitor, a short id.
            ("/", nil),
            ("/user.slice/user-1000.slice/session-3.scope", nil),
            ("/kubepods.slice/crio-conmon-\(id).scope", nil),
            ("/docker/3f4d2c1b0a99", nil),
        ]
        for (path, expected) in cases {
            #expect(ContainerResolver.container(fromCgroupPath: path) == expected, "\(path)")
        }
    }

    @Test func findsTheCgroup2MountInMountinfo() {
        let hybrid = """
        35 25 0:30 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
        36 25 0:31 / /sys/fs/cgroup/unified rw,nosuid,nodev shared:10 - cgroup2 cgroup2 rw,nsdelegate
        """
        #expect(CgroupV2.mountPoint(mountinfo: hybrid) == "/sys/fs/cgroup/unified")
        // A bind of a sub-tree (a container's view) is not the root.
        #expect(CgroupV2.mountPoint(mountinfo: "40 25 0:31 /kubepods /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n") == nil)
        #expect(CgroupV2.mountPoint(mountinfo: "40 25 0:31 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n") == "/mnt/with space")
    }

    /// Pod names and namespaces from the kubelet's log directories, and the id → path walk that
    /// stands in for file handles.
    @Test func readsPodLogDirectoriesAndWalksTheHierarchy() throws {
        let root = "/tmp/netpath-containers-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? runShell("rm -rf '\(root)'") }
        for directory in ["\(root)/pods/media_sfu-7d9f_\(Self.uid)", "\(root)/pods/not-a-pod", "\(root)/tree/a/b"] {
            #expect(try runShell("mkdir -p '\(directory)'") == 0)
        }
        let index = ContainerResolver.podLogIndex("\(root)/pods")
        #expect(index.count == 1)
        #expect(index[Self.uid]?.namespace == "media" && index[Self.uid]?.name == "sfu-7d9f")
        var status = stat()
        #expect(stat("\(root)/tree/a/b", &status) == 0)
        #expect(ContainerResolver.walk("\(root)/tree")[UInt64(status.st_ino)] == "/a/b")
    }

    /// The /proc fallback for a received datagram's owner: the process holding the socket inode.
    @Test func socketOwnersComeFromProcFdLinks() throws {
        let proc = "/tmp/netpath-proc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? runShell("rm -rf '\(proc)'") }
        #expect(try runShell("""
            mkdir -p '\(proc)/4242/fd' '\(proc)/77/fd' && echo sfu > '\(proc)/4242/comm' && \
            ln -s 'socket:[991]' '\(proc)/4242/fd/7' && ln -s '/dev/null' '\(proc)/77/fd/0'
            """) == 0)
        let owners = SocketOwnerResolver(procRoot: proc)
        #expect(owners.owner(ofSocketInode: 991) == SocketOwnerResolver.Owner(pid: 4242, comm: "sfu"))
        #expect(owners.owner(ofSocketInode: 992) == nil)
    }
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}

/// Starts `sh -c command`; its pid.
func spawnShell(_ command: String) throws -> pid_t {
    var pid: pid_t = 0
    let arguments: [String] = ["/bin/sh", "-c", command]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else { throw TestSocketError.system("posix_spawn", errno) }
    return pid
}

/// The exit status of a child (-1 if it did not exit normally).
func exitStatus(of pid: pid_t) -> Int32 {
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
}

/// Runs `sh -c command`; its exit status.
func runShell(_ command: String) throws -> Int32 {
    exitStatus(of: try spawnShell(command))
}
