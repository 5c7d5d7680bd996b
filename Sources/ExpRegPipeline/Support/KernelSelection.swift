import ExpRegLinAlg
import Foundation

/// The one place the `EXPREG_KERNELS` environment variable is read (by the command line); the
/// resolved ``KernelPath`` is then passed down explicitly (``RunOptions/kernels``,
/// ``BenchmarkConfig/kernels``), never read again deeper in.
public enum KernelSelection {
    /// The environment variable: `auto` (default), `avx512`, `avx2` or `generic`.
    public static let variable = "EXPREG_KERNELS"

    /// The kernel path asked for by `environment` (``KernelPath/best`` when unset or `auto`).
    /// - Throws: ``PipelineError`` with exit status 2 for an unknown value or a path this CPU lacks.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KernelPath
    {
        do {
            return try KernelPath.resolve(environment[variable])
        } catch {
            throw PipelineError.invalid(error.description)
        }
    }
}
