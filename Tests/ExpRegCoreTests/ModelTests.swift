import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import RealModule
import Testing

@testable import ExpRegCore

/// A random small problem: sphere data and random weights.
private func problem(n: Int, d: Int, m: Int, sigma: Double, seed: UInt64) -> (Dataset, ModelParameters) {
    (
        SphereData.generate(n: n, d: d, labels: .random, seed: seed),
        ModelParameters.random(width: m, d: d, sigma: sigma, seed: seed &+ 100)
    )
}

@Suite("Model, gradient and Gram matrices")
struct ModelTests {
    @Test("initialisation: same seed bitwise identical, other seed different, a = ±1, W ~ N(0, σ²)")
    func initialisation() {
        let a = ModelParameters.random(width: 2000, d: 5, sigma: 0.5, seed: 1)
        let b = ModelParameters.random(width: 2000, d: 5, sigma: 0.5, seed: 1)
        let c = ModelParameters.random(width: 2000, d: 5, sigma: 0.5, seed: 2)
        #expect(a.w.map(\.bitPattern) == b.w.map(\.bitPattern) && a.a == b.a)
        #expect(a.w != c.w && a.a != c.a)
        #expect(a.a.allSatisfy { $0 == 1 || $0 == -1 })
        let variance = a.w.reduce(0) { $0 + $1 * $1 } / Double(a.w.count)
        // 10000 draws: SE of the variance estimate is σ²·√(2/N) ≈ 0.0035; allow 5 SE.
        #expect(abs(variance - 0.25) < 5 * 0.25 * (2.0 / 10000).squareRoot())
    }

    @Test("gradient matches central finite differences", arguments: Activation.allCases)
    func finiteDifferences(activation: Activation) throws {
        for seed: UInt64 in [1, 2, 3] {
            let (data, params) = problem(n: 6, d: 3, m: 5, sigma: 0.8, seed: seed)
            let gd = GradientDescent(
                dataset: data, activation: activation, a: params.a, w: params.w, path: TestKernels.path)
            let gradient = gd.gradient()
            let h = 1e-6
            var worst = 0.0
            for k in 0..<params.w.count {
                var plus = params.w
                var minus = params.w
                plus[k] += h
                minus[k] -= h
                gd.weights = plus
                let lPlus = gd.loss()
                gd.weights = minus
                let lMinus = gd.loss()
                worst = max(worst, abs((lPlus - lMinus) / (2 * h) - gradient[k]))
            }
            // Central differences: truncation O(h²) ≈ 1e-12 and rounding O(ε·L/h) ≈ 1e-9;
            // 1e-6 relative to the largest gradient entry leaves a wide margin yet catches any
            // missing factor (1/√m, a_r, act').
            #expect(worst <= 1e-6 * maxAbs(gradient), "seed \(seed): max FD error \(worst)")
        }
    }

    @Test("a GD step lowers the loss for a small step and returns the loss before the update")
    func stepContract() {
        let (data, params) = problem(n: 8, d: 4, m: 32, sigma: 1, seed: 4)
        let gd = GradientDescent(dataset: data, activation: .exp, a: params.a, w: params.w, path: TestKernels.path)
        let before = gd.loss()
        #expect(gd.step(eta: 1e-3) == before)
        #expect(gd.loss() < before)
    }

    @Test("NaN weights give a NaN loss and step(eta:) leaves the weights alone", arguments: Activation.allCases)
    func nanWeights(activation: Activation) {
        let (data, params) = problem(n: 4, d: 3, m: 6, sigma: 1, seed: 5)
        var w = params.w
        w[4] = .nan
        let gd = GradientDescent(dataset: data, activation: activation, a: params.a, w: w, path: TestKernels.path)
        #expect(gd.step(eta: 0.1).isNaN)
        #expect(gd.weights.map(\.bitPattern) == w.map(\.bitPattern))
    }

    @Test("H(W) = J Jᵀ on a tiny case", arguments: Activation.allCases)
    func gramIsJacobianProduct(activation: Activation) {
        let (n, d, m) = (5, 3, 4)
        let (data, params) = problem(n: n, d: d, m: m, sigma: 1, seed: 8)
        // J_i,(r,k) = (1/√m) a_r act'(<w_r, x_i>) x_ik, built entry by entry.
        var jac = [Double](repeating: 0, count: n * m * d)
        for i in 0..<n {
            for r in 0..<m {
                let z = (0..<d).reduce(0.0) { $0 + params.w[r * d + $1] * data.x[i * d + $1] }
                let derivative = activation == .exp ? Foundation.exp(z) : (z > 0 ? 1.0 : 0.0)
                for k in 0..<d {
                    jac[i * m * d + r * d + k] = params.a[r] / Double(m).squareRoot() * derivative * data.x[i * d + k]
                }
            }
        }
        let h = GramMatrix.empirical(
            x: data.x, n: n, d: d, w: params.w, m: m, activation: activation, threads: 2, path: TestKernels.path)
        for i in 0..<n {
            for j in 0..<n {
                let jjt = (0..<(m * d)).reduce(0.0) { $0 + jac[i * m * d + $1] * jac[j * m * d + $1] }
                // Sums of m·d = 12 products of O(e²) terms: 1e-13 relative to the entry scale (≥ 1e-2).
                #expect(h[i * n + j].isApproximatelyEqual(to: jjt, absoluteTolerance: 1e-13, relativeTolerance: 1e-12))
            }
        }
    }

    @Test("H* is symmetric with diagonal e^{2σ²} (exp) or 1/2 (relu)", arguments: Activation.allCases)
    func closedFormDiagonal(activation: Activation) {
        let data = SphereData.generate(n: 12, d: 5, labels: .random, seed: 2)
        let sigma = 0.7
        let h = GramMatrix.closedForm(x: data.x, n: 12, d: 5, activation: activation, sigma: sigma)
        let diagonal = activation == .exp ? Foundation.exp(2 * sigma * sigma) : 0.5
        for i in 0..<12 {
            // Unit rows to ~1e-16: the diagonal is within a few ulp of the exact value.
            #expect(h[i * 12 + i].isApproximatelyEqual(to: diagonal, relativeTolerance: 1e-14))
            for j in 0..<12 { #expect(h[i * 12 + j] == h[j * 12 + i]) }
        }
        // H* is a kernel matrix: positive definite on distinct points.
        let values = (try? SymmetricEigen.eigenvalues(of: h, n: 12)) ?? []
        #expect((values.first ?? -1) > 0)
    }

    @Test("subtractClosedForm(from:) is H − H* with the very numbers of closedForm", arguments: Activation.allCases)
    func subtractClosedForm(activation: Activation) {
        let n = 150
        let d = 6  // more than one 128-row tile
        let data = SphereData.generate(n: n, d: d, labels: .random, seed: 4)
        let hStar = GramMatrix.closedForm(x: data.x, n: n, d: d, activation: activation, sigma: 0.8)
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                let value = Foundation.sin(Double(31 * i + 17 * j))
                h[i * n + j] = value
                h[j * n + i] = value
            }
        }
        var difference = h
        GramMatrix.subtractClosedForm(from: &difference, x: data.x, n: n, d: d, activation: activation, sigma: 0.8)
        for k in h.indices { #expect(difference[k] == h[k] - hStar[k], "entry \(k)") }
    }

    @Test("maxRowDistance(from:) is max_r ‖w_r − w0_r‖ of the current weights")
    func maxRowDistance() {
        let data = SphereData.generate(n: 8, d: 3, labels: .random, seed: 1)
        let model = ModelParameters.random(width: 30, d: 3, sigma: 1, seed: 2)
        let gd = GradientDescent(dataset: data, activation: .exp, a: model.a, w: model.w, path: TestKernels.path)
        for _ in 0..<5 { gd.step(eta: 0.1) }
        let w = gd.weights
        var expected = 0.0
        for r in 0..<30 {
            var sum = 0.0
            for j in 0..<3 {
                let difference = w[r * 3 + j] - model.w[r * 3 + j]
                sum += difference * difference
            }
            expected = max(expected, sum.squareRoot())
        }
        #expect(expected > 0)
        #expect(gd.maxRowDistance(from: model.w) == expected)
    }

    @Test("kernel prediction equals the explicit recursion r(k+1) = (I − ηH*) r(k)")
    func kernelPrediction() throws {
        let (data, params) = problem(n: 6, d: 3, m: 64, sigma: 1, seed: 3)
        let hStar = GramMatrix.closedForm(x: data.x, n: 6, d: 3, activation: .exp, sigma: 1)
        let gd = GradientDescent(dataset: data, activation: .exp, a: params.a, w: params.w, path: TestKernels.path)
        let eta = 0.05
        var r = gd.residuals()
        let prediction = KernelPrediction(
            decomposition: try SymmetricEigen.decompose(hStar, n: 6),
            initialResiduals: r, eta: eta)
        for k in 0...50 {
            let explicit = 0.5 * r.reduce(0) { $0 + $1 * $1 }
            // Both are backward-stable evaluations of the same recursion: 1e-10 relative.
            #expect(
                prediction.loss(atStep: k).isApproximatelyEqual(to: explicit, relativeTolerance: 1e-10), "step \(k)")
            r = (0..<6).map { i in r[i] - eta * (0..<6).reduce(0.0) { $0 + hStar[i * 6 + $1] * r[$1] } }
        }
    }
}

@Suite("Network outputs on held-out points")
struct NetworkOutputsTests {
    @Test(
        "outputs past one block of 4096 neurons and 64 rows equal the sum over every neuron",
        arguments: [Activation.exp, .relu])
    func outputsOverSeveralBlocks(activation: Activation) {
        // 70 rows (two row blocks) × 10,000 neurons (three neuron blocks, the last one partial).
        let (data, model) = problem(n: 70, d: 5, m: 10_000, sigma: 0.7, seed: 31)
        let u = NetworkOutputs.evaluate(
            x: data.x, count: data.n, d: data.d, a: model.a, w: model.w, activation: activation)
        let scale = 1 / Double(model.width).squareRoot()
        for i in 0..<data.n {
            var sum = 0.0
            var magnitude = 0.0
            var termSlack = 0.0  // Σ_r bound on |Δterm_r| from the dot product's rounding
            for r in 0..<model.width {
                let products = (0..<data.d).map { data.x[i * data.d + $0] * model.w[r * data.d + $0] }
                let z = products.reduce(0, +)
                // dgemm and this loop each round z within d·ε·Σ|x w|.
                let dz = 2 * Double(data.d) * Double.ulpOfOne * products.map(abs).reduce(0, +)
                let term = model.a[r] * scale * (activation == .exp ? Foundation.exp(z) : max(z, 0))
                sum += term
                magnitude += abs(term)
                termSlack += activation == .exp ? abs(term) * 2 * dz : scale * dz
            }
            // Both sums run over r in the same order, each within (m − 1)·ε·Σ|terms| of the exact one,
            // plus the terms' own difference. A block skipped or added twice moves u by a third of Σ|terms|.
            let bound = 2 * Double(model.width) * Double.ulpOfOne * magnitude + termSlack
            #expect(abs(u[i] - sum) <= bound, "u[\(i)]")
        }
    }
}
