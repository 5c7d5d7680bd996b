internal import ExpRegLinAlg
import Foundation

/// The kernel-regime (infinite-width) prediction of the loss: r(k+1) = (I − η H*) r(k),
/// r(0) = u(0) − y, L_ker(k) = ½ ‖r(k)‖².
///
/// Evaluated in closed form through the eigen-decomposition H* = Q Λ Qᵀ: with c = Qᵀ r(0),
/// L_ker(k) = ½ Σ_j c_j² (1 − η λ_j)^(2k), so any step costs O(n) after an O(n²) set-up.
public struct KernelPrediction: Sendable, Equatable {
    /// Eigenvalues λ_j of H* (ascending).
    public let eigenvalues: [Double]
    /// c_j² = ⟨q_j, r(0)⟩², the squared coordinates of r(0) in the eigenbasis.
    public let weights: [Double]
    /// The step size η.
    public let eta: Double

    /// - Parameters:
    ///   - decomposition: eigen-decomposition of H* (``SymmetricEigen/decompose(_:n:)``).
    ///   - initialResiduals: r(0) = u(0) − y, length n.
    ///   - eta: the GD step size.
    /// - Complexity: O(n²).
    init(decomposition: SymmetricEigen.Decomposition, initialResiduals: [Double], eta: Double) {
        self.init(
            eigenvalues: decomposition.values,
            weights: Self.weights(decomposition: decomposition, initialResiduals: initialResiduals), eta: eta)
    }

    /// From H*'s eigenvalues and c_j² (``weights(decomposition:initialResiduals:)``): lets the trainer
    /// drop the n × n eigenvectors before η is known.
    public init(eigenvalues: [Double], weights: [Double], eta: Double) {
        precondition(
            eigenvalues.count == weights.count,
            "KernelPrediction: \(weights.count) weights, \(eigenvalues.count) eigenvalues")
        self.eigenvalues = eigenvalues
        self.weights = weights
        self.eta = eta
    }

    /// c_j² = ⟨q_j, r(0)⟩² for the eigenvectors q_j of H*.
    /// - Complexity: O(n²).
    static func weights(decomposition: SymmetricEigen.Decomposition, initialResiduals: [Double]) -> [Double] {
        let n = decomposition.n
        precondition(
            initialResiduals.count == n, "KernelPrediction: \(initialResiduals.count) residuals, expected \(n)")
        var weights = [Double](repeating: 0, count: n)
        decomposition.vectors.withUnsafeBufferPointer { q in
            initialResiduals.withUnsafeBufferPointer { r in
                for j in 0..<n {
                    let c = BLAS.dot(count: n, q.baseAddress! + j * n, r.baseAddress!)
                    weights[j] = c * c
                }
            }
        }
        return weights
    }

    /// L_ker(k) = ½ Σ_j c_j² (1 − η λ_j)^(2k). May be +inf when η λ_max > 2 (the recursion diverges).
    /// - Complexity: O(n).
    public func loss(atStep k: Int) -> Double {
        var total = 0.0
        for j in eigenvalues.indices {
            let factor = 1 - eta * eigenvalues[j]
            total += weights[j] * Foundation.pow(factor * factor, Double(k))
        }
        return 0.5 * total
    }
}
