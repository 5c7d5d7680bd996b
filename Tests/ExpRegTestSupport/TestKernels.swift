import ExpRegLinAlg
import Foundation
import Testing

/// The kernel paths the numeric tests exercise, honouring `EXPREG_KERNELS` (read here, at the
/// test process's edge, as the executable reads it at its own).
///
/// - unset or `auto`: every path this CPU runs; ``path`` = ``KernelPath/best``.
/// - `avx512`, `avx2` or `generic`: that path alone (`make test` runs the numeric suites again with
///   `generic`, so the fallback is exercised on AVX-512 machines too).
public enum TestKernels {
    /// The setting, as given (nil when unset).
    public static let setting = ProcessInfo.processInfo.environment["EXPREG_KERNELS"]

    /// The forced path, nil when unset / `auto`; an unusable setting is reported by ``settingError``.
    public static let forced: KernelPath? = {
        guard let setting, !setting.isEmpty, setting.lowercased() != "auto" else { return nil }
        return try? KernelPath.resolve(setting)
    }()

    /// Why the setting cannot be used (unknown name, or a path this CPU lacks), nil when it can.
    public static var settingError: String? {
        do {
            _ = try KernelPath.resolve(setting)
            return nil
        } catch {
            return error.description
        }
    }

    /// The path of tests that use one path: the forced one, else the fastest this CPU runs.
    public static var path: KernelPath { forced ?? .best }

    /// The paths tests that compare paths or loop over paths run: the forced one alone, else
    /// every path this CPU runs.
    public static var paths: [KernelPath] { forced.map { [$0] } ?? KernelPath.allCases.filter(\.isAvailable) }

    /// Why a test of `path` does not run here (the CPU lacks it, or `EXPREG_KERNELS` forces
    /// another path); nil when it runs.
    public static func skipReason(_ path: KernelPath) -> String? {
        if !path.isAvailable { return "this CPU lacks the \(path.rawValue) path (it runs \(KernelPath.best.rawValue))" }
        if let forced, forced != path { return "EXPREG_KERNELS=\(forced.rawValue) forces another path" }
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test or suite only where `path` runs: the CPU has it and `EXPREG_KERNELS` does not
    /// force another. Elsewhere Swift Testing reports it as skipped with the reason
    /// (``TestKernels/skipReason(_:)``), never as passed.
    public static func runsOn(_ path: KernelPath) -> Self {
        let reason = TestKernels.skipReason(path)
        return .enabled(if: reason == nil, Comment(rawValue: reason ?? "\(path.rawValue) runs here"))
    }
}
