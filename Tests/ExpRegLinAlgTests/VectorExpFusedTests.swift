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
