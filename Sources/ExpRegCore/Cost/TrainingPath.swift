/// How a run holds the activations while it trains.
public enum TrainingPath: String, Sendable, Codable, CaseIterable {
    /// The n × m matrix D ∘ a/√m is materialised once per forward pass (``GradientDescent``).
    case materializing
    /// No n × m matrix: D ∘ a/√m is recomputed per block of at most 384 neurons, in the update and
    /// in H(W) (``GradientDescent`` with `lean: true`, ``LeanStepBlocks``).
    case lean

    /// The path of a run: ``materializing`` while the n × m activations (8·n·m bytes) fit
    /// `activationBudgetBytes`, else ``lean``.
    public static func chosen(
        n: Int, m: Int,
        activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes
    ) -> TrainingPath {
        let (cells, o1) = n.multipliedReportingOverflow(by: m)
        let (bytes, o2) = cells.multipliedReportingOverflow(by: TrainingMemory.bytesPerValue)
        return o1 || o2 || bytes > activationBudgetBytes ? .lean : .materializing
    }
}
