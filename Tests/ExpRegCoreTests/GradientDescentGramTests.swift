import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegCore

/// The stepper's own H(W) (from its forward buffer) against the reference construction.
@Suite("GradientDescent.empiricalGram")
struct GradientDescentGramTests {
    @Test(
        "equals GramMatrix.empirical at W(0) and after steps; nil when some |a_r| ≠ 1",
        arguments: [Activation.exp, .relu])
    func matchesReference(activation: Activation) throws {
        let data = SphereData.generate(n: 9, d: 4, labels: .random, seed: 3)
        let model = ModelParameters.random(width: 50, d: 4, sigma: 1, seed: 4)
        let gd = GradientDescent(dataset: data, activation: activation, a: model.a, w: model.w, path: TestKernels.path)
        for _ in 0..<3 {
            let fromStepper = try #require(gd.empiricalGram())
            let reference = GramMatrix.empirical(
                x: data.x, n: 9, d: 4, w: gd.weights, m: 50, activation: activation, threads: 2, path: TestKernels.path)
            let scale = reference.map(abs).max() ?? 1
            for k in reference.indices {
                // Same sums in another order and (a_r/√m)² = 1/m rounded: 1e-13 relative to max|H| is ~500 ulps.
                #expect(abs(fromStepper[k] - reference[k]) <= 1e-13 * scale, "entry \(k)")
            }
            for i in 0..<9 { for j in 0..<9 { #expect(fromStepper[i * 9 + j] == fromStepper[j * 9 + i]) } }
            gd.step(eta: 0.01)
        }
        var a = model.a
        a[7] = 0.5
        #expect(
            GradientDescent(dataset: data, activation: activation, a: a, w: model.w, path: TestKernels.path)
                .empiricalGram() == nil)
    }
}

/// The neuron split over threads must not change the numbers (runs on machines with any core count).
@Suite("GradientDescent thread split")
struct GradientDescentThreadSplitTests {
    @Test(
        "1, 2 and 3 threads give bitwise-identical losses and weights",
        arguments: [Activation.exp, .relu], TestKernels.paths)
    func threadCountInvariance(activation: Activation, path: StepPanels.Path) {
        let data = SphereData.generate(n: 40, d: 6, labels: .random, seed: 8)
        let model = ModelParameters.random(width: 700, d: 6, sigma: 1, seed: 9)
        func run(threads: Int) -> (losses: [Double], weights: [Double]) {
            let gd = GradientDescent(dataset: data, activation: activation, a: model.a, w: model.w, path: path)
            gd.threads = threads
            gd.blockWidth = 64  // several blocks per thread
            let losses = (0..<4).map { _ in gd.step(eta: 0.05) }
            return (losses, gd.weights)
        }
        let one = run(threads: 1)
        for threads in [2, 3] {
            let other = run(threads: threads)
            #expect(other.losses == one.losses, "losses with \(threads) threads")
            #expect(other.weights == one.weights, "weights with \(threads) threads")
        }
    }
}
