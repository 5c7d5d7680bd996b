internal import ExpRegLinAlg
import Foundation

/// The network's outputs on arbitrary points: F(W, x) = (1/√m) Σ_r a_r act(⟨w_r, x⟩).
public enum NetworkOutputs {
    /// Rows of points per block.
    static let blockRows = 64
    /// Neurons per block: Z = X_block W_blockᵀ is at most 64 × 4096 doubles (2 MiB) at any width.
    static let blockNeurons = 4096

    /// u_i = F(W, x_i) for every row x_i of `x`, act = exp or relu.
    ///
    /// Z = X Wᵀ is formed in blocks of 64 rows × 4096 neurons (`dgemm`), then u_i = Σ_r (a_r/√m) act(z_ir)
    /// summed in neuron order (one running sum per row across the neuron blocks). Independent of the trainer's kernels (used for held-out points, which never
    /// enter training).
    /// - Parameters:
    ///   - x: row-major count × d points.
    ///   - count: number of points, ≥ 1.
    ///   - d: input dimension.
    ///   - a: output weights, length m.
    ///   - w: hidden weights, row-major m × d.
    /// - Returns: `count` outputs; non-finite when exp overflows (|z| > 709.78) or W holds NaN.
    /// - Complexity: O(count·m·d) time, 64·4096 + count extra doubles.
    public static func evaluate(
        x: [Double], count: Int, d: Int, a: [Double], w: [Double],
        activation: Activation
    ) -> [Double] {
        let m = a.count
        precondition(
            count >= 1 && d >= 1 && m >= 1 && x.count == count * d && w.count == m * d,
            "NetworkOutputs.evaluate: x has \(x.count) values (expected \(count)·\(d)), w has \(w.count) (expected \(m)·\(d))"
        )
        let scale = 1 / Double(m).squareRoot()
        let aScaled = a.map { $0 * scale }
        var u = [Double](repeating: 0, count: count)
        let neurons = min(blockNeurons, m)
        var z = [Double](repeating: 0, count: min(blockRows, count) * neurons)
        var first = 0
        while first < count {
            let rows = min(blockRows, count - first)
            var r0 = 0
            while r0 < m {
                let columns = min(neurons, m - r0)
                x.withUnsafeBufferPointer { xp in
                    w.withUnsafeBufferPointer { wp in
                        z.withUnsafeMutableBufferPointer { zp in
                            BLAS.gemm(
                                .none, .transpose, m: rows, n: columns, k: d, alpha: 1,
                                a: xp.baseAddress! + first * d, lda: d, b: wp.baseAddress! + r0 * d, ldb: d,
                                beta: 0, c: zp.baseAddress!, ldc: columns)
                        }
                    }
                }
                for row in 0..<rows {
                    var total = u[first + row]
                    for c in 0..<columns {
                        let zr = z[row * columns + c]
                        let r = r0 + c
                        switch activation {
                        case .exp: total += aScaled[r] * Foundation.exp(zr)
                        case .relu: total += zr > 0 ? aScaled[r] * zr : (zr.isNaN ? .nan : 0)
                        }
                    }
                    u[first + row] = total
                }
                r0 += columns
            }
            first += rows
        }
        return u
    }

    /// (1/count) Σ_i (u_i − y_i)², or nil when it is not finite.
    public static func meanSquaredError(_ u: [Double], _ y: [Double]) -> Double? {
        precondition(
            u.count == y.count && !u.isEmpty, "NetworkOutputs.meanSquaredError: \(u.count) outputs, \(y.count) labels")
        var total = 0.0
        for i in u.indices {
            let r = u[i] - y[i]
            total += r * r
        }
        let mse = total / Double(u.count)
        return mse.isFinite ? mse : nil
    }
}
