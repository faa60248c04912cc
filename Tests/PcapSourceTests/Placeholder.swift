import Testing
@testable import PcapSource

@Suite struct LibpcapTests {
    @Test func libpcapIsLinked() {
        #expect(PcapSourceVersion.libpcapVersion.contains("libpcap"))
    }
}
