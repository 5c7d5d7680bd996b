internal import CLAPACKE

/// Eigenvalues (and optionally eigenvectors) of real symmetric matrices with LAPACK `dsyevd`.
public enum SymmetricEigen {
    /// The eigen-decomposition A = Q · diag(values) · Qᵀ of a symmetric matrix.
    public struct Decomposition: Sendable, Equatable {
        /// The order n of the matrix.
        public var n: Int
        /// Eigenvalues in ascending order, length n.
        public var values: [Double]
        /// Orthonormal eigenvectors, n × n, **column-major**: eigenvector j is the contiguous slice
        /// `vectors[j*n ..< (j+1)*n]`, belonging to `values[j]`.
        public var vectors: [Double]
    }

    /// Ascending eigenvalues of the symmetric n × n matrix `matrix` (row-major; only the upper
    /// triangle is read).
    ///
    /// Accuracy: absolute error about n·ε·‖A‖₂ per eigenvalue (backward-stable solver).
    /// - Throws: ``LinAlgError`` when the matrix holds NaN/Inf or LAPACK does not converge.
    /// - Complexity: O(n³) time; O(n²) extra memory (a copy of the matrix) unless the caller hands
    ///   over its last reference (`consume`), in which case LAPACK works in the caller's buffer.
    public static func eigenvalues(of matrix: consuming [Double], n: Int) throws(LinAlgError) -> [Double] {
        var a = consume matrix  // in place when the caller gave up its reference (no O(n²) copy)
        return try solve(&a, n: n, vectors: false).values
    }

    /// Ascending eigenvalues of the symmetric n × n `matrix` (row-major, both triangles), which
    /// holds the same values again on return: no n × n copy is made.
    ///
    /// `dsyevd` without eigenvectors overwrites only the triangle it reads (the row-major upper
    /// one with the diagonal); the strict lower triangle keeps its transpose, from which the upper
    /// triangle is restored afterwards, and the diagonal from a saved copy (n values).
    /// - Precondition: `matrix` is exactly symmetric.
    /// - Throws: ``LinAlgError`` as ``eigenvalues(of:n:)`` (the matrix is restored then too).
    /// - Complexity: O(n³) time; O(n) extra memory.
    public static func eigenvalues(preserving matrix: inout [Double], n: Int) throws(LinAlgError) -> [Double] {
        precondition(
            n >= 0 && matrix.count == n * n,
            "SymmetricEigen: matrix has \(matrix.count) elements, expected \(n) x \(n)")
        // One pass checks symmetry and finiteness (solve's own finiteness scan is skipped).
        var allFinite = true
        matrix.withUnsafeBufferPointer { a in
            forEachStrictUpperEntry(n: n) { i, j in
                let upper = a[i * n + j]
                let lower = a[j * n + i]
                if upper != lower && !(upper.isNaN && lower.isNaN) {
                    preconditionFailure(
                        "SymmetricEigen.eigenvalues(preserving:): entries (\(i), \(j)) and (\(j), \(i)) differ")
                }
                allFinite = allFinite && upper.isFinite
            }
        }
        let diagonal = (0..<n).map { matrix[$0 * n + $0] }
        guard allFinite && diagonal.allSatisfy(\.isFinite) else {
            throw LinAlgError(routine: "LAPACKE_dsyevd", info: 0, context: "the eigenvalues of a \(n) x \(n) matrix")
        }
        defer {
            matrix.withUnsafeMutableBufferPointer { a in
                for i in 0..<n { a[i * n + i] = diagonal[i] }
                forEachStrictUpperEntry(n: n) { i, j in a[i * n + j] = a[j * n + i] }
            }
        }
        return try solve(&matrix, n: n, vectors: false, checked: true).values
    }

    /// Calls `body(i, j)` for every j > i, in 32 × 32 tiles, so the transposed partner (j, i) of a
    /// row-major matrix is read from cache rather than one cache line per entry.
    @inline(__always)
    private static func forEachStrictUpperEntry(n: Int, _ body: (Int, Int) -> Void) {
        let tile = 32
        for rowStart in stride(from: 0, to: n, by: tile) {
            let rowEnd = min(rowStart + tile, n)
            for columnStart in stride(from: rowStart, to: n, by: tile) {
                let columnEnd = min(columnStart + tile, n)
                for i in rowStart..<rowEnd {
                    let first = max(columnStart, i + 1)
                    guard first < columnEnd else { continue }
                    for j in first..<columnEnd { body(i, j) }
                }
            }
        }
    }

    /// Eigenvalues and orthonormal eigenvectors of the symmetric n × n matrix `matrix`
    /// (row-major; only the upper triangle is read).
    /// - Throws: ``LinAlgError`` when the matrix holds NaN/Inf or LAPACK does not converge.
    /// - Complexity: O(n³) time, O(n²) extra memory.
    public static func decompose(_ matrix: consuming [Double], n: Int) throws(LinAlgError) -> Decomposition {
        var a = consume matrix
        var result = try solve(&a, n: n, vectors: true)
        result.vectors = consume a
        return result
    }

    /// The spectral norm ‖A‖₂ = max |λ_i| of a symmetric matrix (row-major, upper triangle read).
    /// - Throws: ``LinAlgError`` as ``eigenvalues(of:n:)``.
    /// - Complexity: O(n³); no copy when the caller hands over its last reference (`consume`).
    public static func spectralNorm(of matrix: consuming [Double], n: Int) throws(LinAlgError) -> Double {
        let values = try eigenvalues(of: consume matrix, n: n)
        return values.reduce(0) { max($0, abs($1)) }
    }

    /// `dsyevd` on `a` in place (the row-major upper triangle with the diagonal is read and
    /// overwritten; with `vectors`, `a` holds the eigenvectors afterwards). `vectors` of the result is empty.
    /// `checked`: the caller has already found the upper triangle finite.
    private static func solve(
        _ a: inout [Double], n: Int, vectors: Bool,
        checked: Bool = false
    ) throws(LinAlgError) -> Decomposition {
        precondition(n >= 0 && a.count == n * n, "SymmetricEigen: matrix has \(a.count) elements, expected \(n) x \(n)")
        let context = "the eigen\(vectors ? "-decomposition" : "values") of a \(n) x \(n) matrix"
        guard n > 0 else { return Decomposition(n: 0, values: [], vectors: []) }
        // Row-major upper triangle == column-major lower triangle of the same symmetric matrix.
        // Check finiteness first: LAPACK may loop or return garbage on NaN input.
        for i in 0..<(checked ? 0 : n) {
            for j in i..<n where !a[i * n + j].isFinite {
                throw LinAlgError(routine: "LAPACKE_dsyevd", info: 0, context: context)
            }
        }
        var w = [Double](repeating: 0, count: n)
        let info = BLASGate.run {
            a.withUnsafeMutableBufferPointer { ap in
                w.withUnsafeMutableBufferPointer { wp in
                    // jobz = 'V' (86) with eigenvectors, else 'N' (78); uplo = 'L' (76).
                    LAPACKE_dsyevd(
                        LAPACK_COL_MAJOR, vectors ? 86 : 78, 76,
                        expreg_lapack_int(Int32(n)), ap.baseAddress, expreg_lapack_int(Int32(n)),
                        wp.baseAddress)
                }
            }
        }
        guard info == 0 else {
            throw LinAlgError(routine: "LAPACKE_dsyevd", info: Int(info), context: context)
        }
        return Decomposition(n: n, values: w, vectors: [])
    }
}
