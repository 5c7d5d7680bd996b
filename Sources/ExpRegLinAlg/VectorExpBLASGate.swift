internal import CBLAS
import Foundation

/// One process-wide lock around every OpenBLAS/LAPACK call made through ExpRegLinAlg.
///
/// ``NeuronBlockKernel`` runs its own worker threads with OpenBLAS switched to one thread for the
/// duration (`openblas_set_num_threads` is process-wide). Holding this lock for that whole window,
/// and around every other BLAS/LAPACK call of the module, means no call ever sees the temporary
/// thread count (threaded and single-threaded OpenBLAS round some routines, e.g. `dsymv` inside
/// `dsyevd`, differently) and no two callers race on setting it. Uncontended cost: one lock/unlock.
enum BLASGate {
    private static let lock = NSLock()

    /// Runs `body` while holding the gate (not reentrant: never call a gated function inside).
    static func run<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` under the gate with OpenBLAS set to one thread, restoring the count afterwards.
    /// Inside, call BLAS only through the `…Ungated` helpers of ``NeuronBlockKernel``.
    static func runSingleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        try run {
            let saved = openblas_get_num_threads()
            openblas_set_num_threads(1)
            defer { openblas_set_num_threads(saved) }
            return try body()
        }
    }
}
