import Foundation
import Testing
import RTPCore
@testable import PcapSource

/// Reads a real capture from the shared corpus (`RTPSCOPE_SHARED_CAPTURES`, else ../shared/captures
/// beside the package, as for the conformance suite). Without the corpus this is skipped, and
/// `corpusIsPresentWhenRequired` fails under RTPSCOPE_REQUIRE_SHARED=1 (CI); with it, the file must be there.
@Suite struct SharedCaptureTests {
    static let dltNullCapture = SharedCaptureCorpus.locate().map { $0 + "/sippy__rtpproxy__DLT_NULL.a.rtp.pcap" }

    @Test(.enabled(if: dltNullCapture != nil, "shared captures not found at \(SharedCaptureCorpus.searchedPath): set RTPSCOPE_SHARED_CAPTURES"))
    func dltNullCaptureWithIPv4AndIPv6() throws {
        let file = try CaptureFile(path: try #require(Self.dltNullCapture))
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
