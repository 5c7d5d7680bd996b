/// Errors that stop a run before it has an outcome.
///
/// Divergence is not an error: it is the outcome status `diverged`.
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
