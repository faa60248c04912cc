import CRTPScopeBPF
import Glibc

/// Syscall tracepoints are attached by id, which libbpf reads from tracefs. On hosts where
/// nobody mounted it, we do (root or CAP_SYS_ADMIN).
enum Tracefs {
    /// Where libbpf looks, in its order of preference.
    static let candidates = ["/sys/kernel/debug/tracing", "/sys/kernel/tracing"]
    static let mountPoint = "/sys/kernel/tracing"

    /// The first usable tracefs directory, if any is mounted.
    static func mountedPath() -> String? {
        candidates.first { access("\($0)/events", F_OK) == 0 }
    }

    static func ensureMounted() throws(LiveCaptureError) {
        if mountedPath() != nil { return }
        // Mounted but mode 0700 (the default) and we are not root: mounting again would not help.
        if let path = candidates.first(where: { access("\($0)/events", F_OK) != 0 && errno == EACCES }) {
            throw .permissionDenied("tracefs at \(path) is not accessible: permission denied (need root or CAP_BPF+CAP_PERFMON)")
        }
        let result = rtpscope_bpf_mount_tracefs(mountPoint)
        if result != 0 {
            throw .tracefsUnavailable(
                "tracefs not available and could not be mounted: mount -t tracefs nodev \(mountPoint): "
                    + String(cString: strerror(-result)))
        }
        if mountedPath() == nil {
            throw .tracefsUnavailable("tracefs mounted at \(mountPoint) but has no events directory")
        }
    }

    /// Whether the kernel has syscall tracepoints (CONFIG_FTRACE_SYSCALLS); nil if tracefs is absent.
    static func hasSyscallTracepoints() -> Bool? {
        guard let path = mountedPath() else { return nil }
        return access("\(path)/events/syscalls/sys_enter_sendto", F_OK) == 0
    }
}
