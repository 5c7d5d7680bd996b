import Foundation
import Testing
@testable import ExpRegLinAlg

@Suite("VectorMath.expInPlaceWeightedRowSums")
struct VectorExpFusedTests {
    @Test("exp in place and weighted row sums match exp then a plain dot product")
    func matchesUnfused() {
        let rows = 5, columns = 23, ld = 26  // columns not a multiple of 4; padding between rows
        var generator = SplitMix64(seed: 11)
        let source = (0..<(rows * ld)).map { _ in -3 + 6 * generator.nextUnit() }
        let weights = (0..<columns).map { _ in generator.next() & 1 == 0 ? -1.0 : 1.0 }
        var block = source
        var sums = [Double](repeating: .nan, count: rows)
        block.withUnsafeMutableBufferPointer { b in
            weights.withUnsafeBufferPointer { w in
                sums.withUnsafeMutableBufferPointer { s in
                    VectorMath.expInPlaceWeightedRowSums(b, rows: rows, columns: columns, leadingDimension: ld, weights: w, into: s)
                }
            }
        }
        var expected = source
        VectorMath.expInPlace(&expected)
        for i in 0..<rows {
            for j in 0..<ld {
                let k = i * ld + j
                // Elements inside the block are exp'd with the same kernel (bit-identical); padding is untouched.
                #expect(block[k] == (j < columns ? expected[k] : source[k]))
            }
            let dot = (0..<columns).reduce(0.0) { $0 + weights[$1] * expected[i * ld + $1] }
            let scale = (0..<columns).reduce(0.0) { $0 + expected[i * ld + $1] }
            // Reordered summation: |error| ≤ columns · ε · Σ|w_j e_j|; 64 ε·Σ is a safe bound for 23 terms.
            #expect(abs(sums[i] - dot) <= 64 * Double.ulpOfOne * scale, "row \(i): \(sums[i]) vs \(dot)")
        }
    }

    @Test("NaN and overflow propagate into the sums; empty shapes are fine")
    func propagation() {
        var block: [Double] = [0, .nan, 1, 2, 0, 710, 1, 2]
        let weights: [Double] = [1, 1, 1, 1]
        var sums = [Double](repeating: 0, count: 2)
        block.withUnsafeMutableBufferPointer { b in
            weights.withUnsafeBufferPointer { w in
                sums.withUnsafeMutableBufferPointer { s in
                    VectorMath.expInPlaceWeightedRowSums(b, rows: 2, columns: 4, leadingDimension: 4, weights: w, into: s)
                    VectorMath.expInPlaceWeightedRowSums(b, rows: 0, columns: 4, leadingDimension: 4, weights: w, into: s)
                }
            }
        }
        #expect(sums[0].isNaN)
        #expect(sums[1] == .infinity)
        var zeroColumns: [Double] = [5]
        var zeroSums: [Double] = [3]
        zeroColumns.withUnsafeMutableBufferPointer { b in
            [Double]().withUnsafeBufferPointer { w in
                zeroSums.withUnsafeMutableBufferPointer { s in
                    VectorMath.expInPlaceWeightedRowSums(b, rows: 1, columns: 0, leadingDimension: 1, weights: w, into: s)
                }
            }
        }
        #expect(zeroSums == [0] && zeroColumns == [5])
    }
}

@Suite("Fused forward block, every available exp kernel")
struct VectorExpForwardBlockKernelTests {
    @Test("each kernel's forward block equals exp-then-scale of the same kernel and sums within rounding",
          arguments: [ExpKernel.portable, .avx2FMA, .avx512].filter(\.isAvailable))
    func forwardBlock(kernel: ExpKernel) {
        let rows = 3, columns = 37, ld = 40
        var g = SplitMix64(seed: 21)
        let source = (0..<(rows * ld)).map { _ in -8 + 16 * g.nextUnit() }
        let weights = (0..<columns).map { _ in -1 + 2 * g.nextUnit() }
        var block = source
        var sums = [Double](repeating: 1, count: rows)  // accumulates onto existing sums
        var maxAbs = 0.5
        block.withUnsafeMutableBufferPointer { b in
            VectorMath.expForwardBlock(kernel: kernel, b.baseAddress!, rows: rows, columns: columns, leadingDimension: ld,
                                       weights: weights, sums: &sums, maxAbs: &maxAbs)
        }
        var exps = source
        exps.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: kernel) }
        var expectedMax = 0.5
        for i in 0..<rows {
            var dot = 1.0, magnitude = 1.0
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
            VectorMath.expForwardBlock(kernel: kernel, b.baseAddress!, rows: rows, columns: columns, leadingDimension: ld,
                                       weights: weights, sums: &sums, maxAbs: &nanMax)
        }
        #expect(nanMax.isNaN && sums[0].isNaN)
    }
}
