extension Duration {
    /// The duration in seconds, as a `Double` (whole seconds plus attoseconds · 10⁻¹⁸).
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
