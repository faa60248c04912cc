import Testing

@Suite struct ExporterTestsPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
