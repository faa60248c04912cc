import Testing

@Suite struct LiveSourceTestsPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
