import CRTPScopeBPF
import Glibc

/// Syscall tracepoints are attached by id, which libbpf reads from tracefs. On hosts where
/// nobody mounted it, we do (root or CAP_SYS_ADMIN). Only the syscall capture needs it.
enum Tracefs {
    /// Where libbpf looks, in its order of preference.
    static let candidates = ["/sys/kernel/debug/tracing", "/sys/kernel/tracing"]
    static let mountPoint = "/sys/kernel/tracing"

    enum State: Equatable {
        case notMounted
        /// Mounted, but this process cannot read it (tracefs is mode 0700, root's).
        case unreadable(path: String, mode: UInt32)
        case mounted(path: String)
    }

    /// What this process finds: mounts from /proc/self/mountinfo (a directory that merely exists
    /// is not a mount), then whether their `events` directory is readable.
    static func state(mountinfo: String? = TextFile.read("/proc/self/mountinfo")) -> State {
        let mounted = candidates.filter { mountedPaths(mountinfo).contains($0) }
        // With this process's effective ids and capabilities (CAP_DAC_READ_SEARCH counts):
        // access(2) would judge by the real uid and ignore capabilities.
        if let readable = mounted.first(where: { faccessat(AT_FDCWD, "\($0)/events", R_OK | X_OK, AT_EACCESS) == 0 }) {
            return .mounted(path: readable)
        }
        guard let path = mounted.first else { return .notMounted }
        var status = stat()
        let mode = stat(path, &status) == 0 ? UInt32(status.st_mode) & 0o7777 : 0
        return .unreadable(path: path, mode: mode)
    }

    /// Mount points of tracefs, and of debugfs's `tracing` (which the kernel automounts).
    static func mountedPaths(_ mountinfo: String?) -> Set<String> {
        var paths = Set<String>()
        for line in (mountinfo ?? "").split(separator: "\n") {
            guard let separator = line.firstRange(of: " - ") else { continue }
            let before = line[..<separator.lowerBound].split(separator: " ")
            guard before.count >= 5, let type = line[separator.upperBound...].split(separator: " ").first else { continue }
            let point = CgroupV2.unescapeMountinfo(before[4])
            if type == "tracefs" { paths.insert(point) }
            if type == "debugfs" { paths.insert(point + "/tracing") }
        }
        return paths
    }

    /// The first usable tracefs directory, if any is mounted.
    static func mountedPath() -> String? {
        if case .mounted(let path) = state() { return path }
        return nil
    }

    static func ensureMounted() throws(LiveCaptureError) {
        switch state() {
        case .mounted:
            return
        case .unreadable(let path, let mode):
            // Mounted but not ours to read: mounting again would not help.
            throw .permissionDenied(
                "tracefs is mounted at \(path) (mode \(String(mode, radix: 8))) but uid \(geteuid()) cannot read it: the syscall capture reads tracepoint ids there and needs root or CAP_DAC_READ_SEARCH")
        case .notMounted:
            let result = rtpscope_bpf_mount_tracefs(mountPoint)
            if result != 0 {
                let reason = result == -EPERM ? "mounting it needs CAP_SYS_ADMIN" : String(cString: strerror(-result))
                throw .tracefsUnavailable(
                    "tracefs is not mounted and could not be mounted: mount -t tracefs nodev \(mountPoint): \(reason)")
            }
            if mountedPath() == nil {
                throw .tracefsUnavailable("tracefs mounted at \(mountPoint) but has no events directory")
            }
        }
    }

    /// Whether the kernel has syscall tracepoints (CONFIG_FTRACE_SYSCALLS).
    static func hasSyscallTracepoints(at path: String) -> Bool {
        faccessat(AT_FDCWD, "\(path)/events/syscalls/sys_enter_sendto", F_OK, AT_EACCESS) == 0
    }
}
