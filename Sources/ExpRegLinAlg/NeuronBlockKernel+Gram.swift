internal import CExpRegKernels

extension NeuronBlockKernel {
    /// The Gram matrix of the activation derivatives, S = scale · D Dᵀ with D = act'(X Wᵀ) (n × m),
    /// without ever holding D: neurons are taken `blockWidth` at a time (D_b is n × blockWidth).
    ///
    /// Output: the upper triangle (j ≥ i) of `s` (n × n, row-major) holds S; the strict lower
    /// triangle is set to 0. The result does not depend on `threads`.
    /// exp: D = e^Z (the path's exp kernel, ``KernelPath/expKernel``); relu: D = 1[Z > 0] (NaN stays NaN).
    ///
    /// Two paths, agreeing to rounding:
    /// - ``KernelPath/avx512``: blocks in order (``GramTiles``); for each, the workers claim
    ///   24-point panels of D_bᵀ (the forward kernel's plain mode with neurons as rows), then claim
    ///   row tiles of S and add D_b D_bᵀ there with ExpReg's tile kernel. Every tile of S is written
    ///   by one worker per block, so S is one buffer and its sums run in block order whoever does
    ///   the work.
    /// - ``KernelPath/avx2``, ``KernelPath/generic``: two fixed halves of the blocks, each with
    ///   `dgemm`, the path's exp kernel and `dsyrk` into its own accumulator, added last.
    /// - Parameters:
    ///   - w: hidden weights, row-major m × d (not transposed).
    ///   - threads: worker threads (blas: at most 2 are used); OpenBLAS runs single-threaded inside
    ///     them, even for one, so the result does not depend on `threads`.
    ///   - path: the kernels (the default is the fastest this CPU runs).
    /// - Complexity: O(n·m·d + n²·m) time; avx512: about 1.1·n·min(blockWidth, m) extra doubles
    ///   (9 MiB at n = 1024; blocks of 1024 neurons make the workers wait for each other half as
    ///   often as 512 at the same kernel speed), blas: n² + 2·n·min(blockWidth, m) (24 MiB at n = 1024).
    public static func derivativeGram(
        activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
        w: UnsafePointer<Double>, m: Int, scale: Double,
        into s: UnsafeMutablePointer<Double>, threads: Int, blockWidth: Int = 1024,
        path: StepPanels.Path = .best
    ) {
        let remainingScale = accumulateDerivativeGram(
            activation: activation, x: x, n: n, d: d, w: w, m: m,
            scale: scale, into: s, threads: threads,
            blockWidth: blockWidth, path: path)
        // The tile kernel writes some entries below the diagonal and never the rest.
        for i in 0..<n {
            for j in 0..<i { s[i * n + j] = 0 }
            if remainingScale != 1 { for j in i..<n { s[i * n + j] *= remainingScale } }
        }
    }

    /// The empirical Gram H = (X Xᵀ) ∘ (D Dᵀ) / m with D = act'(X Wᵀ) (n × m, never held), the full
    /// symmetric n × n matrix (row-major) into `h`, which may be uninitialised memory.
    ///
    /// ``derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``'s accumulation
    /// followed by one threaded pass (``multiplyByInnerProducts(_:x:n:d:scale:threads:)``) that
    /// scales, multiplies by X Xᵀ and mirrors: no separate zeroing or scaling pass over `h`.
    /// - Parameters:
    ///   - x: row-major n × d; w: row-major m × d.
    ///   - threads: worker threads.
    /// - Complexity: O(n·m·d + n²·m + n²·d) time; extra memory as `derivativeGram` plus 128·n
    ///   doubles per thread.
    public static func empiricalGram(
        activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
        w: UnsafePointer<Double>, m: Int, into h: UnsafeMutablePointer<Double>,
        threads: Int, blockWidth: Int = 1024, path: StepPanels.Path = .best
    ) {
        let scale = 1 / Double(m)
        let remainingScale = accumulateDerivativeGram(
            activation: activation, x: x, n: n, d: d, w: w, m: m,
            scale: scale, into: h, threads: threads,
            blockWidth: blockWidth, path: path)
        multiplyByInnerProducts(h, x: x, n: n, d: d, scale: remainingScale, threads: threads)
    }

    /// The upper triangle of D Dᵀ into `s` (which may be uninitialised; entries below the diagonal
    /// are left unspecified), scaled by `scale` on the BLAS path only.
    /// - Returns: the factor still to apply: `scale` on the AVX-512 path (its tile kernel adds
    ///   unscaled products), 1 on the BLAS path.
    private static func accumulateDerivativeGram(
        activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
        w: UnsafePointer<Double>, m: Int, scale: Double,
        into s: UnsafeMutablePointer<Double>, threads: Int,
        blockWidth: Int, path: StepPanels.Path
    ) -> Double {
        precondition(
            n >= 1 && d >= 1 && m >= 1 && threads >= 1 && blockWidth >= 1,
            "NeuronBlockKernel.derivativeGram: bad sizes n=\(n) d=\(d) m=\(m)")
        precondition(path.isAvailable, "NeuronBlockKernel.derivativeGram: path \(path) is not available")
        switch path {
        case .avx512:
            // The first block stores rather than adds, so `s` needs no zeroing pass, and its pages are
            // first touched by the workers, in parallel.
            GramPanels(x: x, n: n, d: d, blockWidth: min(blockWidth, m), workers: threads)
                .accumulate(activation: activation, w: w, m: m, into: s)
            return scale
        case .avx2, .generic:
            s.initialize(repeating: 0, count: n * n)
            derivativeGramBLAS(
                activation: activation, x: x, n: n, d: d, w: w, m: m, scale: scale, into: s,
                threads: threads, blockWidth: min(blockWidth, m), path: path)
            return 1
        }
    }

    /// The BLAS path of ``derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``
    /// into the zeroed `s`: two fixed halves of the blocks, the second into its own n × n buffer.
    private static func derivativeGramBLAS(
        activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
        w: UnsafePointer<Double>, m: Int, scale: Double,
        into s: UnsafeMutablePointer<Double>, threads: Int, blockWidth: Int,
        path: StepPanels.Path
    ) {
        let halves = 2
        let secondHalf = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * n)
        secondHalf.initialize(repeating: 0)
        let buffers = UnsafeMutableBufferPointer<Double>.allocate(capacity: halves * n * blockWidth)
        defer {
            secondHalf.deallocate()
            buffers.deallocate()
        }
        let second = secondHalf.baseAddress!
        let bufferBase = buffers.baseAddress!
        let blocks = (m + blockWidth - 1) / blockWidth
        runWorkers(min(threads, halves), halves) { half in
            let accumulator = half == 0 ? s : second
            let derivative = bufferBase + half * n * blockWidth
            let (firstBlock, endBlock) = range(of: half, workers: halves, count: blocks)
            for block in firstBlock..<endBlock {
                let start = block * blockWidth
                let width = min(blockWidth, m - start)
                gemmUngated(
                    .none, .transpose, m: n, n: width, k: d, alpha: 1, a: x, lda: d,
                    b: w + start * d, ldb: d, beta: 0, c: derivative, ldc: width)
                switch activation {
                case .exp:
                    expreg_exp_inplace_with(path.expKernel.cKernel, derivative, n * width)
                case .relu:
                    for k in 0..<(n * width) {
                        let z = derivative[k]
                        derivative[k] = z > 0 ? 1 : (z.isNaN ? .nan : 0)
                    }
                }
                syrkUpperUngated(
                    n: n, k: width, alpha: scale, a: derivative, lda: width, beta: 1,
                    c: accumulator, ldc: n)
            }
        }
        for i in 0..<n {
            for j in i..<n { s[i * n + j] += second[i * n + j] }
        }
    }
}

/// The AVX-512 path of ``NeuronBlockKernel/derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``:
/// Xᵀ, one block of W in 8-row tiles, per-worker scratch, and ``GramTiles`` for that block's D_bᵀ.
private final class GramPanels: @unchecked Sendable {  // workers write disjoint panels (see GramTiles)
    let n: Int, d: Int, blockWidth: Int, workers: Int
    let xt: AlignedDoubles  // Xᵀ, d × n
    let packedW: AlignedDoubles
    let scratch: [AlignedDoubles]  // per worker: a panel of Xᵀ (24·d)
    let tiles: GramTiles

    init(x: UnsafePointer<Double>, n: Int, d: Int, blockWidth: Int, workers: Int) {
        let workers = max(1, workers)
        self.n = n
        self.d = d
        self.blockWidth = blockWidth
        self.workers = workers
        xt = AlignedDoubles(count: d * n)
        for i in 0..<n { for k in 0..<d { xt.pointer[k * n + i] = x[i * d + k] } }
        packedW = AlignedDoubles(count: (blockWidth + 7) / 8 * 8 * d)
        scratch = (0..<workers).map { _ in AlignedDoubles(count: StepPanels.panelWidth * d) }
        tiles = GramTiles(n: n, maxBlockWidth: blockWidth, workers: workers)
    }

    /// s's upper triangle = D Dᵀ (unscaled) for W (row-major m × d), block by block in order (the
    /// first block writes, the others add; `s` may be uninitialised).
    func accumulate(
        activation: NeuronBlockKernel.Activation, w: UnsafePointer<Double>, m: Int,
        into s: UnsafeMutablePointer<Double>
    ) {
        let widths = stride(from: 0, to: m, by: blockWidth).map { min(blockWidth, m - $0) }
        let relu: Int32 = activation == .relu ? 1 : 0
        tiles.accumulate(
            blockWidths: widths, into: s,
            prepare: { block in
                let start = block * blockWidth
                expreg_pack_tiles8(w + start * d, widths[block], d, d, 1, packedW.pointer)
            },
            fill: { block, points, worker in
                // D_bᵀ = act'(W_b Xᵀ): the forward kernel's plain mode, neurons as rows, points as columns.
                expreg_forward_panels_avx512(
                    relu, packedW.pointer, widths[block], d, xt.pointer, n, n, nil,
                    points.lowerBound, points.upperBound, tiles.panels.pointer, 0, nil, nil,
                    nil, scratch[worker].pointer)
            })
    }
}

extension NeuronBlockKernel {
    /// H ← scale · (X Xᵀ) ∘ H on the upper triangle of the n × n row-major `h` (j ≥ i), then H's
    /// lower triangle ← its upper one: a full symmetric matrix on return (the lower triangle is
    /// only written, so it may hold anything before).
    ///
    /// X Xᵀ is formed 128 rows at a time with `dgemm` (a 128 × n tile per worker, not a second n × n
    /// matrix); workers claim row tiles. A worker mirrors its own rows' upper entries into the columns
    /// below them, which no other worker touches, so threads never write the same entry.
    /// - Parameters:
    ///   - x: row-major n × d.
    ///   - threads: worker threads (OpenBLAS runs single-threaded inside them).
    /// - Complexity: O(n²·d) time, 128·n extra doubles per worker.
    public static func multiplyByInnerProducts(
        _ h: UnsafeMutablePointer<Double>, x: UnsafePointer<Double>, n: Int,
        d: Int, scale: Double = 1, threads: Int = 1
    ) {
        precondition(
            n >= 1 && d >= 1 && threads >= 1,
            "NeuronBlockKernel.multiplyByInnerProducts: n = \(n), d = \(d), threads = \(threads)")
        let tileRows = 128
        let tiles = (n + tileRows - 1) / tileRows
        let workers = min(threads, tiles)
        let buffers = UnsafeMutableBufferPointer<Double>.allocate(capacity: workers * tileRows * n)
        defer { buffers.deallocate() }
        let base = buffers.baseAddress!
        func multiply(worker: Int, claimed: Range<Int>) {
            let t = base + worker * tileRows * n
            for tile in claimed {
                let first = tile * tileRows
                let rows = min(tileRows, n - first)
                let columns = n - first
                // t[r, c] = <x_{first+r}, x_{first+c}> for c >= 0
                gemmUngated(
                    .none, .transpose, m: rows, n: columns, k: d, alpha: scale, a: x + first * d, lda: d,
                    b: x + first * d, ldb: d, beta: 0, c: t, ldc: columns)
                for r in 0..<rows {
                    let i = first + r
                    let row = h + i * n
                    let inner = t + r * columns - first
                    for j in i..<n { row[j] *= inner[j] }
                }
                // Mirror: row j (below the tile) gets its columns first..<first+rows, one contiguous
                // run per row, read from the tile's rows (128 cache lines, reused for 8 rows j).
                for j in (first + 1)..<n {
                    let target = h + j * n
                    for i in first..<min(first + rows, j) { target[i] = h[i * n + j] }
                }
            }
        }
        runClaiming(workers, count: tiles) { worker, claimed in
            multiply(worker: worker, claimed: claimed)
        }
    }
}
