internal import CBLAS
internal import CExpRegKernels
import Dispatch

/// Shared machinery of the blocked, threaded kernels (``StepPanels``, ``derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``):
/// the activation choice, the split of work among threads (static, or claimed from a shared
/// counter), and BLAS calls made while the caller already holds ``BLASGate``.
public enum NeuronBlockKernel {
    /// Activation of the fused forward pass.
    public enum Activation: Sendable {
        case exp
        case relu
    }

    /// Runs `body(0..<items)` on `workers` threads (each thread a contiguous run of items) and waits.
    static func runWorkers(_ workers: Int, _ items: Int, _ body: (Int) -> Void) {
        let workers = max(1, min(workers, items))
        runWorkers(workers) { worker in
            let (first, end) = range(of: worker, workers: workers, count: items)
            for item in first..<end { body(item) }
        }
    }

    /// Runs `body(worker, items)` on `workers` threads that claim runs of `step` items of
    /// 0..<`count` from a shared counter (atomic, on the stack: nothing is allocated) until none
    /// are left, and waits. A worker on a core slowed by other work simply claims fewer, so every
    /// item must give the same result whichever thread takes it.
    static func runClaiming(
        _ workers: Int, count: Int, step: Int = 1,
        _ body: (_ worker: Int, _ items: Range<Int>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 1) { counter in
            counter.initialize(repeating: 0)
            let next = counter.baseAddress!
            runWorkers(workers) { worker in
                while true {
                    let first = expreg_claim(next, step)
                    guard first < count else { break }
                    body(worker, first..<min(count, first + step))
                }
            }
        }
    }

    /// Neurons [first, end) of `worker`: contiguous, sizes differing by at most one.
    static func range(of worker: Int, workers: Int, count: Int) -> (Int, Int) {
        (count * worker / workers, count * (worker + 1) / workers)
    }

    /// Runs `body(0..<workers)` concurrently and waits, holding ``BLASGate`` (OpenBLAS is always
    /// single-threaded, so each worker's BLAS calls give the same numbers whatever `workers` is).
    /// Inside, call BLAS only through ``gemmUngated(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` and
    /// ``syrkUpperUngated(n:k:alpha:a:lda:beta:c:ldc:)``.
    static func runWorkers(_ workers: Int, _ body: (Int) -> Void) {
        guard workers > 1 else {
            BLASGate.run { body(0) }
            return
        }
        BLASGate.run {
            withoutActuallyEscaping(body) { body in
                let box = UncheckedSendableBox(body)
                DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
            }
        }
    }

    /// `cblas_dgemm` (row-major) for use inside ``runWorkers(_:_:)`` only (the gate is already held).
    static func gemmUngated(
        _ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transA.cblas, transB.cblas,
            blasint(Int32(m)), blasint(Int32(n)), blasint(Int32(k)), alpha, a, blasint(Int32(lda)), b,
            blasint(Int32(ldb)), beta, c, blasint(Int32(ldc)))
    }

    /// `cblas_dsyrk` (row-major, upper, no transpose) for use inside ``runWorkers(_:_:)`` only.
    static func syrkUpperUngated(
        n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(
            CblasRowMajor, CblasUpper, CblasNoTrans, blasint(Int32(n)), blasint(Int32(k)), alpha, a,
            blasint(Int32(lda)), beta, c, blasint(Int32(ldc)))
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; each worker touches disjoint memory.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
