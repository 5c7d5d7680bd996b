internal import ExpRegLinAlg

/// Kernel regression with the closed-form infinite-width kernel H*: coefficients α = H*⁻¹ b
/// from the training points, predictions H*(X_test, X) · α.
public enum KernelRegression {
    /// Largest accepted condition number λ_max/λ_min of H*, as a multiple of 1/(n·ε): beyond it
    /// the solve would lose every digit (relative error ≈ n·ε·κ ≥ 1), so H* counts as singular.
    public static func conditionLimit(n: Int) -> Double { 1 / (Double(n) * Double.ulpOfOne) }

    /// Why the coefficients could not be computed.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// H* or a target holds NaN/Inf (e.g. exp overflow for a huge σ).
        case notFinite
        /// H* is numerically singular: its eigenvalues say so (λ_min ≤ λ_max·n·ε, given as λ_min,
        /// λ_max) or its Cholesky factorisation broke down (λ_min = λ_max = nil).
        case singular(lambdaMin: Double?, lambdaMax: Double?)

        public var description: String {
            switch self {
            case .notFinite:
                return "H* is not finite"
            case .singular(let lambdaMin?, let lambdaMax?):
                return "H* is numerically singular (lambda_min \(formatScientific(lambdaMin, digits: 3)), "
                    + "lambda_max \(formatScientific(lambdaMax, digits: 3)): condition number beyond 1/(n eps))"
            case .singular:
                return "H* is numerically singular (its Cholesky factorisation broke down)"
            }
        }
    }

    /// α_j = H*⁻¹ b_j for each target b_j, by Cholesky (``CholeskySolve``, LAPACK `dposv`).
    ///
    /// - Parameters:
    ///   - hStar: H*(X, X), row-major n × n (``GramMatrix/closedForm(x:n:d:activation:sigma:)``).
    ///   - eigenvalues: H*'s ascending eigenvalues when known: λ_min ≤ 0 or λ_max/λ_min above
    ///     ``conditionLimit(n:)`` is reported as singular before solving.
    ///   - targets: right-hand sides, each of length n.
    /// - Throws: ``Failure``.
    /// - Complexity: O(n³/3 + 2·k·n²) for k targets.
    public static func coefficients(
        hStar: [Double], n: Int, eigenvalues: [Double]?,
        targets: [[Double]]
    ) throws(Failure) -> [[Double]] {
        if let lambdaMin = eigenvalues?.first, let lambdaMax = eigenvalues?.last,
            !(lambdaMin > 0 && lambdaMax / lambdaMin <= conditionLimit(n: n))
        {
            throw .singular(lambdaMin: lambdaMin, lambdaMax: lambdaMax)
        }
        do {
            return try CholeskySolve.solve(hStar, n: n, rhs: targets)
        } catch {
            switch error {
            case .notFinite: throw .notFinite
            case .notPositiveDefinite, .lapack: throw .singular(lambdaMin: nil, lambdaMax: nil)
            }
        }
    }

    /// H*(X_test, X) · α, row-major cross kernel (rows × n) times a coefficient vector (n).
    /// - Complexity: O(rows·n).
    public static func predict(cross: [Double], rows: Int, coefficients alpha: [Double]) -> [Double] {
        let n = alpha.count
        precondition(
            cross.count == rows * n, "KernelRegression.predict: \(cross.count) kernel values, expected \(rows)·\(n)")
        return cross.withUnsafeBufferPointer { kp in
            alpha.withUnsafeBufferPointer { ap in
                (0..<rows).map { BLAS.dot(count: n, kp.baseAddress! + $0 * n, ap.baseAddress!) }
            }
        }
    }
}
