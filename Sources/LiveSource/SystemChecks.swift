import CRTPScopeBPF
import Glibc
import RTPCore

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

/// Can live capture run on this host, and on which path? Read-only checks (nothing is mounted or
/// loaded), shared by `rtpscope doctor` and the monitor's start-up check; `trial` (the doctor's,
/// with privileges) really loads and attaches, as the monitor would.
public enum SystemChecks {
    /// All checks, in the order a user should fix them.
    public static func run(capture: LiveCaptureOptions.CaptureSelection = .auto, cgroupRoot: String? = nil) -> [SystemCheck] {
        let capabilities = Capabilities.current()
        let socket = socketCapture(capabilities: capabilities, mountPoint: cgroupRoot ?? CgroupV2.mountPoint())
        let syscalls = tracefs(capabilities: capabilities)
        return [privileges(capabilities, uid: geteuid()), btf(), ringBuffer(capabilities: capabilities), socket, syscalls,
                capturePath(capture, socket: socket, syscalls: syscalls), memlock(), uprobes(), kprobes()]
    }

    /// The worst status of a set of checks (`.ok` for none).
    public static func overall(_ checks: [SystemCheck]) -> SystemCheck.Status {
        checks.map(\.status).max() ?? .ok
    }

    // MARK: - Individual checks

    public static func privileges() -> SystemCheck {
        privileges(Capabilities.current(), uid: geteuid())
    }

    /// Fails without what both paths need (CAP_BPF, CAP_PERFMON); warns without CAP_NET_ADMIN,
    /// which only the socket capture needs.
    static func privileges(_ capabilities: Capabilities, uid: uid_t) -> SystemCheck {
        let name = "privileges"
        let who = uid == 0 ? "root" : "uid \(uid)"
        let forSyscalls = capabilities.missing(for: .syscalls)
        let forSocket = capabilities.missing(for: .socket)
        if !forSyscalls.isEmpty {
            return SystemCheck(
                name: name, status: .fail,
                detail: "\(who) lacks \(Capabilities.describe(forSocket)); the socket capture needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, the syscall capture CAP_BPF and CAP_PERFMON",
                fix: "run as root, or: setcap cap_bpf,cap_perfmon,cap_net_admin,cap_dac_read_search+ep $(command -v rtpscope)")
        }
        if !forSocket.isEmpty {
            return SystemCheck(
                name: name, status: .warn,
                detail: "\(who) has CAP_BPF and CAP_PERFMON but lacks \(Capabilities.describe(forSocket)): only the syscall capture can run",
                fix: "grant CAP_NET_ADMIN for the socket capture")
        }
        return SystemCheck(name: name, status: .ok,
                           detail: uid == 0 && capabilities.has(.sysAdmin) ? "running as root"
                                   : "\(who) with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN")
    }

    /// The socket capture's prerequisites that can be read without loading anything.
    static func socketCapture(capabilities: Capabilities = .current(),
                                     mountPoint: String? = CgroupV2.mountPoint()) -> SystemCheck {
        let name = "socket capture"
        guard let mountPoint else {
            return SystemCheck(name: name, status: .warn, detail: "cgroup v2 is not mounted: cgroup_skb programs have nowhere to attach",
                               fix: "mount -t cgroup2 none /sys/fs/cgroup (or boot with systemd.unified_cgroup_hierarchy=1)")
        }
        if !capabilities.hasEquivalent(.netAdmin) {
            return SystemCheck(name: name, status: .warn, detail: "cgroup v2 at \(mountPoint), but attaching cgroup programs needs CAP_NET_ADMIN",
                               fix: "run as root or grant CAP_NET_ADMIN")
        }
        return SystemCheck(name: name, status: .ok,
                           detail: "cgroup v2 at \(mountPoint): cgroup_skb egress/ingress attach to its root beside other programs (multi-attach)")
    }

    /// Which path `selection` leads to on this host, and why; fails when none can run.
    static func capturePath(_ selection: LiveCaptureOptions.CaptureSelection, socket: SystemCheck,
                            syscalls: SystemCheck) -> SystemCheck {
        let name = "capture path"
        let socketUsable = socket.status == .ok
        let syscallsUsable = syscalls.status == .ok
        switch selection {
        case .socket:
            return socketUsable ? SystemCheck(name: name, status: .ok, detail: "socket (--capture socket)")
                : SystemCheck(name: name, status: .fail, detail: "--capture socket cannot run: \(socket.detail)",
                              fix: socket.fix.isEmpty ? "use --capture auto" : socket.fix)
        case .syscalls:
            return syscallsUsable ? SystemCheck(name: name, status: .ok, detail: "syscalls (--capture syscalls)")
                : SystemCheck(name: name, status: .fail, detail: "--capture syscalls cannot run: \(syscalls.detail)", fix: syscalls.fix)
        case .auto:
            if socketUsable {
                return SystemCheck(name: name, status: .ok, detail: "socket: the default, cgroup v2 and CAP_NET_ADMIN are there")
            }
            if syscallsUsable {
                return SystemCheck(name: name, status: .ok,
                                   detail: "syscalls (fallback: \(socket.detail)); received datagrams still carry kernel arrival times, write()/read() and io_uring are not seen")
            }
            return SystemCheck(name: name, status: .fail, detail: "neither capture can run: \(socket.detail); \(syscalls.detail)",
                               fix: socket.fix.isEmpty ? syscalls.fix : socket.fix)
        }
    }

    /// Loads and attaches the capture as the monitor would (its own pid only, a small ring
    /// buffer, detached at once): the path `selection` really takes here and why.
    public static func trial(capture selection: LiveCaptureOptions.CaptureSelection = .auto,
                             cgroupRoot: String? = nil) -> SystemCheck {
        let name = "capture trial"
        do {
            let capture = try LiveCapture(options: LiveCaptureOptions(
                pids: [getpid()], ringBufferBytes: 1 << 16, capture: selection, cgroupRoot: cgroupRoot))
            defer { capture.close() }
            let programs = capture.statistics().attachedPrograms.count
            let why = capture.fallbackReason.map { " (socket capture failed: \($0))" } ?? ""
            return SystemCheck(name: name, status: .ok, detail: "\(capture.path.name) loaded and attached \(programs) programs\(why)")
        } catch {
            return SystemCheck(name: name, status: .fail, detail: error.description, fix: "see the lines above")
        }
    }

    public static func btf(path: String = "/sys/kernel/btf/vmlinux") -> SystemCheck {
        if access(path, R_OK) == 0 {
            return SystemCheck(name: "kernel BTF", status: .ok, detail: "\(path) present (CO-RE relocations work)")
        }
        return SystemCheck(
            name: "kernel BTF", status: .fail, detail: "\(path) missing: the kernel was built without CONFIG_DEBUG_INFO_BTF",
            fix: "use a kernel with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020)")
    }

    /// The syscall capture's prerequisite: tracefs, readable, with syscall tracepoints.
    static func tracefs(capabilities: Capabilities = .current()) -> SystemCheck {
        let name = "syscall capture"
        switch Tracefs.state() {
        case .notMounted:
            let canMount = capabilities.has(.sysAdmin)
            return SystemCheck(
                name: name, status: canMount ? .ok : .warn,
                detail: canMount ? "tracefs not mounted; rtpscope mounts it at \(Tracefs.mountPoint) when it needs it"
                                 : "tracefs is not mounted, and mounting it needs CAP_SYS_ADMIN",
                fix: canMount ? "" : "mount -t tracefs nodev \(Tracefs.mountPoint)")
        case .unreadable(let path, let mode):
            return SystemCheck(
                name: name, status: .warn,
                detail: "tracefs is mounted at \(path) (mode \(String(mode, radix: 8))) but uid \(geteuid()) cannot read it: attaching tracepoints reads their ids there, which needs root or CAP_DAC_READ_SEARCH",
                fix: "grant CAP_DAC_READ_SEARCH, or run as root")
        case .mounted(let path):
            if Tracefs.hasSyscallTracepoints(at: path) {
                return SystemCheck(name: name, status: .ok, detail: "tracefs at \(path) with syscall tracepoints")
            }
            return SystemCheck(name: name, status: .warn, detail: "tracefs at \(path) has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS)",
                               fix: "use a kernel with CONFIG_FTRACE_SYSCALLS=y")
        }
    }

    static func ringBuffer(capabilities: Capabilities = .current()) -> SystemCheck {
        let name = "BPF ring buffer"
        let release = kernelRelease()
        // Creating the probe map needs CAP_BPF: without it the probe says nothing about the kernel.
        guard capabilities.hasEquivalent(.bpf) else {
            let known = (kernelVersion(release) ?? (0, 0)) >= (5, 8)
            return SystemCheck(name: name, status: known ? .ok : .warn,
                               detail: "not probed without CAP_BPF; kernel \(release) \(known ? "has it (5.8+)" : "may lack it (needs 5.8+)")",
                               fix: known ? "" : "run rtpscope doctor as root to probe")
        }
        let result = rtpscope_bpf_probe_ringbuf()
        switch result {
        case 1:
            return SystemCheck(name: name, status: .ok, detail: "BPF_MAP_TYPE_RINGBUF supported")
        case 0:
            return SystemCheck(name: name, status: .fail, detail: "BPF_MAP_TYPE_RINGBUF not supported by kernel \(release) (needs 5.8+)",
                               fix: "use Linux 5.8 or later")
        default:
            return SystemCheck(name: name, status: .fail,
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
        return SystemCheck(name: "kprobes", status: .ok, detail: "not available; not needed (rtpscope uses cgroup socket programs or syscall tracepoints)")
    }

    // MARK: - Helpers

    static func kernelRelease() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: name.release) { KernelName.text(nulTerminated: $0) }
    }

    static func kernelVersion(_ release: String) -> (Int, Int)? {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }

    /// Memory-cgroup accounting of BPF objects arrived in 5.11.
    static func kernelAccountsBPFByCgroup() -> Bool {
        (kernelVersion(kernelRelease()) ?? (0, 0)) >= (5, 11)
    }
}
