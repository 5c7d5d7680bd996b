internal import CLAPACKE

/// Solves A·X = B for a symmetric positive definite A with LAPACK `dposv` (Cholesky A = L·Lᵀ,
/// then two triangular solves).
public enum CholeskySolve {
    /// Why a solve was refused: the matrix holds NaN/Inf, or its Cholesky factorisation broke down
    /// (A is not numerically positive definite).
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// An entry of A or B is NaN or ±inf.
        case notFinite
        /// The leading minor of this order (1-based, LAPACK's `info`) is not positive: A is
        /// singular or indefinite in float64.
        case notPositiveDefinite(minor: Int)
        /// Another LAPACK failure (illegal argument: a bug in ExpRegLinAlg).
        case lapack(LinAlgError)

        public var description: String {
            switch self {
            case .notFinite:
                return "the matrix or the right-hand side holds NaN or Inf"
            case .notPositiveDefinite(let minor):
                return "the Cholesky factorisation broke down at the leading minor of order \(minor): "
                    + "the matrix is numerically singular (or indefinite)"
            case .lapack(let error):
                return error.description
            }
        }
    }

    /// X = A⁻¹·B for the symmetric positive definite n × n `matrix` (row-major; only its upper
    /// triangle is read, so an exactly symmetric matrix is all that is needed) and `rhs` columns
    /// of B.
    ///
    /// Backward stable: the computed X solves (A + δA)·X = B with ‖δA‖ ≲ c·n·ε·‖A‖, so the
    /// relative error of X is about n·ε·κ(A).
    /// - Parameters:
    ///   - matrix: row-major n × n, symmetric.
    ///   - n: the order, ≥ 1.
    ///   - rhs: the right-hand sides, each of length n (B = [b_1 … b_k], k = `rhs.count` ≥ 1).
    /// - Returns: the solutions x_j = A⁻¹ b_j, in the order of `rhs`.
    /// - Throws: ``Failure``.
    /// - Complexity: O(n³/3 + 2·k·n²) time, one n × n copy of the matrix and k·n for the solutions.
    public static func solve(_ matrix: [Double], n: Int, rhs: [[Double]]) throws(Failure) -> [[Double]] {
        precondition(
            n >= 1 && matrix.count == n * n,
            "CholeskySolve: matrix has \(matrix.count) elements, expected \(n) x \(n)")
        precondition(
            !rhs.isEmpty && rhs.allSatisfy { $0.count == n },
            "CholeskySolve: every right-hand side needs \(n) values")
        guard matrix.allSatisfy(\.isFinite), rhs.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw .notFinite
        }
        // Row-major upper triangle == column-major lower triangle ("L") of a symmetric matrix.
        var a = matrix
        // Column-major n × k: column j is b_j, contiguous.
        var b = rhs.flatMap { $0 }
        let k = rhs.count
        let info = BLASGate.run {
            a.withUnsafeMutableBufferPointer { ap in
                b.withUnsafeMutableBufferPointer { bp in
                    // uplo = 'L' (76).
                    LAPACKE_dposv(
                        LAPACK_COL_MAJOR, 76, expreg_lapack_int(Int32(n)),
                        expreg_lapack_int(Int32(k)), ap.baseAddress, expreg_lapack_int(Int32(n)),
                        bp.baseAddress, expreg_lapack_int(Int32(n)))
                }
            }
        }
        if info > 0 { throw .notPositiveDefinite(minor: Int(info)) }
        guard info == 0 else {
            throw .lapack(
                LinAlgError(
                    routine: "LAPACKE_dposv", info: Int(info),
                    context: "a Cholesky solve with a \(n) x \(n) matrix"))
        }
        return (0..<k).map { Array(b[($0 * n)..<(($0 + 1) * n)]) }
    }
}
