// Public: this file's API takes ExpRegLinAlg's `KernelPath` (see CoreLayering.swift).
public import ExpRegLinAlg

/// How a run is computed, as opposed to what is computed (``RunConfig``): passed explicitly by
/// the caller, never read from process-wide state.
///
/// Contract: for a fixed ``kernels`` path, the outcome of ``Trainer`` is bitwise the same for any
/// ``threads`` (ExpReg's kernels split work on a fixed grid and OpenBLAS always runs on one
/// thread). Two different paths agree to rounding only.
public struct TrainingOptions: Sendable, Equatable {
    /// Worker threads of one GD step and of each H(W) build (≥ 1).
    public var threads: Int
    /// The kernel family (see ``KernelPath``); must be available on this CPU.
    public var kernels: KernelPath
    /// Largest n × m activation matrix (8·n·m bytes) a run materialises; a wider run trains
    /// memory-lean (``TrainingPath/lean``, same results to rounding). Default
    /// ``defaultActivationBudgetBytes``; the command line overrides it with `EXPREG_ACTIVATION_BUDGET`.
    public var activationBudgetBytes: Int

    /// 1 GiB: at n = 128 the n × m matrix is materialised up to m = 1,048,576.
    public static let defaultActivationBudgetBytes = 1 << 30

    /// - Precondition: `kernels.isAvailable`.
    public init(
        threads: Int = 1, kernels: KernelPath,
        activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes
    ) {
        precondition(kernels.isAvailable, "TrainingOptions: kernel path \(kernels) is not available on this CPU")
        self.threads = max(1, threads)
        self.kernels = kernels
        self.activationBudgetBytes = max(0, activationBudgetBytes)
    }
}
