import Foundation
import Testing
import RTPCore
@testable import PcapSource

/// Reads a real capture from the shared corpus when it is present on this machine.
@Suite struct SharedCaptureTests {
    static let dltNullCapture = "/work/shared/captures/sippy__rtpproxy__DLT_NULL.a.rtp.pcap"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: dltNullCapture), "shared capture \(dltNullCapture) not present"))
    func dltNullCaptureWithIPv4AndIPv6() throws {
        let file = try CaptureFile(path: Self.dltNullCapture)
        #expect(file.linkType == .null)
        #expect(file.linkTypeName == "NULL")
        var ipv4 = 0, ipv6 = 0
        let result = file.read { datagram in
            #expect(datagram.transport == .udp)
            if datagram.source.address.family == .v4 { ipv4 += 1 } else { ipv6 += 1 }
        }
        #expect(result.packetsRead == 600)
        #expect(ipv4 == 300)
        #expect(ipv6 == 300)
        #expect(result.decode.totalIssues == 0)
        #expect(result.stoppedBy == nil)
    }
}
