import Foundation
import Testing

@testable import ExpRegLinAlg

@Suite("NeuronBlockKernel.derivativeGram (blocked D Dᵀ)")
struct VectorExpGramTests {
    @Test(
        "upper triangle equals scale · act'(XWᵀ) act'(XWᵀ)ᵀ on both paths, bitwise the same for 1 and 2 threads",
        arguments: [NeuronBlockKernel.Activation.exp, .relu], availableStepPaths)
    func matchesDefinition(activation: NeuronBlockKernel.Activation, path: StepPanels.Path) {
        for (n, d, m, block) in [(11, 4, 29, 6), (53, 10, 300, 64)] {
            check(activation: activation, path: path, n: n, d: d, m: m, block: block)
        }
    }

    @Test(
        "every n from 1 to 50: diagonal tiles starting inside a panel and narrow last panels",
        arguments: availableStepPaths)
    func everyPointCount(path: StepPanels.Path) {
        for n in 1...50 {
            check(activation: .exp, path: path, n: n, d: 2, m: 9, block: 8)
        }
    }

    func check(activation: NeuronBlockKernel.Activation, path: StepPanels.Path, n: Int, d: Int, m: Int, block: Int) {
        var g = SplitMix64(seed: 3)
        let x = (0..<(n * d)).map { _ in -1 + 2 * g.nextUnit() }
        let w = (0..<(m * d)).map { _ in -1 + 2 * g.nextUnit() }
        func derivative(_ i: Int, _ r: Int) -> Double {
            let z = (0..<d).reduce(0.0) { $0 + x[i * d + $1] * w[r * d + $1] }
            return activation == .exp ? Foundation.exp(z) : (z > 0 ? 1 : 0)
        }
        func run(threads: Int) -> [Double] {
            var s = [Double](repeating: .nan, count: n * n)
            s.withUnsafeMutableBufferPointer { sp in
                NeuronBlockKernel.derivativeGram(
                    activation: activation, x: x, n: n, d: d, w: w, m: m, scale: 1 / Double(m),
                    into: sp.baseAddress!, threads: threads, blockWidth: block, path: path)
            }
            return s
        }
        let one = run(threads: 1)
        #expect(run(threads: 2) == one)
        for i in 0..<n {
            for j in 0..<n {
                if j < i {
                    #expect(one[i * n + j] == 0, "strict lower triangle is zeroed")
                    continue
                }
                let expected = (0..<m).reduce(0.0) { $0 + derivative(i, $1) * derivative(j, $1) } / Double(m)
                // ≤ 300 products of values ≤ e^10 (exp) or 0/1 (relu): 1e-13 relative is ~500 ulps of slack for reordering.
                #expect(
                    abs(one[i * n + j] - expected) <= 1e-13 * max(1, expected),
                    "(\(i), \(j)): \(one[i * n + j]) vs \(expected)")
            }
        }
    }

    @Test(
        "empiricalGram: the full symmetric (XXᵀ) ∘ DDᵀ/m over NaN-filled memory, bitwise the same for 1, 2 and 3 threads",
        arguments: [NeuronBlockKernel.Activation.exp, .relu], availableStepPaths)
    func empiricalGramMatchesDefinition(activation: NeuronBlockKernel.Activation, path: StepPanels.Path) {
        // n = 300 spans three 128-row tiles of the X Xᵀ pass, so threads mirror into each other's rows.
        for (n, d, m, block) in [(13, 3, 40, 16), (300, 5, 70, 32)] {
            var g = SplitMix64(seed: 11)
            let x = (0..<(n * d)).map { _ in -1 + 2 * g.nextUnit() }
            let w = (0..<(m * d)).map { _ in -1 + 2 * g.nextUnit() }
            let z = (0..<n).map { i in (0..<m).map { r in (0..<d).reduce(0.0) { $0 + x[i * d + $1] * w[r * d + $1] } } }
            let derivative = z.map { row in row.map { activation == .exp ? Foundation.exp($0) : ($0 > 0 ? 1.0 : 0.0) } }
            func run(threads: Int) -> [Double] {
                var h = [Double](repeating: .nan, count: n * n)
                h.withUnsafeMutableBufferPointer { hp in
                    NeuronBlockKernel.empiricalGram(
                        activation: activation, x: x, n: n, d: d, w: w, m: m,
                        into: hp.baseAddress!, threads: threads, blockWidth: block, path: path)
                }
                return h
            }
            let one = run(threads: 1)
            #expect(run(threads: 2) == one)
            #expect(run(threads: 3) == one)
            var worst = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let inner = (0..<d).reduce(0.0) { $0 + x[i * d + $1] * x[j * d + $1] }
                    let expected =
                        inner * (0..<m).reduce(0.0) { $0 + derivative[i][$1] * derivative[j][$1] } / Double(m)
                    worst = max(worst, abs(one[i * n + j] - expected) / max(1, abs(expected)))
                    if j < i && one[i * n + j] != one[j * n + i] { Issue.record("(\(i), \(j)) is not mirrored") }
                }
            }
            #expect(worst <= 1e-13, "n = \(n): worst relative error \(worst)")
        }
    }

    @Test(
        "multiplyByInnerProducts: scale · (XXᵀ) ∘ upper, mirrored over a garbage lower triangle, bitwise across threads"
    )
    func innerProductsPass() {
        let n = 260
        let d = 4
        var g = SplitMix64(seed: 5)
        let x = (0..<(n * d)).map { _ in -1 + 2 * g.nextUnit() }
        let upper = (0..<(n * n)).map { _ in g.nextUnit() }
        func run(threads: Int) -> [Double] {
            var h = upper
            for i in 0..<n { for j in 0..<i { h[i * n + j] = .infinity } }
            h.withUnsafeMutableBufferPointer { hp in
                NeuronBlockKernel.multiplyByInnerProducts(
                    hp.baseAddress!, x: x, n: n, d: d, scale: 0.25, threads: threads)
            }
            return h
        }
        let one = run(threads: 1)
        #expect(run(threads: 2) == one)
        for i in 0..<n {
            for j in i..<n {
                let inner = (0..<d).reduce(0.0) { $0 + x[i * d + $1] * x[j * d + $1] }
                let expected = 0.25 * inner * upper[i * n + j]
                #expect(abs(one[i * n + j] - expected) <= 1e-15, "(\(i), \(j))")
                #expect(one[j * n + i] == one[i * n + j], "(\(j), \(i)) mirrors (\(i), \(j))")
            }
        }
    }
}
