internal import CBLAS
import Foundation

/// One process-wide lock around every OpenBLAS/LAPACK call made through ExpRegLinAlg, with
/// OpenBLAS pinned to **one thread** for the life of the process.
///
/// Threaded and single-threaded OpenBLAS round some routines differently (`dgemm`/`dsyrk` split
/// their sums among threads; `dsymv` inside `dsyevd` too), and a threaded result also depends on
/// how many threads OpenBLAS has, i.e. on the core count and on what else set it. With OpenBLAS
/// always single-threaded, every library result (λ_max(H(W0)) → η included) is the same for any
/// thread count, `--parallel`, core count or CPU affinity; ExpReg's own kernels split the work
/// among threads deterministically instead (``NeuronBlockKernel``). Nothing else in the process
/// may change OpenBLAS's thread count. Uncontended cost: one lock/unlock.
enum BLASGate {
    private static let lock = NSLock()
    /// Set once, before the first call (a Swift global initialiser runs exactly once, thread-safely).
    private static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// Runs `body` while holding the gate, OpenBLAS on one thread (not reentrant: never call a
    /// gated function inside).
    static func run<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        _ = singleThreaded
        return try body()
    }
}
