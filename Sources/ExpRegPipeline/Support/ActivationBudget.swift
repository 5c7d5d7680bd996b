import ExpRegCore
import Foundation

/// The one place the `EXPREG_ACTIVATION_BUDGET` environment variable is read (by the command line,
/// beside ``KernelSelection``); the resolved byte count is then passed down explicitly
/// (``RunOptions/activationBudgetBytes`` → ``TrainingOptions/activationBudgetBytes``).
///
/// A run whose n × m activation matrix (8·n·m bytes) exceeds the budget trains memory-lean
/// (``TrainingPath/lean``): same results to rounding, no n × m buffer, about 1.5× the flops of a
/// step. Default ``TrainingOptions/defaultActivationBudgetBytes`` (1 GiB).
public enum ActivationBudget {
    /// The environment variable: bytes, or a number with `K`, `M`, `G`, `T` (KiB…TiB), e.g. `512M`;
    /// `0` trains every run lean.
    public static let variable = "EXPREG_ACTIVATION_BUDGET"

    /// The budget asked for by `environment` (the default when unset or empty).
    /// - Throws: ``PipelineError`` with exit status 2 when the value is not a size.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment[variable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return TrainingOptions.defaultActivationBudgetBytes
        }
        if text == "0" { return 0 }
        guard let bytes = MemoryLimit.parseSize(text) else {
            throw PipelineError.invalid(
                "\(variable)=\(text) is not a size; give bytes or a number with K, M, G or T "
                    + "(KiB…TiB), e.g. 1G (0 trains every run memory-lean)")
        }
        return bytes
    }
}
