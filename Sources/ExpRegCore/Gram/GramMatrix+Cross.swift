internal import ExpRegLinAlg
import Foundation

extension GramMatrix {
    /// The closed-form infinite-width kernel between two point sets, H*(A, B)_ij = H*(a_i, b_j),
    /// the same formula as ``closedForm(x:n:d:activation:sigma:)`` (which is H*(X, X)):
    ///
    /// - exp:  H*(a, b) = ⟨a, b⟩ · exp(σ² ‖a + b‖² / 2), ‖a + b‖² = ‖a‖² + ‖b‖² + 2⟨a, b⟩;
    /// - relu: H*(a, b) = ⟨a, b⟩ · (π − arccos c) / (2π), c = ⟨a, b⟩ / (‖a‖ ‖b‖) clamped to [−1, 1]
    ///   (for unit vectors c = ⟨a, b⟩).
    /// - Parameters:
    ///   - a: row-major rows × d (e.g. held-out points).
    ///   - rows: number of rows of `a`, ≥ 1.
    ///   - b: row-major columns × d (e.g. training points).
    ///   - columns: number of rows of `b`, ≥ 1.
    /// - Returns: row-major rows × columns (exp entries may overflow to +inf for huge σ).
    /// - Complexity: O(rows·columns·d) time (one `dgemm`), rows·columns + rows + columns doubles.
    public static func closedFormCross(
        a: [Double], rows: Int, b: [Double], columns: Int, d: Int,
        activation: Activation, sigma: Double
    ) -> [Double] {
        precondition(
            rows >= 1 && columns >= 1 && d >= 1 && a.count == rows * d && b.count == columns * d,
            "GramMatrix.closedFormCross: a has \(a.count) values (expected \(rows)·\(d)), b has \(b.count) (expected \(columns)·\(d))"
        )
        let sigma2 = sigma * sigma
        var k = [Double](repeating: 0, count: rows * columns)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                k.withUnsafeMutableBufferPointer { kp in
                    BLAS.gemm(
                        .none, .transpose, m: rows, n: columns, k: d, alpha: 1, a: ap.baseAddress!, lda: d,
                        b: bp.baseAddress!, ldb: d, beta: 0, c: kp.baseAddress!, ldc: columns)
                }
            }
        }
        let normsA = a.withUnsafeBufferPointer { ap in
            (0..<rows).map { BLAS.dot(count: d, ap.baseAddress! + $0 * d, ap.baseAddress! + $0 * d) }
        }
        let normsB = b.withUnsafeBufferPointer { bp in
            (0..<columns).map { BLAS.dot(count: d, bp.baseAddress! + $0 * d, bp.baseAddress! + $0 * d) }
        }
        for i in 0..<rows {
            for j in 0..<columns {
                let g = k[i * columns + j]
                switch activation {
                case .exp:
                    k[i * columns + j] = g * Foundation.exp(sigma2 * (normsA[i] + normsB[j] + 2 * g) / 2)
                case .relu:
                    let cosine = g / (normsA[i] * normsB[j]).squareRoot()
                    let theta = Foundation.acos(min(1, max(-1, cosine)))
                    k[i * columns + j] = g * (Double.pi - theta) / (2 * Double.pi)
                }
            }
        }
        return k
    }
}
