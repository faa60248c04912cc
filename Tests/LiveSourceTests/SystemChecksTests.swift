import Testing
@testable import LiveSource

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
