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
    /// - Parameters:
    ///   - w: hidden weights, row-major m × d (not transposed).
    ///   - threads: worker threads (at most 2 are used); BLAS runs single-threaded inside them.
    /// - Complexity: O(n·m·d + n²·m) time; n² + 2·n·blockWidth extra doubles (16 MiB at n = 1024).
    public static func derivativeGram(activation: Activation, x: UnsafePointer<Double>, n: Int, d: Int,
                                      w: UnsafePointer<Double>, m: Int, scale: Double,
                                      into s: UnsafeMutablePointer<Double>, threads: Int, blockWidth: Int = 512) {
        precondition(n >= 1 && d >= 1 && m >= 1 && threads >= 1 && blockWidth >= 1,
                     "NeuronBlockKernel.derivativeGram: bad sizes n=\(n) d=\(d) m=\(m)")
        let halves = 2
        // Half 0 accumulates straight into `s`, half 1 into one extra n × n buffer.
        let secondHalf = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * n)
        secondHalf.initialize(repeating: 0)
        let buffers = UnsafeMutableBufferPointer<Double>.allocate(capacity: halves * n * blockWidth)
        defer {
            secondHalf.deallocate()
            buffers.deallocate()
        }
        s.initialize(repeating: 0, count: n * n)
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
