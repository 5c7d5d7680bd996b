internal import CExpRegKernels

extension NeuronBlockKernel {
    /// The Gram matrix of the activation derivatives, S = scale · D Dᵀ with D = act'(X Wᵀ) (n × m),
    /// without ever holding D: neurons are taken `blockWidth` at a time (D_b is n × blockWidth),
    /// and each block adds D_b D_bᵀ to the upper triangle with one `dsyrk` (beta = 1).
    ///
    /// Output: the upper triangle (j ≥ i) of `s` (n × n, row-major) holds S; the strict lower
    /// triangle is set to 0.
    /// The result does not depend on `threads`: blocks are summed into two fixed halves, added last.
    /// exp: D = e^Z (same kernel as ``VectorMath/expInPlace(_:)``); relu: D = 1[Z > 0] (NaN stays NaN).
    /// Two paths, agreeing to rounding: ``StepPanels/Path/avx512`` computes each block's D_bᵀ with
    /// the fused forward kernel (neurons as rows, points as 24-wide panels) and adds D_b D_bᵀ with
    /// ExpReg's 8 × 24 tile kernel; ``StepPanels/Path/blas`` uses `dgemm`, the exp kernel and `dsyrk`.
    /// - Parameters:
    ///   - w: hidden weights, row-major m × d (not transposed).
    ///   - threads: worker threads (at most 2 are used); BLAS runs single-threaded inside them.
    ///   - path: the kernels (the default is the fastest this CPU runs).
    /// - Complexity: O(n·m·d + n²·m) time; n² + 2·n·blockWidth extra doubles (16 MiB at n = 1024).
    public static func derivativeGram(activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
                                      w: UnsafePointer<Double>, m: Int, scale: Double,
                                      into s: UnsafeMutablePointer<Double>, threads: Int, blockWidth: Int = 512,
                                      path: StepPanels.Path = .best) {
        precondition(n >= 1 && d >= 1 && m >= 1 && threads >= 1 && blockWidth >= 1,
                     "NeuronBlockKernel.derivativeGram: bad sizes n=\(n) d=\(d) m=\(m)")
        precondition(path.isAvailable, "NeuronBlockKernel.derivativeGram: path \(path) is not available")
        let halves = 2
        // Half 0 accumulates straight into `s`, half 1 into one extra n × n buffer.
        let secondHalf = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * n)
        secondHalf.initialize(repeating: 0)
        // The BLAS path's D_b per half (the AVX-512 path keeps its own, smaller, panels).
        let buffers = UnsafeMutableBufferPointer<Double>.allocate(capacity: path == .blas ? halves * n * blockWidth : 1)
        defer {
            secondHalf.deallocate()
            buffers.deallocate()
        }
        s.initialize(repeating: 0, count: n * n)
        let second = secondHalf.baseAddress!
        let bufferBase = buffers.baseAddress!
        let blocks = (m + blockWidth - 1) / blockWidth
        let panels = path == .avx512 ? GramPanels(x: x, n: n, d: d, blockWidth: blockWidth, halves: halves) : nil
        runWorkers(min(threads, halves), halves) { half in
            let accumulator = half == 0 ? s : second
            let derivative = bufferBase + half * n * blockWidth
            let (firstBlock, endBlock) = range(of: half, workers: halves, count: blocks)
            if let panels {
                for block in firstBlock..<endBlock {
                    let start = block * blockWidth
                    panels.addBlock(activation: activation, w: w + start * d, width: min(blockWidth, m - start),
                                    half: half, into: accumulator)
                }
                return
            }
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
        // The tile kernel adds unscaled products and writes some entries below the diagonal.
        let tileScale = path == .avx512 ? scale : 1
        for i in 0..<n {
            for j in 0..<i { s[i * n + j] = 0 }
            for j in i..<n { s[i * n + j] = (s[i * n + j] + second[i * n + j]) * tileScale }
        }
    }
}

/// The buffers of the AVX-512 path of ``NeuronBlockKernel/derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``,
/// one set per half: a block of W in 8-row tiles, its D_bᵀ in panels of 24 points, and scratch.
private final class GramPanels: @unchecked Sendable {  // each half touches only its own buffers
    let n: Int, d: Int, blockWidth: Int
    let rows: Int            // ⌈blockWidth/8⌉·8
    let xt: AlignedDoubles   // Xᵀ, d × n
    let ones: AlignedDoubles // the forward kernel's output weights: 1 for every point
    let packedW: [AlignedDoubles], panels: [AlignedDoubles], scratch: [AlignedDoubles]

    init(x: UnsafePointer<Double>, n: Int, d: Int, blockWidth: Int, halves: Int) {
        self.n = n
        self.d = d
        self.blockWidth = blockWidth
        let rows = (blockWidth + 7) / 8 * 8
        self.rows = rows
        xt = AlignedDoubles(count: d * n)
        for i in 0..<n { for k in 0..<d { xt.pointer[k * n + i] = x[i * d + k] } }
        ones = AlignedDoubles(count: n)
        ones.pointer.update(repeating: 1, count: n)
        let panelCount = StepPanels.panelCount(width: n), panelWidth = StepPanels.panelWidth
        packedW = (0..<halves).map { _ in AlignedDoubles(count: rows * d) }
        panels = (0..<halves).map { _ in AlignedDoubles(count: panelCount * rows * panelWidth) }
        // lanes (rows·8), a panel of Xᵀ (24·d), row sums (rows), one maximum
        scratch = (0..<halves).map { _ in AlignedDoubles(count: rows * 8 + panelWidth * d + rows + 8) }
    }

    /// accumulator's upper triangle += D_b D_bᵀ for the `width` neurons at `w` (row-major width × d).
    func addBlock(activation: NeuronBlockKernel.Activation, w: UnsafePointer<Double>, width: Int, half: Int,
                  into accumulator: UnsafeMutablePointer<Double>) {
        let blockRows = (width + 7) / 8 * 8
        let scratch = scratch[half].pointer
        let lanes = scratch, panel = scratch + rows * 8, sums = panel + StepPanels.panelWidth * d
        let maximum = sums + rows
        expreg_pack_row_tiles(w, width, d, packedW[half].pointer)
        expreg_forward_panels_avx512(activation == .relu ? 1 : 0, packedW[half].pointer, width, d, xt.pointer, n, n,
                                     ones.pointer, 0, StepPanels.panelCount(width: n), panels[half].pointer, 0,
                                     sums, maximum, lanes, panel)
        expreg_gram_panels_avx512(panels[half].pointer, blockRows, width, n, accumulator, n)
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
