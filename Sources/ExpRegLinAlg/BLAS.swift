internal import CBLAS

/// Thin, typed wrappers over the OpenBLAS CBLAS routines the numeric core needs.
///
/// All matrices are **row-major** and dense. Pointers are borrowed for the duration of one call
/// and never stored. Shapes are checked with `precondition` (a shape mismatch is a programming
/// error, not bad input); sizes are converted with `Int32(_:)`, which traps on overflow.
///
/// Results are deterministic for a fixed ``threadCount`` (OpenBLAS partitions work statically).
public enum BLAS {
    /// Whether an operand is used as is or transposed.
    public enum Transpose: Sendable {
        /// op(A) = A.
        case none
        /// op(A) = Aᵀ.
        case transpose

        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// The number of threads OpenBLAS uses for level-3 calls (`openblas_get/set_num_threads`).
    ///
    /// Setting a value < 1 sets 1. The setting is process-wide.
    public static var threadCount: Int {
        get { BLASGate.run { Int(openblas_get_num_threads()) } }
        set { BLASGate.run { openblas_set_num_threads(Int32(max(1, newValue))) } }
    }

    /// C ← alpha · op(A) · op(B) + beta · C (`cblas_dgemm`, row-major).
    ///
    /// op(A) is m × k, op(B) is k × n, C is m × n. `lda`, `ldb`, `ldc` are the row strides of
    /// the stored (untransposed) arrays. With beta = 0, C need not be initialised.
    /// - Complexity: O(m·n·k).
    public static func gemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size (\(m), \(n), \(k))")
        BLASGate.run {
            cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(Int32(m)), blasint(Int32(n)),
                        blasint(Int32(k)), alpha, a, blasint(Int32(lda)), b, blasint(Int32(ldb)), beta, c,
                        blasint(Int32(ldc)))
        }
    }

    /// C ← alpha · A · Aᵀ + beta · C on the **upper triangle** of C (`cblas_dsyrk`, row-major).
    ///
    /// A is n × k (row stride `lda`), C is n × n (row stride `ldc`). The strict lower triangle of
    /// C is not touched; call ``symmetrizeFromUpper(_:n:)`` to fill it.
    /// - Complexity: O(n²·k).
    public static func syrkUpper(n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                                 beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        precondition(n >= 0 && k >= 0, "syrk: negative size (\(n), \(k))")
        BLASGate.run {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(Int32(n)), blasint(Int32(k)), alpha,
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
