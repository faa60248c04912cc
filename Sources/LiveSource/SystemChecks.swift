import CRTPScopeBPF
import Glibc

/// One line of `rtpscope doctor`: what was checked, the verdict, what was found, how to fix it.
public struct SystemCheck: Sendable, Equatable, CustomStringConvertible {
    public enum Status: String, Sendable, Comparable {
        case ok, warn, fail

        private var severity: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
        public static func < (a: Status, b: Status) -> Bool { a.severity < b.severity }
    }

    public var name: String
    public var status: Status
    public var detail: String
    /// Empty when nothing needs fixing.
    public var fix: String

    public init(name: String, status: Status, detail: String, fix: String = "") {
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    public var description: String {
        "[\(status.rawValue)] \(name): \(detail)" + (fix.isEmpty ? "" : " (fix: \(fix))")
    }
}

/// Can live capture run on this host? Read-only checks (nothing is mounted or loaded), shared by
/// `rtpscope doctor` and the monitor's start-up check.
public enum SystemChecks {
    /// All checks, in the order a user should fix them.
    public static func run() -> [SystemCheck] {
        [privileges(), btf(), tracefs(), ringBuffer(), memlock(), uprobes(), kprobes()]
    }

    /// The worst status of a set of checks (`.ok` for none).
    public static func overall(_ checks: [SystemCheck]) -> SystemCheck.Status {
        checks.map(\.status).max() ?? .ok
    }

    // MARK: - Individual checks

    static let capSysAdmin = 21
    static let capPerfmon = 38
    static let capBPF = 39

    public static func privileges() -> SystemCheck {
        privileges(status: TextFile.read("/proc/self/status"), uid: geteuid())
    }

    /// `status`: the text of /proc/self/status (nil if unreadable).
    static func privileges(status: String?, uid: uid_t) -> SystemCheck {
        let name = "privileges"
        guard let capabilities = status.flatMap(effectiveCapabilities(fromProcStatus:)) else {
            return SystemCheck(name: name, status: uid == 0 ? .ok : .fail,
                               detail: uid == 0 ? "running as root" : "cannot read CapEff from /proc/self/status",
                               fix: uid == 0 ? "" : "run as root")
        }
        func has(_ bit: Int) -> Bool { capabilities & (1 << UInt64(bit)) != 0 }
        if has(capBPF) && has(capPerfmon) {
            let mount = has(capSysAdmin) ? "" : "; without CAP_SYS_ADMIN tracefs must already be mounted"
            return SystemCheck(name: name, status: .ok, detail: "CAP_BPF and CAP_PERFMON effective\(mount)")
        }
        if has(capSysAdmin) {
            return SystemCheck(name: name, status: .ok, detail: "CAP_SYS_ADMIN effective (pre-5.8 kernels need it for BPF)")
        }
        return SystemCheck(
            name: name, status: .fail,
            detail: "uid \(uid), effective capabilities 0x\(String(capabilities, radix: 16)) lack CAP_BPF+CAP_PERFMON",
            fix: "run as root, or: setcap cap_bpf,cap_perfmon,cap_sys_admin+ep $(command -v rtpscope)")
    }

    /// The CapEff bit mask of a /proc/PID/status text.
    static func effectiveCapabilities(fromProcStatus text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("CapEff:") {
            return UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: " \t"), radix: 16)
        }
        return nil
    }

    public static func btf(path: String = "/sys/kernel/btf/vmlinux") -> SystemCheck {
        if access(path, R_OK) == 0 {
            return SystemCheck(name: "kernel BTF", status: .ok, detail: "\(path) present (CO-RE relocations work)")
        }
        return SystemCheck(
            name: "kernel BTF", status: .fail, detail: "\(path) missing: the kernel was built without CONFIG_DEBUG_INFO_BTF",
            fix: "use a kernel with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020)")
    }

    public static func tracefs() -> SystemCheck {
        let name = "tracefs"
        guard let path = Tracefs.mountedPath() else {
            let canMount = geteuid() == 0 || hasEffectiveCapability(capSysAdmin)
            return SystemCheck(
                name: name, status: canMount ? .warn : .fail,
                detail: canMount ? "not mounted; rtpscope mounts it at \(Tracefs.mountPoint) when it starts"
                                 : "not mounted, and mounting it needs CAP_SYS_ADMIN",
                fix: "mount -t tracefs nodev \(Tracefs.mountPoint)")
        }
        if Tracefs.hasSyscallTracepoints() == false {
            return SystemCheck(
                name: name, status: .fail, detail: "mounted at \(path) but has no syscall tracepoints",
                fix: "use a kernel with CONFIG_FTRACE_SYSCALLS=y")
        }
        return SystemCheck(name: name, status: .ok, detail: "mounted at \(path), syscall tracepoints present")
    }

    public static func ringBuffer() -> SystemCheck {
        let result = rtpscope_bpf_probe_ringbuf()
        switch result {
        case 1:
            return SystemCheck(name: "BPF ring buffer", status: .ok, detail: "BPF_MAP_TYPE_RINGBUF supported")
        case 0:
            return SystemCheck(name: "BPF ring buffer", status: .fail, detail: "BPF_MAP_TYPE_RINGBUF not supported (kernel < 5.8)",
                               fix: "use Linux 5.8 or later")
        default:
            return SystemCheck(name: "BPF ring buffer", status: .fail,
                               detail: "probe failed: \(String(cString: strerror(-result)))",
                               fix: "run as root (or with CAP_BPF) so the probe can create a map")
        }
    }

    public static func memlock() -> SystemCheck {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit) == 0 else {
            return SystemCheck(name: "memlock limit", status: .warn, detail: "getrlimit failed")
        }
        let unlimited = limit.rlim_cur == rlim_t.max
        let text = unlimited ? "unlimited" : "\(limit.rlim_cur / 1024) KiB"
        if unlimited || limit.rlim_cur >= 64 << 20 || kernelAccountsBPFByCgroup() {
            let why = unlimited || limit.rlim_cur >= 64 << 20 ? "" : " (not used: kernel ≥ 5.11 charges BPF memory to the cgroup)"
            return SystemCheck(name: "memlock limit", status: .ok, detail: "RLIMIT_MEMLOCK \(text)\(why)")
        }
        return SystemCheck(
            name: "memlock limit", status: .warn,
            detail: "RLIMIT_MEMLOCK \(text); rtpscope raises it at start, which needs CAP_SYS_RESOURCE above the hard limit",
            fix: "ulimit -l unlimited (or LimitMEMLOCK=infinity in the systemd unit)")
    }

    public static func uprobes(path: String = "/sys/bus/event_source/devices/uprobe") -> SystemCheck {
        if access(path, F_OK) == 0 {
            return SystemCheck(name: "uprobes", status: .ok, detail: "uprobe PMU present (codec probes possible)")
        }
        return SystemCheck(name: "uprobes", status: .warn, detail: "no uprobe PMU: library probes unavailable; syscall capture unaffected",
                           fix: "use a kernel with CONFIG_UPROBE_EVENTS=y")
    }

    /// Informational: rtpscope does not use kprobes, but users ask.
    public static func kprobes(path: String = "/sys/bus/event_source/devices/kprobe") -> SystemCheck {
        if access(path, F_OK) == 0 {
            return SystemCheck(name: "kprobes", status: .ok, detail: "available (not needed by rtpscope)")
        }
        return SystemCheck(name: "kprobes", status: .ok, detail: "not available; not needed (rtpscope uses syscall tracepoints)")
    }

    // MARK: - Helpers

    static func hasEffectiveCapability(_ bit: Int) -> Bool {
        guard let text = TextFile.read("/proc/self/status"),
              let capabilities = effectiveCapabilities(fromProcStatus: text) else { return false }
        return capabilities & (1 << UInt64(bit)) != 0
    }

    /// Memory-cgroup accounting of BPF objects arrived in 5.11.
    static func kernelAccountsBPFByCgroup() -> Bool {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { KernelEvent.string(fromNULTerminated: $0) }
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return false }
        return (numbers[0], numbers[1]) >= (5, 11)
    }
}

private extension Substring {
    func trimmingCharacters(in characters: String) -> Substring {
        var text = self
        while let first = text.first, characters.contains(first) { text = text.dropFirst() }
        while let last = text.last, characters.contains(last) { text = text.dropLast() }
        return text
    }
}
