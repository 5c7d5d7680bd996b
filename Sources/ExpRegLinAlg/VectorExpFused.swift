internal import CExpRegKernels

extension VectorMath {
    /// Fused exponential and weighted row sums over a row-major block, in one pass over memory.
    ///
    /// For 0 ≤ i < rows and 0 ≤ j < columns, with element (i, j) at `block[i * leadingDimension + j]`:
    /// `block[i, j] ← exp(block[i, j])` (same kernel and accuracy as ``expInPlace(_:)``) and
    /// `sums[i] = Σ_j weights[j] · block[i, j]` (the new values). The sum is accumulated in several
    /// partial sums (lanes), so it can differ from a left-to-right sum by rounding (relative
    /// ~columns·ε). NaN and ±inf propagate as in IEEE arithmetic.
    ///
    /// Typical use, the network output u = E a / √m with E = exp(X Wᵀ) (n × m): pass the n × m
    /// pre-activations, the output weights a, and scale `sums` by 1/√m afterwards.
    ///
    /// - Parameters:
    ///   - block: rows × leadingDimension doubles (the last row may end after `columns`).
    ///   - rows: number of rows (≥ 0).
    ///   - columns: number of columns (≥ 0, ≤ leadingDimension).
    ///   - leadingDimension: distance between rows, in elements.
    ///   - weights: `columns` doubles.
    ///   - sums: `rows` doubles, overwritten.
    /// - Precondition: the buffers are at least as large as the shape says.
    /// - Complexity: O(rows · columns).
    public static func expInPlaceWeightedRowSums(
        _ block: UnsafeMutableBufferPointer<Double>, rows: Int, columns: Int, leadingDimension: Int,
        weights: UnsafeBufferPointer<Double>, into sums: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(rows >= 0 && columns >= 0 && leadingDimension >= columns,
                     "expInPlaceWeightedRowSums: bad shape rows=\(rows) columns=\(columns) ld=\(leadingDimension)")
        guard rows > 0 else { return }
        precondition(block.count >= (rows - 1) * leadingDimension + columns,
                     "expInPlaceWeightedRowSums: block has \(block.count) elements, shape needs more")
        precondition(weights.count >= columns, "expInPlaceWeightedRowSums: \(weights.count) weights < \(columns) columns")
        precondition(sums.count >= rows, "expInPlaceWeightedRowSums: \(sums.count) sums < \(rows) rows")
        guard columns > 0 else {
            for i in 0..<rows { sums[i] = 0 }
            return
        }
        expreg_exp_rowdot(block.baseAddress!, rows, columns, leadingDimension, weights.baseAddress!, sums.baseAddress!)
    }

    /// The fused forward block kernel of ``NeuronBlockKernel`` with a chosen exp kernel (tests):
    /// max |z| into `maxAbs`, block ← a ∘ exp(block), sums[i] += Σ_j a_j exp(z_ij).
    static func expForwardBlock(kernel: ExpKernel, _ block: UnsafeMutablePointer<Double>, rows: Int, columns: Int,
                                leadingDimension: Int, weights: UnsafePointer<Double>,
                                sums: UnsafeMutablePointer<Double>, maxAbs: inout Double) {
        expreg_exp_forward_block_with(kernel.cKernel, block, rows, columns, leadingDimension, weights, sums, &maxAbs)
    }
}
