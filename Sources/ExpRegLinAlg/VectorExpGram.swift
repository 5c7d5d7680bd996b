internal import CExpRegKernels

extension NeuronBlockKernel {
    /// The Gram matrix of the activation derivatives, S = scale · D Dᵀ with D = act'(X Wᵀ) (n × m),
    /// without ever holding D: neurons are taken `blockWidth` at a time (D_b is n × blockWidth).
    ///
    /// Output: the upper triangle (j ≥ i) of `s` (n × n, row-major) holds S; the strict lower
    /// triangle is set to 0. The result does not depend on `threads`.
    /// exp: D = e^Z (same kernel as ``VectorMath/expInPlace(_:)``); relu: D = 1[Z > 0] (NaN stays NaN).
    ///
    /// Two paths, agreeing to rounding:
    /// - ``StepPanels/Path/avx512``: blocks in order; for each, the workers claim 24-point panels of
    ///   D_bᵀ (the fused forward kernel with neurons as rows), then claim row tiles of S and add
    ///   D_b D_bᵀ there with ExpReg's 8 × 24 tile kernel. Every tile of S is written by one worker
    ///   per block, so S is one buffer and its sums run in block order whoever does the work.
    /// - ``StepPanels/Path/blas``: two fixed halves of the blocks, each with `dgemm`, the exp kernel
    ///   and `dsyrk` into its own accumulator, added last.
    /// - Parameters:
    ///   - w: hidden weights, row-major m × d (not transposed).
    ///   - threads: worker threads (blas: at most 2 are used); BLAS runs single-threaded inside them.
    ///   - path: the kernels (the default is the fastest this CPU runs).
    /// - Complexity: O(n·m·d + n²·m) time; avx512: about 1.1·n·blockWidth extra doubles, blas:
    ///   n² + 2·n·blockWidth (16 MiB at n = 1024).
    public static func derivativeGram(activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
                                      w: UnsafePointer<Double>, m: Int, scale: Double,
                                      into s: UnsafeMutablePointer<Double>, threads: Int, blockWidth: Int = 512,
                                      path: StepPanels.Path = .best) {
        precondition(n >= 1 && d >= 1 && m >= 1 && threads >= 1 && blockWidth >= 1,
                     "NeuronBlockKernel.derivativeGram: bad sizes n=\(n) d=\(d) m=\(m)")
        precondition(path.isAvailable, "NeuronBlockKernel.derivativeGram: path \(path) is not available")
        s.initialize(repeating: 0, count: n * n)
        switch path {
        case .avx512:
            GramPanels(x: x, n: n, d: d, blockWidth: blockWidth, workers: threads)
                .accumulate(activation: activation, w: w, m: m, into: s)
        case .blas:
            derivativeGramBLAS(activation: activation, x: x, n: n, d: d, w: w, m: m, scale: scale, into: s,
                               threads: threads, blockWidth: blockWidth)
        }
        // The tile kernel adds unscaled products and writes some entries below the diagonal.
        let tileScale = path == .avx512 ? scale : 1
        for i in 0..<n {
            for j in 0..<i { s[i * n + j] = 0 }
            if tileScale != 1 { for j in i..<n { s[i * n + j] *= tileScale } }
        }
    }

    /// The BLAS path of ``derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``
    /// into the zeroed `s`: two fixed halves of the blocks, the second into its own n × n buffer.
    private static func derivativeGramBLAS(activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
                                           w: UnsafePointer<Double>, m: Int, scale: Double,
                                           into s: UnsafeMutablePointer<Double>, threads: Int, blockWidth: Int) {
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
                gemmUngated(.none, .transpose, m: n, n: width, k: d, alpha: 1, a: x, lda: d,
                          b: w + start * d, ldb: d, beta: 0, c: derivative, ldc: width)
                switch activation {
                case .exp:
                    expreg_exp_inplace(derivative, n * width)
                case .relu:
                    for k in 0..<(n * width) {
                        let z = derivative[k]
                        derivative[k] = z > 0 ? 1 : (z.isNaN ? .nan : 0)
                    }
                }
                syrkUpperUngated(n: n, k: width, alpha: scale, a: derivative, lda: width, beta: 1,
                               c: accumulator, ldc: n)
            }
        }
        for i in 0..<n {
            for j in i..<n { s[i * n + j] += second[i * n + j] }
        }
    }
}

/// The AVX-512 path of ``NeuronBlockKernel/derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``:
/// Xᵀ, one block of W in 8-row tiles, that block's D_bᵀ in panels of 24 points, and per-worker scratch.
private final class GramPanels: @unchecked Sendable {  // workers write disjoint panels and disjoint tiles of S
    let n: Int, d: Int, blockWidth: Int, workers: Int
    let rows: Int            // ⌈blockWidth/8⌉·8
    let pointPanels: Int     // ⌈n/24⌉
    let xt: AlignedDoubles   // Xᵀ, d × n
    let ones: AlignedDoubles // the forward kernel's output weights: 1 for every point
    let packedW: AlignedDoubles, panels: AlignedDoubles
    let scratch: [AlignedDoubles]  // per worker: lanes (rows·8), a panel of Xᵀ (24·d), row sums (rows), a maximum

    init(x: UnsafePointer<Double>, n: Int, d: Int, blockWidth: Int, workers: Int) {
        let rows = (blockWidth + 7) / 8 * 8, pointPanels = StepPanels.panelCount(width: n)
        let panelWidth = StepPanels.panelWidth, workers = max(1, workers)
        self.n = n
        self.d = d
        self.blockWidth = blockWidth
        self.workers = workers
        self.rows = rows
        self.pointPanels = pointPanels
        xt = AlignedDoubles(count: d * n)
        for i in 0..<n { for k in 0..<d { xt.pointer[k * n + i] = x[i * d + k] } }
        ones = AlignedDoubles(count: n)
        ones.pointer.update(repeating: 1, count: n)
        packedW = AlignedDoubles(count: rows * d)
        panels = AlignedDoubles(count: pointPanels * rows * panelWidth)
        scratch = (0..<workers).map { _ in AlignedDoubles(count: rows * 8 + panelWidth * d + rows + 8) }
    }

    /// s's upper triangle += D Dᵀ (unscaled) for W (row-major m × d), block by block in order.
    func accumulate(activation: NeuronBlockKernel.Activation, w: UnsafePointer<Double>, m: Int,
                    into s: UnsafeMutablePointer<Double>) {
        let rowTiles = (n + 7) / 8
        var start = 0
        while start < m {
            let width = min(blockWidth, m - start)
            expreg_pack_tiles8(w + start * d, width, d, d, 1, packedW.pointer)
            NeuronBlockKernel.runClaiming(workers, count: pointPanels, step: 4) { worker, points in  // D_bᵀ
                forward(panels: points, width: width, activation, worker)
            }
            NeuronBlockKernel.runClaiming(workers, count: rowTiles, step: 4) { _, tiles in  // S += D_b D_bᵀ
                expreg_gram_panels_avx512(panels.pointer, (width + 7) / 8 * 8, width, n, s, n, tiles.lowerBound,
                                          tiles.upperBound)
            }
            start += width
        }
    }

    /// D_bᵀ for the points of `range` (panels of 24), by `worker` (its own scratch).
    private func forward(panels range: Range<Int>, width: Int, _ activation: NeuronBlockKernel.Activation,
                         _ worker: Int) {
        let lanes = scratch[worker].pointer, panelOfXt = lanes + rows * 8
        let sums = panelOfXt + StepPanels.panelWidth * d, maximum = sums + rows
        expreg_forward_panels_avx512(activation == .relu ? 1 : 0, packedW.pointer, width, d, xt.pointer, n, n,
                                     ones.pointer, range.lowerBound, range.upperBound, panels.pointer, 0, sums, maximum,
                                     lanes, panelOfXt)
    }
}

extension NeuronBlockKernel {
    /// H ← (X Xᵀ) ∘ H on the upper triangle of the n × n row-major `h`, then H's lower triangle
    /// ← its upper one (a full symmetric matrix on return).
    ///
    /// X Xᵀ is formed 128 rows at a time with `dgemm` (a 128 × n buffer, not a second n × n matrix).
    /// - Parameters:
    ///   - x: row-major n × d.
    /// - Complexity: O(n²·d) time, 128·n extra doubles.
    public static func multiplyByInnerProducts(_ h: UnsafeMutablePointer<Double>, x: UnsafePointer<Double>, n: Int, d: Int) {
        precondition(n >= 1 && d >= 1, "NeuronBlockKernel.multiplyByInnerProducts: n = \(n), d = \(d)")
        let tileRows = 128
        let tile = UnsafeMutableBufferPointer<Double>.allocate(capacity: tileRows * n)
        defer { tile.deallocate() }
        let t = tile.baseAddress!
        var first = 0
        while first < n {
            let rows = min(tileRows, n - first)
            let columns = n - first
            // t[r, c] = <x_{first+r}, x_{first+c}> for c >= 0
            BLAS.gemm(.none, .transpose, m: rows, n: columns, k: d, alpha: 1, a: x + first * d, lda: d,
                      b: x + first * d, ldb: d, beta: 0, c: t, ldc: columns)
            for r in 0..<rows {
                let i = first + r
                let row = h + i * n
                let inner = t + r * columns - first
                for j in i..<n { row[j] *= inner[j] }
            }
            first += rows
        }
        BLAS.symmetrizeFromUpper(h, n: n)
    }
}
