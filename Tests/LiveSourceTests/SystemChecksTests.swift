import Testing
@testable import LiveSource

@Suite struct SystemChecksTests {
    @Test func readsEffectiveCapabilities() {
        let status = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\nCapBnd:\t000001ffffffffff\n"
        #expect(SystemChecks.effectiveCapabilities(fromProcStatus: status) == 0x1_fffe_ffff_ff)
        #expect(SystemChecks.effectiveCapabilities(fromProcStatus: "Name:\tx\n") == nil)
    }

    @Test func privilegesNeedBPFAndPerfmon() {
        let bpfAndPerfmon = String((UInt64(1) << 39) | (UInt64(1) << 38), radix: 16)
        #expect(SystemChecks.privileges(status: "CapEff:\t\(bpfAndPerfmon)\n", uid: 1000).status == .ok)
        let onlyBPF = String(UInt64(1) << 39, radix: 16)
        let denied = SystemChecks.privileges(status: "CapEff:\t\(onlyBPF)\n", uid: 1000)
        #expect(denied.status == .fail)
        #expect(denied.fix.contains("setcap"))
        #expect(SystemChecks.privileges(status: nil, uid: 0).status == .ok)
    }

    @Test func everyCheckHasANameAndADetail() {
        let checks = SystemChecks.run()
        #expect(checks.map(\.name) == ["privileges", "kernel BTF", "tracefs", "BPF ring buffer", "memlock limit", "uprobes", "kprobes"])
        for check in checks {
            #expect(!check.detail.isEmpty)
            #expect(check.status == .ok || !check.fix.isEmpty, "\(check)")
        }
    }
}
