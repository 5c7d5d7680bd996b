import Testing

// Replaced by the module's real suites.
@Test func placeholderLinAlg() { #expect(Bool(true)) }
