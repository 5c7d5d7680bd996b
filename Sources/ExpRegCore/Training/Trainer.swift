/// Progress of a run, sent to the observer after every archived step.
public struct TrainingProgress: Sendable, Equatable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Double
    public init(step: Int, totalSteps: Int, loss: Double) {
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
    }
}

/// Errors that stop a run before it has an outcome.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The observer asked to stop (SIGINT/SIGTERM): the run has no outcome and is not archived.
    case cancelled(step: Int)
    /// The config cannot be trained on this dataset (e.g. width < 1).
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .cancelled(let step): return "training cancelled at step \(step)"
        case .invalidConfiguration(let message): return "invalid run configuration: \(message)"
        }
    }
}

/// Full-batch gradient descent on L = 1/2 sum_i (F(W, x_i) - y_i)^2 with theory diagnostics.
///
/// INTERFACE STUB — implemented by the numeric-core work (issue 2).
public enum Trainer {
    /// Part of every run_key: bump when the training algorithm's numbers change.
    public static let algorithmVersion = "gd-1"

    /// Trains one run and computes its diagnostics. Pure: same config + data ⇒ same outcome.
    ///
    /// - Parameter progress: called every `logEvery` steps; return `false` to cancel.
    /// - Throws: ``TrainingError``; divergence is not an error but status `diverged`.
    public static func train(_ config: RunConfig, on dataset: Dataset,
                             progress: ((TrainingProgress) -> Bool)? = nil) throws(TrainingError) -> RunOutcome {
        fatalError("Trainer.train is not implemented yet")
    }
}
