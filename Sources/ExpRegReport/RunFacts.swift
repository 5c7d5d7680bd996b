import ExpRegCore

/// Convenience reads of a run record used by the summary rules and the tables.
extension RunRecord {
    /// The model width m.
    var width: Int { spec.config.model.width }
    /// The activation of the hidden layer.
    var activation: Activation { spec.config.model.activation }
    /// The init seed.
    var seed: UInt64 { spec.config.seed }
    /// `diverged` or `failed` (``RunStatus/isBroken``).
    var isBroken: Bool { status.isBroken }
    /// The run's sweep values as `key=value, …` (every param when the run swept nothing).
    var sweepLabel: String { spec.sweepLabel }
}

extension RunSpec {
    /// The run's sweep values as `key=value, …` (model.width and seed when the run swept nothing).
    var sweepLabel: String {
        let keys = sweptKeys.isEmpty ? ["model.width", "seed"] : sweptKeys
        return keys.compactMap { key in param(key).map { "\(key)=\($0)" } }.joined(separator: ", ")
    }
}

extension RegressionComparison {
    /// Beyond a `max_regression` threshold by Core's gate rule (``Gates``): a missing ratio
    /// (no finite loss then) counts as beyond, and so does +inf (no finite loss now).
    func isBeyond(_ limit: Double) -> Bool { (ratio ?? .infinity) > limit }
}
