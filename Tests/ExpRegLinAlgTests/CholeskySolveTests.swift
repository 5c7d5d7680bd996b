import ExpRegLinAlg
import RealModule
import Testing

@Suite("CholeskySolve")
struct CholeskySolveTests {
    /// Hilbert plus a diagonal: symmetric positive definite with a moderate condition number.
    static func matrix(n: Int) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { a[i * n + j] = 1 / Double(i + j + 1) + (i == j ? 0.5 : 0) }
        }
        return a
    }

    @Test("residual ‖A x − b‖ ≤ c·n·ε·‖A‖·‖x‖ for two right-hand sides")
    func residual() throws {
        let n = 12
        let a = Self.matrix(n: n)
        let b1 = (0..<n).map { Double($0) - 5.5 }
        let b2 = (0..<n).map { 1 / Double($0 + 1) }
        let x = try CholeskySolve.solve(a, n: n, rhs: [b1, b2])
        #expect(x.count == 2)
        let normA = try SymmetricEigen.spectralNorm(of: a, n: n)
        for (solution, b) in zip(x, [b1, b2]) {
            var residual = 0.0
            var normX = 0.0
            for i in 0..<n {
                var ax = 0.0
                for j in 0..<n { ax += a[i * n + j] * solution[j] }
                residual = max(residual, abs(ax - b[i]))
                normX = max(normX, abs(solution[i]))
            }
            // Backward stability of Cholesky: c = 10 is generous (the bound is about 3·n·ε).
            #expect(residual <= 10 * Double(n) * .ulpOfOne * normA * normX, "\(residual)")
        }
    }

    @Test("the input is left unchanged and a 1 x 1 system is exact")
    func smallAndPure() throws {
        let a = [4.0]
        let x = try CholeskySolve.solve(a, n: 1, rhs: [[2.0]])
        #expect(x == [[0.5]])
        #expect(a == [4.0])
    }

    @Test("a singular or indefinite matrix is refused with the failing minor")
    func notPositiveDefinite() {
        // [[1, 1], [1, 1]] is singular; [[1, 2], [2, 1]] is indefinite.
        #expect(throws: CholeskySolve.Failure.notPositiveDefinite(minor: 2)) {
            try CholeskySolve.solve([1, 1, 1, 1], n: 2, rhs: [[1, 1]])
        }
        #expect(throws: CholeskySolve.Failure.notPositiveDefinite(minor: 2)) {
            try CholeskySolve.solve([1, 2, 2, 1], n: 2, rhs: [[1, 0]])
        }
    }

    @Test("NaN or Inf in the matrix or the right-hand side is refused")
    func notFinite() {
        #expect(throws: CholeskySolve.Failure.notFinite) {
            try CholeskySolve.solve([1, .nan, .nan, 1], n: 2, rhs: [[1, 1]])
        }
        #expect(throws: CholeskySolve.Failure.notFinite) {
            try CholeskySolve.solve([2, 0, 0, 2], n: 2, rhs: [[.infinity, 1]])
        }
    }
}
