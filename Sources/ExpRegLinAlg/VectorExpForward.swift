internal import CBLAS
internal import CExpRegKernels
import Dispatch

/// The two halves of a gradient-descent step of F(W, x) = Σ_r a_r act(⟨w_r, x⟩), blocked over
/// neurons and split over threads, with the activation fused into the forward GEMM's output.
///
/// Layout (all row-major): X is n × d, W is stored **transposed** as Wᵀ (d × m), Z is n × m, `aScaled` holds the m output
/// weights already scaled (a_r/√m). Neurons are cut into blocks of `blockWidth`; each thread owns
/// a contiguous range of blocks (a static split), calls single-threaded BLAS on it, and the
/// calling thread waits for all of them. The forward pass's outputs do not depend on `threads`.
public enum NeuronBlockKernel {
    /// Activation of the fused forward pass.
    public enum Activation: Sendable {
        case exp
        case relu
    }

    /// Default neurons per block for n points: about 2^17 doubles (1 MiB) of Z per block, so a
    /// block stays in L2/L3 between the GEMM that writes it and the fused pass that reads it,
    /// clamped to 128…1024 (fewer, larger GEMM calls repack X less often: at n = 256 a width of
    /// 512 ran ~25 % faster than 128; at n = 1024 widths 128–512 tie).
    public static func defaultBlockWidth(rows n: Int) -> Int {
        min(1024, max(128, (1 << 17) / max(1, n) / 8 * 8))
    }

    /// Doubles of scratch ``forward(activation:x:n:d:wt:m:aScaled:z:u:threads:blockWidth:scratch:)``
    /// needs: (n + 1)·⌈m / blockWidth⌉ (one column of partial sums of u and one maximum per block).
    public static func scratchCount(rows n: Int, width m: Int, blockWidth: Int) -> Int {
        (n + 1) * ((m + blockWidth - 1) / blockWidth)
    }

    /// Forward pass: Z = X Wᵀ (from the stored Wᵀ), then in one pass per block max |z|, D = act'(Z) ∘ a and u = act(Z) a.
    ///
    /// On return `z[i·m + r]` = a_r · act'(z_ir) (exp: a_r e^{z_ir}; relu: a_r 1[z_ir > 0]) and
    /// `u[i]` = Σ_r a_r act(z_ir). Returns max |z_ir| (NaN if any z is NaN).
    /// - Parameters:
    ///   - threads: worker threads (≥ 1); BLAS runs single-threaded inside them when > 1, and
    ///     its thread count is restored afterwards.
    ///   - blockWidth: neurons per block (≥ 1); `nil` = ``defaultBlockWidth(rows:)``.
    ///   - scratch: at least ``scratchCount(rows:width:blockWidth:)`` doubles for the per-block sums
    ///     and maxima, so a training loop allocates nothing per step; `nil` (or too small) = allocated
    ///     for this call.
    /// - Complexity: O(n·m·d) time; (n + 1)·⌈m / blockWidth⌉ doubles of scratch.
    public static func forward(activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
                               wt: UnsafePointer<Double>, m: Int, aScaled: UnsafePointer<Double>,
                               z: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>,
                               threads: Int, blockWidth: Int? = nil,
                               scratch: UnsafeMutableBufferPointer<Double>? = nil) -> Double {
        let blockWidth = blockWidth ?? defaultBlockWidth(rows: n)
        precondition(n >= 1 && d >= 1 && m >= 1 && threads >= 1 && blockWidth >= 1,
                     "NeuronBlockKernel.forward: bad sizes n=\(n) d=\(d) m=\(m) threads=\(threads) block=\(blockWidth)")
        let blocks = (m + blockWidth - 1) / blockWidth
        let workers = min(threads, blocks)
        // One column of partial sums per block (a grid fixed by blockWidth, not by the thread
        // count), added in block order: u is bitwise the same for every `threads`; then one
        // maximum per block. In the caller's scratch when it is large enough, else allocated here.
        let needed = scratchCount(rows: n, width: m, blockWidth: blockWidth)
        let owned = (scratch?.count ?? 0) >= needed ? nil : UnsafeMutableBufferPointer<Double>.allocate(capacity: needed)
        defer { owned?.deallocate() }
        let buffer = owned ?? scratch!
        buffer.baseAddress!.update(repeating: 0, count: needed)
        let sumsBase = buffer.baseAddress!
        let maxBase = sumsBase + n * blocks
        runWorkers(workers) { worker in
            let (firstBlock, endBlock) = range(of: worker, workers: workers, count: blocks)
            for block in firstBlock..<endBlock {
                let start = block * blockWidth
                let width = min(blockWidth, m - start)
                gemmUngated(.none, .none, m: n, n: width, k: d, alpha: 1, a: x, lda: d,
                          b: wt + start, ldb: m, beta: 0, c: z + start, ldc: m)
                switch activation {
                case .exp:
                    expreg_exp_forward_block(z + start, n, width, m, aScaled + start, sumsBase + block * n, maxBase + block)
                case .relu:
                    expreg_relu_forward_block(z + start, n, width, m, aScaled + start, sumsBase + block * n, maxBase + block)
                }
            }
        }
        for i in 0..<n { u[i] = 0 }
        for block in 0..<blocks {
            let column = sumsBase + block * n
            for i in 0..<n { u[i] += column[i] }
        }
        var largest = 0.0
        for block in 0..<blocks {
            let value = maxBase[block]
            if value.isNaN { return .nan }
            largest = max(largest, value)
        }
        return largest
    }

    /// Update: Wᵀ ← Wᵀ − η Rᵀ D with D = `z` (n × m, the forward pass's output), R = `xr` (n × d)
    /// and Wᵀ = `wt` (d × m), each worker doing its own columns (neurons) with one `dgemm`.
    /// (This orientation runs ~1.8× faster on OpenBLAS than W ← W − η Dᵀ R at d = 64, n = 1024.)
    /// - Complexity: O(n·m·d).
    public static func update(eta: Double, z: UnsafePointer<Double>, n: Int, m: Int, xr: UnsafePointer<Double>,
                              d: Int, wt: UnsafeMutablePointer<Double>, threads: Int) {
        precondition(n >= 1 && d >= 1 && m >= 1 && threads >= 1, "NeuronBlockKernel.update: bad sizes")
        let workers = min(threads, m)
        runWorkers(workers) { worker in
            let (first, end) = range(of: worker, workers: workers, count: m)
            guard end > first else { return }
            gemmUngated(.transpose, .none, m: d, n: end - first, k: n, alpha: -eta, a: xr, lda: d,
                      b: z + first, ldb: m, beta: 1, c: wt + first, ldc: m)
        }
    }

    /// Runs `body(0..<items)` on `workers` threads (each thread a contiguous run of items) and waits.
    static func runWorkers(_ workers: Int, _ items: Int, _ body: (Int) -> Void) {
        let workers = max(1, min(workers, items))
        runWorkers(workers) { worker in
            let (first, end) = range(of: worker, workers: workers, count: items)
            for item in first..<end { body(item) }
        }
    }

    /// Neurons [first, end) of `worker`: contiguous, sizes differing by at most one.
    static func range(of worker: Int, workers: Int, count: Int) -> (Int, Int) {
        (count * worker / workers, count * (worker + 1) / workers)
    }

    /// Runs `body(0..<workers)` concurrently and waits, holding ``BLASGate`` with OpenBLAS on one
    /// thread when `workers` > 1 (otherwise holding the gate with OpenBLAS's own threads).
    /// Inside, call BLAS only through ``gemmUngated(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` and
    /// ``syrkUpperUngated(n:k:alpha:a:lda:beta:c:ldc:)``.
    static func runWorkers(_ workers: Int, _ body: (Int) -> Void) {
        guard workers > 1 else {
            BLASGate.run { body(0) }
            return
        }
        BLASGate.runSingleThreaded {
            withoutActuallyEscaping(body) { body in
                let box = UncheckedSendableBox(body)
                DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
            }
        }
    }

    /// `cblas_dgemm` (row-major) for use inside ``runWorkers(_:_:)`` only (the gate is already held).
    static func gemmUngated(_ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas,
                    blasint(Int32(m)), blasint(Int32(n)), blasint(Int32(k)), alpha, a, blasint(Int32(lda)), b,
                    blasint(Int32(ldb)), beta, c, blasint(Int32(ldc)))
    }

    /// `cblas_dsyrk` (row-major, upper, no transpose) for use inside ``runWorkers(_:_:)`` only.
    static func syrkUpperUngated(n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double,
                                 c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(Int32(n)), blasint(Int32(k)), alpha, a,
                    blasint(Int32(lda)), beta, c, blasint(Int32(ldc)))
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; each worker touches disjoint memory.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
