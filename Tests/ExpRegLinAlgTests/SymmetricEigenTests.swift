import ExpRegLinAlg
import Foundation
import RealModule
import Testing

@Suite("SymmetricEigen")
struct SymmetricEigenTests {
    @Test("known 2 x 2 spectrum and orthonormal eigenvectors")
    func twoByTwo() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1)/√2 and (1, 1)/√2.
        let d = try SymmetricEigen.decompose([2, 1, 1, 2], n: 2)
        // Backward-stable solver: |error| ≤ c·ε·‖A‖ with ‖A‖ = 3; c = 10 is generous for n = 2.
        #expect(d.values[0].isApproximatelyEqual(to: 1, absoluteTolerance: 10 * .ulpOfOne * 3))
        #expect(d.values[1].isApproximatelyEqual(to: 3, absoluteTolerance: 10 * .ulpOfOne * 3))
        let q1 = Array(d.vectors[2..<4])
        #expect(abs(q1[0]).isApproximatelyEqual(to: 0.5.squareRoot(), absoluteTolerance: 1e-15))
        #expect((q1[0] - q1[1]).isApproximatelyEqual(to: 0, absoluteTolerance: 1e-15))
    }

    @Test("residual ‖A q − λ q‖ ≤ c·ε·‖A‖ on a 6 x 6 matrix")
    func residual() throws {
        let n = 6
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { a[i * n + j] = 1 / Double(i + j + 1) + (i == j ? Double(i) : 0) }  // Hilbert + diag
        }
        let d = try SymmetricEigen.decompose(a, n: n)
        let norm = try SymmetricEigen.spectralNorm(of: a, n: n)
        #expect(d.values == d.values.sorted())
        for j in 0..<n {
            var worst = 0.0
            for i in 0..<n {
                var aq = 0.0
                for k in 0..<n { aq += a[i * n + k] * d.vectors[j * n + k] }
                worst = max(worst, abs(aq - d.values[j] * d.vectors[j * n + i]))
            }
            #expect(worst <= 100 * .ulpOfOne * norm)
        }
    }

    @Test("eigenvalues(preserving:) equals eigenvalues(of:) and leaves the matrix bitwise as it was")
    func preservingMatrix() throws {
        let n = 40
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                let value = 1 / Double(i + j + 1) + (i == j ? Double(i % 7) : 0.01 * Double((i * j) % 5))
                a[i * n + j] = value
                a[j * n + i] = value
            }
        }
        let original = a
        let values = try SymmetricEigen.eigenvalues(preserving: &a, n: n)
        #expect(a.map(\.bitPattern) == original.map(\.bitPattern))
        #expect(values == (try SymmetricEigen.eigenvalues(of: original, n: n)))
        var broken = original
        broken[3 * n + 5] = .nan
        broken[5 * n + 3] = .nan
        let copy = broken
        #expect(throws: LinAlgError.self) { try SymmetricEigen.eigenvalues(preserving: &broken, n: n) }
        #expect(broken.map(\.bitPattern) == copy.map(\.bitPattern), "restored after a throw too")
        for (i, j) in [(7, 7), (0, n - 1)] {  // an infinite diagonal entry, an infinite corner pair
            var infinite = original
            infinite[i * n + j] = -.infinity
            infinite[j * n + i] = -.infinity
            let before = infinite
            #expect(throws: LinAlgError.self) { try SymmetricEigen.eigenvalues(preserving: &infinite, n: n) }
            #expect(infinite.map(\.bitPattern) == before.map(\.bitPattern))
        }
    }

    @Test("NaN or Inf input throws instead of returning garbage")
    func nonFinite() {
        #expect(throws: LinAlgError.self) { try SymmetricEigen.eigenvalues(of: [1, .nan, .nan, 1], n: 2) }
        #expect(throws: LinAlgError.self) { try SymmetricEigen.eigenvalues(of: [.infinity, 0, 0, 1], n: 2) }
    }

    @Test("empty and 1 x 1 matrices")
    func edges() throws {
        #expect(try SymmetricEigen.eigenvalues(of: [], n: 0).isEmpty)
        #expect(try SymmetricEigen.eigenvalues(of: [-4], n: 1) == [-4])
        #expect(try SymmetricEigen.spectralNorm(of: [-4], n: 1) == 4)
    }
}

@Suite("BLAS")
struct BLASTests {
    @Test("gemm and syrk agree with a direct product (exact small integers)")
    func products() {
        // A 2 x 3, B 3 x 2; all products of small integers are exact in float64.
        let a: [Double] = [1, 2, 3, 4, 5, 6]
        let b: [Double] = [7, 8, 9, 10, 11, 12]
        var c = [Double](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(
                        .none, .none, m: 2, n: 2, k: 3, alpha: 1, a: ap.baseAddress!, lda: 3,
                        b: bp.baseAddress!, ldb: 2, beta: 0, c: cp.baseAddress!, ldc: 2)
                }
            }
        }
        #expect(c == [58, 64, 139, 154])
        var s = [Double](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                BLAS.syrkUpper(n: 2, k: 3, alpha: 1, a: ap.baseAddress!, lda: 3, beta: 0, c: sp.baseAddress!, ldc: 2)
                BLAS.symmetrizeFromUpper(sp.baseAddress!, n: 2)
            }
        }
        #expect(s == [14, 32, 32, 77])
    }

    @Test("OpenBLAS reports the core type its kernels were chosen for")
    func coreName() {
        #expect(!BLAS.coreName.isEmpty)
        #expect(BLAS.coreName == BLAS.coreName.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
