import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegLinAlg

/// ExpReg's AVX2 + FMA GD-step kernels (`expreg_forward_panels_avx2`, `expreg_update_panels_avx2`,
/// `expreg_lean_update_panels_avx2`), reached through ``StepPanels`` and ``LeanStepBlocks`` on the
/// ``KernelPath/avx2`` path with one thread, against a plain scalar reference in Double with libm's exp.
@Suite("AVX2 step kernels against a scalar reference", .runsOn(.avx2))
struct StepKernelsAVX2Tests {
    static let epsilon = Double.ulpOfOne

    /// X (n × d), Wᵀ (d × m), a (m), R = diag(r) X (n × d); x, w in [−s, s] so that |z| reaches a few tens.
    struct Problem {
        let n: Int, d: Int, m: Int
        var x: [Double], wt: [Double], a: [Double], xr: [Double]
        init(n: Int, d: Int, m: Int, scale: Double, seed: UInt64) {
            self.n = n
            self.d = d
            self.m = m
            var g = SplitMix64(seed: seed)
            x = (0..<(n * d)).map { _ in scale * (2 * g.nextUnit() - 1) }
            wt = (0..<(d * m)).map { _ in scale * (2 * g.nextUnit() - 1) }
            a = (0..<m).map { _ in (2 * g.nextUnit() - 1) / Double(m).squareRoot() }
            xr = (0..<(n * d)).map { _ in 2 * g.nextUnit() - 1 }
        }
        /// z_ir and S_ir = Σ_k |x_ik w_kr| (the scale of z's rounding).
        func z(_ i: Int, _ r: Int) -> (value: Double, scale: Double) {
            var value = 0.0
            var scale = 0.0
            for k in 0..<d {
                value += x[i * d + k] * wt[k * m + r]
                scale += abs(x[i * d + k] * wt[k * m + r])
            }
            return (value, scale)
        }
    }

    /// The scalar reference of one forward pass and update, with a bound on each kernel output.
    struct Reference {
        var d: [Double], dBound: [Double]  // D = a act'(z), n × m
        var u: [Double], uBound: [Double]
        var maxAbs: Double, maxBound: Double
        var wt: [Double], wtBound: [Double]  // Wᵀ − η Rᵀ D

        /// Bounds: z is a sum of d products by FMAs, so |Δz| ≤ d·ε·S (S = Σ_k |x_k w_k|, first order).
        /// exp: the table kernel is within 1 ulp of glibc, glibc within 1 ulp of e^z, and the product
        /// with a rounds once: |ΔD| ≤ |D|·(d·ε·S + 4ε). relu: D is exact unless z is within its bound
        /// of 0 (then |ΔD| ≤ |a|). u: m terms summed in another order (≤ m·ε·Σ|t|) plus each term's
        /// error (exp: |ΔD|; relu: |a|·d·ε·S, or |a z| where the sign may flip). The update: n
        /// products of R with D summed (≤ n·ε·Σ|R D|) plus Σ_i |R_ik|·|ΔD_ir|, times η, plus the
        /// final rounding (ε·|Wᵀ'|). Each bound is doubled for the second-order terms.
        init(_ p: Problem, relu: Bool, eta: Double) {
            let (n, m, dim) = (p.n, p.m, p.d)
            let dimension = Double(dim)
            (self.d, dBound) = ([Double](repeating: 0, count: n * m), [Double](repeating: 0, count: n * m))
            (u, uBound) = ([Double](repeating: 0, count: n), [Double](repeating: 0, count: n))
            (maxAbs, maxBound) = (0, 0)
            for i in 0..<n {
                var magnitude = 0.0
                var termErrors = 0.0
                for r in 0..<m {
                    let (z, s) = p.z(i, r)
                    let zError = dimension * StepKernelsAVX2Tests.epsilon * s
                    maxAbs = max(maxAbs, abs(z))
                    maxBound = max(maxBound, 2 * zError)
                    let k = i * m + r
                    if relu {
                        self.d[k] = z > 0 ? p.a[r] : 0
                        dBound[k] = abs(z) <= 2 * zError ? abs(p.a[r]) : 0
                        u[i] += p.a[r] * max(z, 0)
                        magnitude += abs(p.a[r] * max(z, 0))
                        termErrors += abs(p.a[r]) * 2 * zError
                    } else {
                        self.d[k] = p.a[r] * Foundation.exp(z)
                        dBound[k] = 2 * abs(self.d[k]) * (zError + 4 * StepKernelsAVX2Tests.epsilon)
                        u[i] += self.d[k]
                        magnitude += abs(self.d[k])
                        termErrors += dBound[k]
                    }
                }
                uBound[i] = 2 * (Double(m) * StepKernelsAVX2Tests.epsilon * magnitude + termErrors)
            }
            (wt, wtBound) = (p.wt, [Double](repeating: 0, count: dim * m))
            for k in 0..<dim {
                for r in 0..<m {
                    var sum = 0.0
                    var magnitude = 0.0
                    var propagated = 0.0
                    for i in 0..<n {
                        sum += p.xr[i * dim + k] * self.d[i * m + r]
                        magnitude += abs(p.xr[i * dim + k] * self.d[i * m + r])
                        propagated += abs(p.xr[i * dim + k]) * dBound[i * m + r]
                    }
                    wt[k * m + r] -= eta * sum
                    let summed = Double(n) * StepKernelsAVX2Tests.epsilon * magnitude + propagated
                    wtBound[k * m + r] = 2 * (eta * summed + StepKernelsAVX2Tests.epsilon * abs(wt[k * m + r]))
                }
            }
        }
    }

    /// Expects |actual − expected| ≤ bound everywhere (NaN fails); reports the first few misses.
    static func expectWithin(
        _ actual: [Double], _ expected: [Double], _ bound: [Double], _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var misses: [String] = []
        for k in actual.indices where !(abs(actual[k] - expected[k]) <= bound[k]) {
            misses.append("[\(k)]: \(actual[k]) vs \(expected[k]) (bound \(bound[k]))")
        }
        #expect(misses.isEmpty, "\(label): \(misses.count) misses, \(misses.prefix(5))", sourceLocation: sourceLocation)
    }

    /// Materialising forward + update and lean forward + update on the avx2 path, one thread, each
    /// checked against the reference.
    func check(_ p: Problem, relu: Bool, eta: Double = 0.25) {
        let reference = Reference(p, relu: relu, eta: eta)
        let activation: NeuronBlockKernel.Activation = relu ? .relu : .exp
        let label = "\(relu ? "relu" : "exp") (\(p.n), \(p.d), \(p.m))"

        let full = StepPanels(x: p.x, n: p.n, d: p.d, m: p.m, activation: activation, path: .avx2)
        var u = [Double](repeating: .nan, count: p.n)
        let largest = u.withUnsafeMutableBufferPointer {
            full.forward(wt: p.wt, aScaled: p.a, u: $0.baseAddress!, threads: 1)
        }
        let panelsD = (0..<(p.n * p.m)).map { full.derivative(row: $0 / p.m, neuron: $0 % p.m) }
        var wt = p.wt
        wt.withUnsafeMutableBufferPointer { full.update(eta: eta, xr: p.xr, wt: $0.baseAddress!, threads: 1) }
        #expect(abs(largest - reference.maxAbs) <= reference.maxBound, "\(label) max |z|: \(largest)")
        Self.expectWithin(panelsD, reference.d, reference.dBound, "\(label) D")
        Self.expectWithin(u, reference.u, reference.uBound, "\(label) u")
        Self.expectWithin(wt, reference.wt, reference.wtBound, "\(label) Wᵀ")

        let lean = LeanStepBlocks(x: p.x, n: p.n, d: p.d, m: p.m, activation: activation, path: .avx2)
        var leanU = [Double](repeating: .nan, count: p.n)
        let leanLargest = leanU.withUnsafeMutableBufferPointer {
            lean.forward(wt: p.wt, aScaled: p.a, u: $0.baseAddress!, threads: 1)
        }
        var leanWt = p.wt
        leanWt.withUnsafeMutableBufferPointer {
            lean.update(
                eta: eta, xr: p.xr, wt: $0.baseAddress!, aScaled: p.a, threads: 1, maxPreactivation: leanLargest)
        }
        #expect(abs(leanLargest - reference.maxAbs) <= reference.maxBound, "\(label) lean max |z|: \(leanLargest)")
        Self.expectWithin(leanU, reference.u, reference.uBound, "\(label) lean u")
        Self.expectWithin(leanWt, reference.wt, reference.wtBound, "\(label) lean Wᵀ")
    }

    @Test(
        "forward (D, u, max |z|), update and the lean update match the scalar reference (tile edges in n, d, m)",
        arguments: [(13, 5, 37), (21, 11, 100), (8, 8, 24), (3, 1, 1), (40, 64, 130), (17, 9, 4)])
    func matchesReference(size: (Int, Int, Int)) {
        let p = Problem(n: size.0, d: size.1, m: size.2, scale: 1.5, seed: UInt64(size.0 * 1000 + size.2))
        check(p, relu: false)
        check(p, relu: true)
    }

    @Test("pre-activations past the exp table's range (|z| ≥ 708) take libm's exp: forward pass and lean update")
    func pastTheTableRange() {
        // d = 2, X = rows of the identity and (1, 1): z is exact (sums of two doubles that are
        // integers or halves). Neuron 0: z = −800 (e^z underflows to 0; the table path alone gives
        // no 0), neuron 1: z = −720 (subnormal), neuron 2: z = 709.5 (past the table, finite), the
        // rest ordinary; 8 points fill one 8-row tile, so covered and checked lanes share tiles.
        let n = 8
        let m = 50
        var p = Problem(n: n, d: 2, m: m, scale: 1, seed: 3)
        for i in 0..<n { (p.x[2 * i], p.x[2 * i + 1]) = i % 3 == 0 ? (1, 0) : i % 3 == 1 ? (0, 1) : (1, 1) }
        for r in 0..<m { (p.wt[r], p.wt[m + r]) = (Double(r % 7) - 3, Double(r % 5) / 2 - 1) }
        (p.wt[0], p.wt[m]) = (-800, 0)  // z = −800, 0, −800
        (p.wt[1], p.wt[m + 1]) = (-360, -360)  // z = −360, −360, −720
        (p.wt[2], p.wt[m + 2]) = (354.75, 354.75)  // z = 354.75, 354.75, 709.5
        let reference = Reference(p, relu: false, eta: 0.25)
        #expect(reference.maxAbs == 800)
        #expect(reference.d[2 * m] == 0 && reference.d[2 * m + 1] != 0 && reference.d[2 * m + 1].isSubnormal)
        #expect(abs(reference.d[2 * m + 2]) > 1e300)
        check(p, relu: false)
    }
}
