internal import CBLAS

/// Thin, typed wrappers over the OpenBLAS CBLAS routines the numeric core needs.
///
/// All matrices are **row-major** and dense. Pointers are borrowed for the duration of one call
/// and never stored. Shapes are checked with `precondition` (a shape mismatch is a programming
/// error, not bad input); sizes are converted with `Int32(_:)`, which traps on overflow.
///
/// OpenBLAS always runs on one thread (see ``BLASGate``): every result is bitwise the same for
/// any thread count, core count or CPU affinity of the process; it can depend on the OpenBLAS
/// core type (``coreName``), which picks OpenBLAS's inner kernels for the CPU.
public enum BLAS {
    /// Whether an operand is used as is or transposed.
    public enum Transpose: Sendable {
        /// op(A) = A.
        case none
        /// op(A) = Aᵀ.
        case transpose

        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// The OpenBLAS core type its kernels were chosen for on this CPU (`openblas_get_corename`,
    /// e.g. `SkylakeX`, `Haswell`, `Zen`); recorded with every batch.
    public static var coreName: String {
        BLASGate.run { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
    }

    /// C ← alpha · op(A) · op(B) + beta · C (`cblas_dgemm`, row-major).
    ///
    /// op(A) is m × k, op(B) is k × n, C is m × n. `lda`, `ldb`, `ldc` are the row strides of
    /// the stored (untransposed) arrays. With beta = 0, C need not be initialised.
    /// - Complexity: O(m·n·k).
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size (\(m), \(n), \(k))")
        BLASGate.run {
            cblas_dgemm(
                CblasRowMajor, transA.cblas, transB.cblas, blasint(Int32(m)), blasint(Int32(n)),
                blasint(Int32(k)), alpha, a, blasint(Int32(lda)), b, blasint(Int32(ldb)), beta, c,
                blasint(Int32(ldc)))
        }
    }

    /// C ← alpha · A · Aᵀ + beta · C on the **upper triangle** of C (`cblas_dsyrk`, row-major).
    ///
    /// A is n × k (row stride `lda`), C is n × n (row stride `ldc`). The strict lower triangle of
    /// C is not touched; call ``symmetrizeFromUpper(_:n:)`` to fill it.
    /// - Complexity: O(n²·k).
    public static func syrkUpper(
        n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        precondition(n >= 0 && k >= 0, "syrk: negative size (\(n), \(k))")
        BLASGate.run {
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasNoTrans, blasint(Int32(n)), blasint(Int32(k)), alpha,
                a, blasint(Int32(lda)), beta, c, blasint(Int32(ldc)))
        }
    }

    /// xᵀy over `count` contiguous elements (`cblas_ddot`).
    public static func dot(count: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        BLASGate.run { cblas_ddot(blasint(Int32(count)), x, 1, y, 1) }
    }

    /// Copies the upper triangle of the row-major n × n matrix `c` into its lower triangle.
    /// - Complexity: O(n²).
    public static func symmetrizeFromUpper(_ c: UnsafeMutablePointer<Double>, n: Int) {
        for i in 0..<n {
            for j in 0..<i { c[i * n + j] = c[j * n + i] }
        }
    }
}
