import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegLinAlg

@Suite("Fused forward block, every available exp kernel")
struct VectorExpForwardBlockKernelTests {
    /// Each kernel's forward block equals exp-then-scale of the same kernel and sums within rounding.
    func forwardBlock(path: KernelPath) {
        let kernel = path.expKernel
        let rows = 3
        let columns = 37
        let ld = 40
        var g = SplitMix64(seed: 21)
        let source = (0..<(rows * ld)).map { _ in -8 + 16 * g.nextUnit() }
        let weights = (0..<columns).map { _ in -1 + 2 * g.nextUnit() }
        var block = source
        var sums = [Double](repeating: 1, count: rows)  // accumulates onto existing sums
        var maxAbs = 0.5
        block.withUnsafeMutableBufferPointer { b in
            VectorMath.expForwardBlock(
                kernel: kernel, b.baseAddress!, rows: rows, columns: columns, leadingDimension: ld,
                weights: weights, sums: &sums, maxAbs: &maxAbs)
        }
        var exps = source
        exps.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: kernel) }
        var expectedMax = 0.5
        for i in 0..<rows {
            var dot = 1.0
            var magnitude = 1.0
            for j in 0..<ld {
                let k = i * ld + j
                if j < columns {
                    #expect(block[k] == exps[k] * weights[j], "(\(i), \(j))")
                    dot += weights[j] * exps[k]
                    magnitude += abs(weights[j] * exps[k])
                    expectedMax = max(expectedMax, abs(source[k]))
                } else {
                    #expect(block[k] == source[k], "padding untouched")
                }
            }
            // 38 reordered terms: 64 ε · Σ|terms| bounds the difference.
            #expect(abs(sums[i] - dot) <= 64 * Double.ulpOfOne * magnitude)
        }
        #expect(maxAbs == expectedMax)
        var nanBlock = source
        nanBlock[5] = .nan
        var nanMax = 0.0
        nanBlock.withUnsafeMutableBufferPointer { b in
            VectorMath.expForwardBlock(
                kernel: kernel, b.baseAddress!, rows: rows, columns: columns, leadingDimension: ld,
                weights: weights, sums: &sums, maxAbs: &nanMax)
        }
        #expect(nanMax.isNaN && sums[0].isNaN)
    }
}

/// ``VectorExpForwardBlockKernelTests/forwardBlock(path:)`` on each kernel path; a path this CPU
/// lacks, or that `EXPREG_KERNELS` does not select, is reported as skipped with the reason.
extension VectorExpForwardBlockKernelTests {
    @Suite("avx512", .runsOn(.avx512)) struct OnAVX512 {
        @Test("avx512: exp forward block, forward block") func forwardBlock() {
            VectorExpForwardBlockKernelTests().forwardBlock(path: .avx512)
        }
    }

    @Suite("avx2", .runsOn(.avx2)) struct OnAVX2 {
        @Test("avx2: exp forward block, forward block") func forwardBlock() {
            VectorExpForwardBlockKernelTests().forwardBlock(path: .avx2)
        }
    }

    @Suite("generic", .runsOn(.generic)) struct OnGeneric {
        @Test("generic: exp forward block, forward block") func forwardBlock() {
            VectorExpForwardBlockKernelTests().forwardBlock(path: .generic)
        }
    }
}
