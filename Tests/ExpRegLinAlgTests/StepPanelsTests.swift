import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegLinAlg

/// The paths the tests parameterised over them exercise: every path this CPU runs
/// (``KernelPath/generic`` always), or only the one `EXPREG_KERNELS` forces (``TestKernels/paths``).
/// A path left out here is reported as skipped by ``KernelPathCoverageTests`` and by the per-path
/// suites below.
let availableStepPaths = TestKernels.paths

@Suite("StepPanels (fused forward pass and update, D in panels of 24 neurons)")
struct StepPanelsTests {
    /// X (n × d), Wᵀ (d × m), a (m) with entries in [-1, 1]; sizes chosen off every tile edge.
    struct Problem {
        let n: Int, d: Int, m: Int
        var x: [Double], wt: [Double], a: [Double]
        init(n: Int = 13, d: Int = 5, m: Int = 37, seed: UInt64 = 99) {
            self.n = n
            self.d = d
            self.m = m
            var g = SplitMix64(seed: seed)
            x = (0..<(n * d)).map { _ in -1 + 2 * g.nextUnit() }
            wt = (0..<(d * m)).map { _ in -1 + 2 * g.nextUnit() }
            a = (0..<m).map { _ in (g.next() & 1 == 0 ? -1.0 : 1.0) / Double(m).squareRoot() }
        }
        func z(_ i: Int, _ r: Int) -> Double { (0..<d).reduce(0.0) { $0 + x[i * d + $1] * wt[$1 * m + r] } }
    }

    struct Forward: Equatable {
        var d: [Double]  // D ∘ a, n × m row-major (read back from the panels)
        var u: [Double]
        var max: Double
    }

    func forward(
        _ p: Problem, _ activation: NeuronBlockKernel.Activation, _ path: StepPanels.Path,
        threads: Int, panelsPerBlock: Int? = nil
    ) -> (Forward, StepPanels) {
        let kernels = StepPanels(x: p.x, n: p.n, d: p.d, m: p.m, activation: activation, path: path)
        var u = [Double](repeating: .nan, count: p.n)
        let largest = u.withUnsafeMutableBufferPointer { up in
            kernels.forward(
                wt: p.wt, aScaled: p.a, u: up.baseAddress!, threads: threads, panelsPerBlock: panelsPerBlock)
        }
        var d = [Double](repeating: 0, count: p.n * p.m)
        for i in 0..<p.n { for r in 0..<p.m { d[i * p.m + r] = kernels.derivative(row: i, neuron: r) } }
        return (Forward(d: d, u: u, max: largest), kernels)
    }

    @Test(
        "forward matches the definition for exp and relu on both paths (tile edges in n, d and m)",
        arguments: availableStepPaths, [(13, 5, 37), (21, 11, 100), (8, 8, 24), (3, 1, 1)])
    func forwardMatchesDefinition(path: StepPanels.Path, size: (Int, Int, Int)) {
        let p = Problem(n: size.0, d: size.1, m: size.2)
        for activation in [NeuronBlockKernel.Activation.exp, .relu] {
            let (result, _) = forward(p, activation, path, threads: 1)
            var expectedMax = 0.0
            for i in 0..<p.n {
                var u = 0.0
                var scale = 0.0
                for r in 0..<p.m {
                    let z = p.z(i, r)
                    expectedMax = max(expectedMax, abs(z))
                    let act = activation == .exp ? Foundation.exp(z) : max(z, 0)
                    let derivative = activation == .exp ? Foundation.exp(z) : (z > 0 ? 1.0 : 0.0)
                    u += p.a[r] * act
                    scale += abs(p.a[r] * act)
                    // |z| ≤ 11 here: GEMM rounding (≤ 11 terms) times e^z stays below 1e-12 relative.
                    #expect(
                        abs(result.d[i * p.m + r] - p.a[r] * derivative) <= 1e-12 * max(1, abs(p.a[r] * derivative)),
                        "\(activation) D[\(i), \(r)]")
                }
                #expect(abs(result.u[i] - u) <= 1e-12 * max(1, scale), "\(activation) row \(i): \(result.u[i]) vs \(u)")
            }
            #expect(abs(result.max - expectedMax) <= 1e-14 * expectedMax)
        }
    }

    @Test("D, u and max |z| are bitwise independent of the thread count", arguments: availableStepPaths)
    func threadInvariance(path: StepPanels.Path) {
        let p = Problem(n: 21, d: 11, m: 300)
        for activation in [NeuronBlockKernel.Activation.exp, .relu] {
            let (one, _) = forward(p, activation, path, threads: 1, panelsPerBlock: 2)
            for threads in [2, 3, 8] {
                let (other, _) = forward(p, activation, path, threads: threads, panelsPerBlock: 2)
                #expect(other == one, "\(activation), \(threads) threads")
            }
        }
    }

    /// The SIMD path `other` agrees with the portable one (``OnAVX512``, ``OnAVX2`` run it where the
    /// CPU has the path); the paths sum in different orders and use different exp kernels.
    /// Every path agrees with the generic path to within the bound of summing in another order.
    func pathsAgree(other: KernelPath) {
        let p = Problem(n: 37, d: 19, m: 250, seed: 7)
        let epsilon = Double.ulpOfOne
        // z_ir = Σ_k x_ik w_kr (d terms) summed in another order on each path: each is within
        // d·ε·S_ir of the exact value (S_ir = Σ_k |x_ik w_kr|), so they differ by at most 2·d·ε·S_ir.
        func zBound(_ i: Int, _ r: Int) -> Double {
            2 * Double(p.d) * epsilon * (0..<p.d).reduce(0.0) { $0 + abs(p.x[i * p.d + $1] * p.wt[$1 * p.m + r]) }
        }
        let largestZBound = (0..<p.n).flatMap { i in (0..<p.m).map { zBound(i, $0) } }.max()!
        for activation in [NeuronBlockKernel.Activation.exp, .relu] {
            let (fast, _) = forward(p, activation, other, threads: 2)
            let (slow, _) = forward(p, activation, .generic, threads: 2)
            // max |z| moves by at most the largest z bound.
            #expect(abs(fast.max - slow.max) <= largestZBound, "\(activation) max |z|: \(fast.max) vs \(slow.max)")
            for i in 0..<p.n {
                var uBound = 0.0
                for r in 0..<p.m {
                    let z = p.z(i, r)
                    let k = i * p.m + r
                    let bound: Double
                    switch activation {
                    case .exp:
                        // a_r e^z: the z error times e^z, plus ≤ 1 ulp per exp kernel from glibc (2 apart)
                        // and the product's rounding on each side.
                        bound = abs(p.a[r] * Foundation.exp(z)) * (zBound(i, r) + 4 * epsilon)
                        uBound += bound
                    case .relu:
                        // a_r 1[z > 0]: identical unless z is within its bound of 0, where the sign may flip.
                        bound = abs(z) <= zBound(i, r) ? abs(p.a[r]) : 0
                        uBound += abs(p.a[r]) * zBound(i, r) + bound * abs(z)
                    }
                    #expect(
                        abs(fast.d[k] - slow.d[k]) <= bound, "\(activation) D[\(i), \(r)]: \(fast.d[k]) vs \(slow.d[k])"
                    )
                }
                // u_i = Σ_r a_r act(z_ir): m terms in different orders (2·m·ε·Σ|terms|) plus every term's own bound.
                let magnitude = (0..<p.m).reduce(0.0) { sum, r in
                    let z = p.z(i, r)
                    return sum + abs(p.a[r] * (activation == .exp ? Foundation.exp(z) : max(z, 0)))
                }
                let bound = 2 * Double(p.m) * epsilon * magnitude + uBound
                #expect(abs(fast.u[i] - slow.u[i]) <= bound, "\(activation) u[\(i)]: \(fast.u[i]) vs \(slow.u[i])")
            }
        }
    }

    /// D larger than the caches (non-temporal stores) still matches the definition.
    func streamedStores(path: KernelPath) {
        // 1024 × 2112 doubles of D = 17.3 MB > the 16 MiB threshold.
        let p = Problem(n: 1024, d: 8, m: 2100, seed: 11)
        let (result, _) = forward(p, .exp, path, threads: 2)
        var g = SplitMix64(seed: 1)
        for _ in 0..<500 {
            let i = Int(g.next() % UInt64(p.n))
            let r = Int(g.next() % UInt64(p.m))
            let expected = p.a[r] * Foundation.exp(p.z(i, r))
            #expect(abs(result.d[i * p.m + r] - expected) <= 1e-13 * max(1, abs(expected)), "D[\(i), \(r)]")
        }
        // The generic path sums z (d = 8 terms, |x|, |w| ≤ 1: within 2·d·d·ε of each other) and u
        // (m terms) in other orders, with another exp kernel (2 ulp): |Δu_i| ≤ (2·(d + m) + 2·d² + 4)·ε·Σ_r |D_ir|.
        let (generic, _) = forward(p, .exp, .generic, threads: 2)
        let factor = Double(2 * (p.d + p.m) + 2 * p.d * p.d + 4) * Double.ulpOfOne
        for i in 0..<p.n {
            let magnitude = (0..<p.m).reduce(0.0) { $0 + abs(generic.d[i * p.m + $1]) }
            #expect(abs(result.u[i] - generic.u[i]) <= factor * magnitude, "u[\(i)]: \(result.u[i]) vs \(generic.u[i])")
        }
    }

    @Test("a NaN weight makes max |z| and the outputs NaN", arguments: availableStepPaths)
    func nanPropagates(path: StepPanels.Path) {
        var p = Problem()
        p.wt[3 * p.m + 20] = .nan
        for activation in [NeuronBlockKernel.Activation.exp, .relu] {
            let (result, _) = forward(p, activation, path, threads: 2, panelsPerBlock: 1)
            #expect(result.max.isNaN, "\(activation)")
            #expect(result.u.allSatisfy { $0.isNaN }, "\(activation)")
        }
    }

    @Test(
        "update is Wᵀ − η Rᵀ D, bitwise the same for 1, 2 and 3 threads; gradient and D Dᵀ match",
        arguments: availableStepPaths)
    func updateGradientGram(path: StepPanels.Path) {
        let p = Problem(n: 19, d: 10, m: 61)
        let (result, kernels) = forward(p, .exp, path, threads: 1)
        var g = SplitMix64(seed: 5)
        let xr = (0..<(p.n * p.d)).map { _ in -1 + 2 * g.nextUnit() }
        let eta = 0.25
        var first: [Double]?
        for threads in [1, 2, 3] {
            var wt = p.wt
            wt.withUnsafeMutableBufferPointer {
                kernels.update(eta: eta, xr: xr, wt: $0.baseAddress!, threads: threads)
            }
            for k in 0..<p.d {
                for r in 0..<p.m {
                    let gradient = (0..<p.n).reduce(0.0) { $0 + xr[$1 * p.d + k] * result.d[$1 * p.m + r] }
                    #expect(
                        abs(wt[k * p.m + r] - (p.wt[k * p.m + r] - eta * gradient)) <= 1e-13 * max(1, abs(gradient)))
                }
            }
            if let first { #expect(wt == first, "\(threads) threads") } else { first = wt }
        }
        var gradient = [Double](repeating: .nan, count: p.m * p.d)
        gradient.withUnsafeMutableBufferPointer { kernels.gradient(xr: xr, into: $0.baseAddress!) }
        var gram = [Double](repeating: 0, count: p.n * p.n)
        gram.withUnsafeMutableBufferPointer { kernels.derivativeGramUpper(into: $0.baseAddress!) }
        for r in 0..<p.m {
            for k in 0..<p.d {
                let expected = (0..<p.n).reduce(0.0) { $0 + result.d[$1 * p.m + r] * xr[$1 * p.d + k] }
                #expect(abs(gradient[r * p.d + k] - expected) <= 1e-13 * max(1, abs(expected)))
            }
        }
        for i in 0..<p.n {
            for j in i..<p.n {
                let expected = (0..<p.m).reduce(0.0) { $0 + result.d[i * p.m + $1] * result.d[j * p.m + $1] }
                #expect(abs(gram[i * p.n + j] - expected) <= 1e-13 * max(1, abs(expected)))
            }
        }
    }

    @Test("D Dᵀ over more than one group of 10 panels (m = 1000) matches the definition")
    func gramAcrossGroups() {
        let p = Problem(n: 9, d: 3, m: 1000, seed: 3)
        let (result, kernels) = forward(p, .exp, TestKernels.path, threads: 2)
        var gram = [Double](repeating: 0, count: p.n * p.n)
        gram.withUnsafeMutableBufferPointer { kernels.derivativeGramUpper(into: $0.baseAddress!) }
        for i in 0..<p.n {
            for j in i..<p.n {
                let expected = (0..<p.m).reduce(0.0) { $0 + result.d[i * p.m + $1] * result.d[j * p.m + $1] }
                #expect(abs(gram[i * p.n + j] - expected) <= 1e-13 * max(1, abs(expected)))
            }
        }
    }

    @Test(
        "D Dᵀ from the panels over NaN-filled memory: several point panels and panel groups, bitwise for 1, 2 and 3 threads",
        arguments: availableStepPaths)
    func gramFromPanelsAcrossPointPanels(path: StepPanels.Path) {
        let p = Problem(n: 61, d: 4, m: 1100, seed: 8)  // 3 point panels (the last 13 wide), 46 neuron panels
        let (result, kernels) = forward(p, .exp, path, threads: 2)
        func gram(threads: Int) -> [Double] {
            var s = [Double](repeating: .nan, count: p.n * p.n)
            s.withUnsafeMutableBufferPointer { kernels.derivativeGramUpper(into: $0.baseAddress!, threads: threads) }
            return (0..<p.n).flatMap { i in (i..<p.n).map { s[i * p.n + $0] } }  // the upper triangle
        }
        let one = gram(threads: 1)
        #expect(gram(threads: 2) == one)
        #expect(gram(threads: 3) == one)
        var worst = 0.0
        var k = 0
        for i in 0..<p.n {
            for j in i..<p.n {
                let expected = (0..<p.m).reduce(0.0) { $0 + result.d[i * p.m + $1] * result.d[j * p.m + $1] }
                worst = max(worst, abs(one[k] - expected) / max(1, abs(expected)))
                k += 1
            }
        }
        #expect(worst <= 1e-13, "worst relative error \(worst)")
    }
}

/// The checks that exist only for the SIMD paths, on each; a path this CPU lacks, or that
/// `EXPREG_KERNELS` does not select, is reported as skipped with the reason.
extension StepPanelsTests {
    @Suite("avx512", .runsOn(.avx512)) struct OnAVX512 {
        @Test("avx512: step panels, agrees with generic") func agreesWithGeneric() {
            StepPanelsTests().pathsAgree(other: .avx512)
        }
        @Test("avx512: step panels, streamed stores") func streamedStores() {
            StepPanelsTests().streamedStores(path: .avx512)
        }
    }

    @Suite("avx2", .runsOn(.avx2)) struct OnAVX2 {
        @Test("avx2: step panels, agrees with generic") func agreesWithGeneric() {
            StepPanelsTests().pathsAgree(other: .avx2)
        }
        @Test("avx2: step panels, streamed stores") func streamedStores() {
            StepPanelsTests().streamedStores(path: .avx2)
        }
    }
}
