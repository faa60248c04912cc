import Testing
@testable import NetDecode

@Suite struct LinkTypeTests {
    @Test func linkTypeNumbersMatchTcpdumpOrg() {
        #expect(LinkType.linuxSLL2.rawValue == 276)
    }
}
