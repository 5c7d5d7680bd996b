import Foundation
import Testing
@testable import ExpRegLinAlg

@Suite("NeuronBlockKernel (blocked, threaded forward pass and update)")
struct VectorExpForwardTests {
    /// A small problem: n = 13 points, d = 5, m = 37 neurons (not multiples of the block or of 4).
    struct Problem {
        let n = 13, d = 5, m = 37
        var x: [Double] = []
        var wt: [Double] = []  // d × m
        var a: [Double] = []
        init() {
            var g = SplitMix64(seed: 99)
            x = (0..<(n * d)).map { _ in -1 + 2 * g.nextUnit() }
            wt = (0..<(d * m)).map { _ in -1 + 2 * g.nextUnit() }
            a = (0..<m).map { _ in (g.next() & 1 == 0 ? -1.0 : 1.0) / Double(37).squareRoot() }
        }
        func z(_ i: Int, _ r: Int) -> Double { (0..<d).reduce(0.0) { $0 + x[i * d + $1] * wt[$1 * m + r] } }
    }

    func runForward(_ p: Problem, _ activation: NeuronBlockKernel.Activation, threads: Int, block: Int) -> (z: [Double], u: [Double], max: Double) {
        var z = [Double](repeating: .nan, count: p.n * p.m)
        var u = [Double](repeating: .nan, count: p.n)
        let largest = z.withUnsafeMutableBufferPointer { zp in
            u.withUnsafeMutableBufferPointer { up in
                NeuronBlockKernel.forward(activation: activation, x: p.x, n: p.n, d: p.d, wt: p.wt, m: p.m, aScaled: p.a,
                                          z: zp.baseAddress!, u: up.baseAddress!, threads: threads, blockWidth: block)
            }
        }
        return (z, u, largest)
    }

    @Test("exp and relu forward match the definition; u does not depend on the thread count",
          arguments: [NeuronBlockKernel.Activation.exp, .relu])
    func forwardMatchesDefinition(activation: NeuronBlockKernel.Activation) {
        let p = Problem()
        let reference = runForward(p, activation, threads: 1, block: 8)
        var expectedMax = 0.0
        for i in 0..<p.n {
            var u = 0.0, scale = 0.0
            for r in 0..<p.m {
                let z = p.z(i, r)
                expectedMax = max(expectedMax, abs(z))
                let act = activation == .exp ? Foundation.exp(z) : max(z, 0)
                let derivative = activation == .exp ? Foundation.exp(z) : (z > 0 ? 1.0 : 0.0)
                u += p.a[r] * act
                scale += abs(p.a[r] * act)
                // |z| ≤ 5 here: GEMM rounding (d = 5 terms) times e^5 stays far below 1e-12 relative.
                #expect(abs(reference.z[i * p.m + r] - p.a[r] * derivative) <= 1e-12 * max(1, abs(p.a[r] * derivative)))
            }
            #expect(abs(reference.u[i] - u) <= 1e-12 * max(1, scale), "row \(i): \(reference.u[i]) vs \(u)")
        }
        #expect(abs(reference.max - expectedMax) <= 1e-14 * expectedMax)
        for threads in [2, 3, 8] {
            let other = runForward(p, activation, threads: threads, block: 8)
            #expect(other.u == reference.u, "u must be bitwise independent of threads (\(threads))")
            #expect(other.z == reference.z)
            #expect(other.max == reference.max)
        }
    }

    @Test("a NaN weight makes max |z| and the outputs NaN", arguments: [NeuronBlockKernel.Activation.exp, .relu])
    func nanPropagates(activation: NeuronBlockKernel.Activation) {
        var p = Problem()
        p.wt[3 * p.m + 20] = .nan
        let result = runForward(p, activation, threads: 2, block: 8)
        #expect(result.max.isNaN)
        #expect(result.u.allSatisfy { $0.isNaN })
    }

    @Test("update is Wᵀ − η (diag(r)X)ᵀ D for 1 and 2 threads")
    func updateMatchesDefinition() {
        let p = Problem()
        var g = SplitMix64(seed: 5)
        let z = (0..<(p.n * p.m)).map { _ in g.nextUnit() }
        let xr = (0..<(p.n * p.d)).map { _ in -1 + 2 * g.nextUnit() }
        let eta = 0.25
        for threads in [1, 2] {
            var wt = p.wt
            wt.withUnsafeMutableBufferPointer { wp in
                NeuronBlockKernel.update(eta: eta, z: z, n: p.n, m: p.m, xr: xr, d: p.d, wt: wp.baseAddress!, threads: threads)
            }
            for j in 0..<p.d {
                for r in 0..<p.m {
                    let gradient = (0..<p.n).reduce(0.0) { $0 + xr[$1 * p.d + j] * z[$1 * p.m + r] }
                    // 13-term sums of O(1) values: 1e-13 absolute is ~50 ulps of slack.
                    #expect(abs(wt[j * p.m + r] - (p.wt[j * p.m + r] - eta * gradient)) <= 1e-13)
                }
            }
        }
    }
}
