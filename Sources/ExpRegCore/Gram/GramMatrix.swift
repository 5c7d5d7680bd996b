// Public: this file's API takes ExpRegLinAlg's `KernelPath` (see CoreLayering.swift).
public import ExpRegLinAlg
import Foundation

/// The Gram (neural tangent) matrices of the model, n × n, row-major, symmetric.
public enum GramMatrix {
    /// The empirical Gram H(W)_ij = ⟨x_i, x_j⟩ · (1/m) Σ_r act'(z_ir) act'(z_jr), z_ir = ⟨w_r, x_i⟩.
    ///
    /// Computed as H = (X Xᵀ) ∘ (D Dᵀ / m) with Z = X Wᵀ, D = act'(Z) (exp: e^Z via the vectorised
    /// kernel; relu: 1[Z > 0]); D Dᵀ is accumulated over blocks of neurons and X Xᵀ multiplied in
    /// by row tiles (``NeuronBlockKernel/empiricalGram(activation:x:n:d:w:m:into:threads:blockWidth:path:)``).
    /// Equals J Jᵀ for the Jacobian J of the outputs with respect to W when every a_r = ±1.
    ///
    /// NaN behaviour: overflowing exponentials give +inf/NaN entries; check before using.
    /// - Parameters:
    ///   - x: row-major n × d inputs.
    ///   - w: row-major m × d hidden weights.
    ///   - threads: worker threads (≥ 1; the result does not depend on it).
    ///   - path: the kernel path (must be available on this CPU).
    /// - Returns: the full symmetric matrix, row-major n × n.
    /// - Complexity: O(n·m·d + n²·m + n²·d) time, about 1400·n extra doubles besides H (not n·m;
    ///   without AVX-512, n² + 2300·n).
    public static func empirical(
        x: [Double], n: Int, d: Int, w: [Double], m: Int,
        activation: Activation, threads: Int, path: KernelPath
    ) -> [Double] {
        precondition(n >= 1 && d >= 1 && m >= 1, "GramMatrix.empirical: n, d, m must be >= 1")
        precondition(
            x.count == n * d && w.count == m * d,
            "GramMatrix.empirical: x has \(x.count) (expected \(n * d)), w has \(w.count) (expected \(m * d))")
        // D Dᵀ / m block by block over neurons (D, n × m, is never held whole), then one threaded pass
        // that scales, multiplies by X Xᵀ and mirrors: every entry of h is written, so it starts
        // uninitialised (no zeroing pass, no page faults outside the worker threads).
        let h = [Double](unsafeUninitializedCapacity: n * n) { hp, count in
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    NeuronBlockKernel.empiricalGram(
                        activation: activation.blockKernel, x: xp.baseAddress!, n: n, d: d,
                        w: wp.baseAddress!, m: m, into: hp.baseAddress!,
                        threads: max(1, threads), path: path)
                }
            }
            count = n * n
        }
        return h
    }

    /// The closed-form infinite-width Gram H* for w ~ N(0, σ² I) (docs/theory.md "Gram matrices").
    ///
    /// - exp:  H*_ij = ⟨x_i, x_j⟩ · exp(σ² ‖x_i + x_j‖² / 2), with ‖x_i + x_j‖² expanded as
    ///   G_ii + G_jj + 2 G_ij (G = X Xᵀ); the diagonal of unit-norm data is e^{2σ²}.
    /// - relu: H*_ij = ⟨x_i, x_j⟩ · (π − θ_ij) / (2π), θ_ij = arccos(G_ij / √(G_ii G_jj)) with the
    ///   cosine clamped to [−1, 1] and θ_ii = 0 exactly (arccos is ill-conditioned near 1); the
    ///   diagonal of unit-norm data is 1/2. σ does not enter (relu' is scale-invariant).
    /// - Parameters:
    ///   - x: row-major n × d inputs (unit rows for the theory).
    ///   - sigma: the initialisation scale σ.
    /// - Returns: the full symmetric matrix, row-major n × n (exp entries may overflow to +inf for huge σ).
    /// - Complexity: O(n²·d) time; 128·n + n extra doubles besides the result.
    public static func closedForm(x: [Double], n: Int, d: Int, activation: Activation, sigma: Double) -> [Double] {
        var h = [Double](repeating: 0, count: n * n)
        forEachClosedFormEntry(x: x, n: n, d: d, activation: activation, sigma: sigma) { i, j, value in
            h[i * n + j] = value
            h[j * n + i] = value
        }
        return h
    }

    /// H ← H − H* in place for a full symmetric n × n `h` (row-major), with H* as in
    /// ``closedForm(x:n:d:activation:sigma:)`` (the same numbers), without a second n × n matrix.
    /// - Complexity: O(n²·d) time, 128·n + n extra doubles.
    public static func subtractClosedForm(
        from h: inout [Double], x: [Double], n: Int, d: Int,
        activation: Activation, sigma: Double
    ) {
        precondition(h.count == n * n, "GramMatrix.subtractClosedForm: h has \(h.count) values, expected \(n)²")
        h.withUnsafeMutableBufferPointer { hp in
            forEachClosedFormEntry(x: x, n: n, d: d, activation: activation, sigma: sigma) { i, j, value in
                hp[i * n + j] -= value
                if j != i { hp[j * n + i] -= value }
            }
        }
    }

    /// Calls `body(i, j, H*_ij)` once for every j ≥ i, in row order. G = X Xᵀ is formed 128 rows
    /// at a time (`dgemm` into a 128 × n tile); its diagonal comes first (`ddot`).
    private static func forEachClosedFormEntry(
        x: [Double], n: Int, d: Int, activation: Activation, sigma: Double,
        _ body: (Int, Int, Double) -> Void
    ) {
        precondition(
            n >= 1 && d >= 1 && x.count == n * d,
            "GramMatrix.closedForm: x has \(x.count) values, expected \(n)·\(d)")
        let tileRows = 128
        let sigma2 = sigma * sigma
        x.withUnsafeBufferPointer { xBuffer in
            let xp = xBuffer.baseAddress!
            let norms2 = (0..<n).map { BLAS.dot(count: d, xp + $0 * d, xp + $0 * d) }
            var tile = [Double](repeating: 0, count: min(tileRows, n) * n)
            var first = 0
            while first < n {
                let rows = min(tileRows, n - first)
                tile.withUnsafeMutableBufferPointer { tp in  // tp[r·n + j] = G_{first+r, j}
                    BLAS.gemm(
                        .none, .transpose, m: rows, n: n, k: d, alpha: 1, a: xp + first * d, lda: d,
                        b: xp, ldb: d, beta: 0, c: tp.baseAddress!, ldc: n)
                }
                for r in 0..<rows {
                    let i = first + r
                    for j in i..<n {
                        let gij = j == i ? norms2[i] : tile[r * n + j]
                        let value: Double
                        switch activation {
                        case .exp:
                            let sumNorm2 = norms2[i] + norms2[j] + 2 * gij
                            value = gij * Foundation.exp(sigma2 * sumNorm2 / 2)
                        case .relu:
                            let theta: Double
                            if i == j {
                                theta = 0
                            } else {
                                let cosine = gij / (norms2[i] * norms2[j]).squareRoot()
                                theta = Foundation.acos(min(1, max(-1, cosine)))
                            }
                            value = gij * (Double.pi - theta) / (2 * Double.pi)
                        }
                        body(i, j, value)
                    }
                }
                first += rows
            }
        }
    }
}

extension Activation {
    /// The same activation for ExpRegLinAlg's blocked kernels (which cannot see Core's type).
    var blockKernel: NeuronBlockKernel.Activation {
        switch self {
        case .exp: return .exp
        case .relu: return .relu
        }
    }
}
