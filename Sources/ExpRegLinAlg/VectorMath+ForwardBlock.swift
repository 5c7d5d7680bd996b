internal import CExpRegKernels

extension VectorMath {
    /// The fused forward block kernel of ``StepPanels``' BLAS path with a chosen exp kernel (tests):
    /// max |z| into `maxAbs`, block ← a ∘ exp(block), sums[i] += Σ_j a_j exp(z_ij).
    static func expForwardBlock(
        kernel: ExpKernel, _ block: UnsafeMutablePointer<Double>, rows: Int, columns: Int,
        leadingDimension: Int, weights: UnsafePointer<Double>,
        sums: UnsafeMutablePointer<Double>, maxAbs: inout Double
    ) {
        expreg_exp_forward_block_with(kernel.cKernel, block, rows, columns, leadingDimension, weights, sums, &maxAbs)
    }
}
