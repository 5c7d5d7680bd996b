internal import CExpRegKernels

/// ExpReg's own GD-step kernels of one kernel path: the AVX-512 family (step_panels.c,
/// lean_panels.c) or the AVX2 + FMA family (step_panels_avx2.c, lean_panels_avx2.c). Both have the
/// same signatures, panel layout of D and packing of X and R (`expreg_pack_tiles8`), so
/// ``StepPanels`` and ``LeanStepBlocks`` call them through this one table; `nil` on ``KernelPath/generic``,
/// which runs OpenBLAS per panel instead. See include/CExpRegKernels.h for each kernel's contract.
struct OwnStepKernels {
    /// `expreg_forward_panels_*`: Z, the activation, D into the panels (or nowhere), u's row sums, max |z|.
    typealias Forward =
        @convention(c) (
            Int32, UnsafePointer<Double>?, Int, Int, UnsafePointer<Double>?, Int, Int, UnsafePointer<Double>?,
            Int, Int, UnsafeMutablePointer<Double>?, Int32, UnsafeMutablePointer<Double>?,
            UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?
        ) -> Void
    /// `expreg_update_panels_*`: Wᵀ += alpha Rᵀ D for D in the panels.
    typealias Update =
        @convention(c) (
            UnsafePointer<Double>?, Int, Int, UnsafePointer<Double>?, Double, UnsafeMutablePointer<Double>?, Int, Int,
            Int, Int
        ) -> Void
    /// `expreg_lean_update_panels_*`: per panel, D formed in L1 and applied at once.
    typealias LeanUpdate =
        @convention(c) (
            Int32, UnsafePointer<Double>?, UnsafePointer<Double>?, Int, Int, UnsafePointer<Double>?, Double,
            UnsafeMutablePointer<Double>?, Int, Int, Int, Int, Int32, UnsafeMutablePointer<Double>?,
            UnsafeMutablePointer<Double>?
        ) -> Void

    let forward: Forward
    let update: Update
    let leanUpdate: LeanUpdate

    /// The kernels of `path`; nil for ``KernelPath/generic``.
    init?(_ path: KernelPath) {
        switch path {
        case .avx512:
            forward = expreg_forward_panels_avx512
            update = expreg_update_panels_avx512
            leanUpdate = expreg_lean_update_panels_avx512
        case .avx2:
            forward = expreg_forward_panels_avx2
            update = expreg_update_panels_avx2
            leanUpdate = expreg_lean_update_panels_avx2
        case .generic:
            return nil
        }
    }
}
