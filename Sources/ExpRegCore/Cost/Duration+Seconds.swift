extension Duration {
    /// The duration in seconds, as a `Double` (whole seconds plus attoseconds · 10⁻¹⁸): how the
    /// pipeline records a run's timings and the benchmark its measurements.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
