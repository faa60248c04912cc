import Glibc

/// The effective capabilities of this process (CapEff in /proc/self/status), and what each capture
/// path needs of them, so a refusal names the missing capability exactly.
struct Capabilities: Equatable {
    enum Capability: Int, CaseIterable {
        case dacOverride = 1, dacReadSearch = 2, netAdmin = 12, sysPtrace = 19, sysAdmin = 21,
             sysResource = 24, perfmon = 38, bpf = 39

        var name: String {
            switch self {
            case .dacOverride: return "CAP_DAC_OVERRIDE"
            case .dacReadSearch: return "CAP_DAC_READ_SEARCH"
            case .netAdmin: return "CAP_NET_ADMIN"
            case .sysPtrace: return "CAP_SYS_PTRACE"
            case .sysAdmin: return "CAP_SYS_ADMIN"
            case .sysResource: return "CAP_SYS_RESOURCE"
            case .perfmon: return "CAP_PERFMON"
            case .bpf: return "CAP_BPF"
            }
        }

        /// What the capture uses it for (the doctor's and the error's wording).
        var purpose: String {
            switch self {
            case .bpf: return "loading BPF programs and maps"
            case .perfmon: return "tracing programs, reading kernel memory"
            case .netAdmin: return "cgroup socket programs"
            default: return ""
            }
        }
    }

    /// CapEff; nil when /proc/self/status could not be read.
    let effective: UInt64?

    static func current() -> Capabilities {
        Capabilities(effective: TextFile.read("/proc/self/status").flatMap(effective(fromProcStatus:)))
    }

    func has(_ capability: Capability) -> Bool {
        guard let effective else { return geteuid() == 0 }
        return effective & (1 << UInt64(capability.rawValue)) != 0
    }

    /// The kernel's bpf_capable() and perfmon_capable() accept CAP_SYS_ADMIN in their place.
    func hasEquivalent(_ capability: Capability) -> Bool {
        has(capability) || ((capability == .bpf || capability == .perfmon) && has(.sysAdmin))
    }

    /// What `path` needs and this process does not have.
    func missing(for path: CapturePath) -> [Capability] {
        let needed: [Capability] = path == .socket ? [.bpf, .perfmon, .netAdmin] : [.bpf, .perfmon]
        return needed.filter { !hasEquivalent($0) }
    }

    /// "CAP_NET_ADMIN (cgroup socket programs)", joined with "and".
    static func describe(_ capabilities: [Capability]) -> String {
        capabilities.map { $0.purpose.isEmpty ? $0.name : "\($0.name) (\($0.purpose))" }.joined(separator: " and ")
    }

    /// The CapEff bit mask of a /proc/PID/status text.
    static func effective(fromProcStatus text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let value = line.dropFirst("CapEff:".count).filter { $0 != " " && $0 != "\t" }
            return UInt64(value, radix: 16)
        }
        return nil
    }
}
