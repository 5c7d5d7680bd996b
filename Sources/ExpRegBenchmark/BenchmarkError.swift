/// Why a benchmark could not run.
public enum BenchmarkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A size or option out of range (CLI usage error, exit 2).
    case invalidConfiguration(String)
    /// The step or the eigen-solver produced non-finite numbers (e.g. exp overflow at a huge σ).
    case numericalFailure(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return "expreg bench: invalid option: \(message)"
        case .numericalFailure(let message): return "expreg bench: \(message)"
        }
    }
}
