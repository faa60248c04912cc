import Foundation
import Testing
@testable import PcapSource
import NetDecode
import RTPCore

/// `monitor --interface`'s set-up errors: what a user who misspells an interface or a filter reads.
@Suite struct InterfaceCaptureErrorTests {
    @Test func aMissingInterfaceIsNamedInOneLine() {
        #expect(throws: InterfaceCaptureError.noSuchInterface("nosuchif0")) {
            try InterfaceCapture(name: "nosuchif0", payloadSnaplen: 256)
        }
        #expect(InterfaceCaptureError.noSuchInterface("nosuchif0").description
                == "interface nosuchif0: no such interface (`ip link` lists them)")
    }

    @Test func aBadFilterIsRefusedWithLibpcapsReason() throws {
        let problem = try #require(InterfaceCapture.filterProblem("udp and and"))
        #expect(problem.contains("syntax error"), "\(problem)")
        #expect(InterfaceCapture.filterProblem("udp") == nil)
        #expect(InterfaceCapture.filterProblem("udp and portrange 10000-20000 and not host 10.0.0.1") == nil)
        let error = InterfaceCaptureError.badFilter("eth0", expression: "udp and and", reason: problem)
        #expect(error.description == "interface eth0: bad --bpf-filter 'udp and and': \(problem)")
        #expect(!error.description.contains("\n"))
    }

    /// With the privileges to open an interface, a filter that compiles for none is reported by the
    /// capture itself (the path an expression valid for Ethernet but not this link would take).
    @Test func anOpenedInterfaceRefusesABadFilter() throws {
        guard geteuid() == 0 else {
            // Opening needs root; the message itself is covered above.
            if ProcessInfo.processInfo.environment["RTPSCOPE_REQUIRE_BPF"] == "1" {
                Issue.record("RTPSCOPE_REQUIRE_BPF=1 but not running as root: cannot open an interface")
            }
            return
        }
        #expect(throws: InterfaceCaptureError.self) {
            try InterfaceCapture(name: "lo", filter: "udp and and", payloadSnaplen: 256)
        }
        do {
            _ = try InterfaceCapture(name: "lo", filter: "udp and and", payloadSnaplen: 256)
        } catch {
            guard case .badFilter("lo", "udp and and", _) = error else {
                Issue.record("expected badFilter, got \(error)")
                return
            }
        }
    }
}
