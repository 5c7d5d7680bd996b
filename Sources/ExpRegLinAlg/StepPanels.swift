internal import CBLAS
internal import CExpRegKernels

/// The two GEMMs of a gradient-descent step of F(W, x) = Σ_r a_r act(⟨w_r, x⟩), with the
/// activation fused into the forward pass and D = act'(Z) ∘ a kept in **panels of 24 neurons**.
///
/// Shapes: X is n × d (row-major), Wᵀ is d × m (row-major, row stride m), `aScaled` holds the m
/// output weights already scaled (a_r/√m). With ``paddedRows`` = ⌈n/8⌉·8, panel p is the
/// row-major ``paddedRows`` × 24 block of D for neurons 24p … 24p + 23, at offset
/// p · paddedRows · 24: D[i, r] sits at `(p · paddedRows + i) · 24 + (r − 24p)`. Each GEMM then
/// streams through contiguous memory, and the forward pass writes D once (non-temporal stores
/// when D is larger than the caches) and never holds Z.
///
/// The paths give the same layout and agree to rounding:
/// - ``KernelPath/avx512``: ExpReg's own AVX-512 kernels (8 × 24 register tiles, exp in the forward
///   GEMM's epilogue, X packed once); 1.3–1.5× the speed of OpenBLAS 0.3.21 on these thin GEMMs
///   (measured on the 2-core AVX-512 machine).
/// - ``KernelPath/avx2``: ExpReg's own AVX2 + FMA kernels, the same structure (8 × 6 register
///   tiles, the 4-lane table exp in the forward GEMM's epilogue, X packed once); no OpenBLAS, so
///   the results are the same on every AVX2 machine.
/// - ``KernelPath/generic``: one single-threaded OpenBLAS `dgemm` per panel and the fused exp/relu
///   pass with the portable exp kernel (``KernelPath/expKernel``).
///
/// Threads: panels are grouped into blocks (a grid fixed by ``panelsPerBlock``, never by the
/// machine); worker threads take blocks from a shared counter, so a core slowed by other work
/// takes fewer (OpenBLAS runs single-threaded inside). u is summed per block and the blocks are
/// added in order, so every output is bitwise independent of the thread count and of which
/// thread did what.
///
/// An instance owns its buffers (about n·m + 2·n·d doubles) and is confined to one task.
public final class StepPanels {
    /// Which kernels run the two GEMMs and the exp (see ``KernelPath``).
    public typealias Path = KernelPath

    /// Neurons per panel.
    public static let panelWidth = Int(EXPREG_PANEL_WIDTH)

    /// Default panels per block for width m: m/384 clamped to 1…16 (about 16–43 blocks for
    /// m ≥ 6144; it depends on m only, so results never depend on the machine).
    public static func defaultPanelsPerBlock(width m: Int) -> Int {
        min(16, max(1, panelCount(width: m) / 16))
    }

    /// ⌈m / 24⌉.
    public static func panelCount(width m: Int) -> Int { (m + panelWidth - 1) / panelWidth }

    public let n: Int
    public let d: Int
    public let m: Int
    public let activation: NeuronBlockKernel.Activation
    public let path: Path
    /// ⌈n/8⌉·8, the rows of a panel.
    public let paddedRows: Int
    /// ⌈m/24⌉.
    public let panelCount: Int

    private let x: AlignedDoubles  // X, n × d (row-major; generic path only)
    private let packedX: AlignedDoubles  // X in 8-row tiles (avx512 and avx2 paths)
    private let panels: AlignedDoubles  // D ∘ a in panels
    private let packedR: AlignedDoubles  // diag(r) X in 8-column tiles (avx512 and avx2 updates)
    private var blockSums = AlignedDoubles(count: 0)  // n per block, then one maximum per block
    private var workerScratch: [AlignedDoubles] = []  // per worker: lanes (paddedRows·8), then a Wᵀ panel (24·d)
    private let streamStores: Bool
    private let own: OwnStepKernels?  // the avx512 or avx2 kernels; nil on generic (OpenBLAS per panel)

    /// Copies X (n × d, row-major) and allocates the panels for width m.
    /// - Precondition: n, d, m ≥ 1, `path.isAvailable`.
    public init(
        x source: UnsafePointer<Double>, n: Int, d: Int, m: Int,
        activation: NeuronBlockKernel.Activation, path: Path = .best
    ) {
        precondition(n >= 1 && d >= 1 && m >= 1, "StepPanels: bad sizes n=\(n) d=\(d) m=\(m)")
        precondition(path.isAvailable, "StepPanels: path \(path) is not available on this CPU")
        self.n = n
        self.d = d
        self.m = m
        self.activation = activation
        self.path = path
        own = OwnStepKernels(path)
        paddedRows = (n + 7) / 8 * 8
        panelCount = Self.panelCount(width: m)
        x = AlignedDoubles(count: path == .generic ? n * d : 0)
        if path == .generic { x.pointer.update(from: source, count: n * d) }
        packedX = AlignedDoubles(count: path != .generic ? paddedRows * d : 0)
        if path != .generic { expreg_pack_tiles8(source, n, d, d, 1, packedX.pointer) }
        panels = AlignedDoubles(count: panelCount * paddedRows * Self.panelWidth)
        packedR = AlignedDoubles(count: path != .generic ? (d + 7) / 8 * 8 * n : 0)
        // Non-temporal stores only when D would not stay in the last-level cache anyway.
        streamStores = panels.count * MemoryLayout<Double>.size > 16 << 20
    }

    /// D[i, r] ∘ a_r/√m of the most recent ``forward(wt:aScaled:u:threads:panelsPerBlock:)`` (i < n, r < m).
    public func derivative(row i: Int, neuron r: Int) -> Double {
        precondition(i >= 0 && i < n && r >= 0 && r < m, "StepPanels.derivative: (\(i), \(r)) out of range")
        let p = r / Self.panelWidth
        return panels.pointer[(p * paddedRows + i) * Self.panelWidth + r - p * Self.panelWidth]
    }

    /// Forward pass: D ∘ a into the panels, `u[i]` = Σ_r a_r act(z_ir); returns max |z_ir|
    /// (NaN if any z is NaN).
    ///
    /// - Parameters:
    ///   - wt: Wᵀ, d × m row-major.
    ///   - aScaled: m output weights (a_r/√m).
    ///   - u: n outputs, overwritten.
    ///   - threads: worker threads (≥ 1).
    ///   - panelsPerBlock: the summation grid of u (≥ 1); `nil` = ``defaultPanelsPerBlock(width:)``.
    /// - Complexity: O(n·m·d); allocates only when a larger thread count or finer grid is first used.
    public func forward(
        wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>, u: UnsafeMutablePointer<Double>,
        threads: Int, panelsPerBlock: Int? = nil
    ) -> Double {
        let perBlock = max(1, panelsPerBlock ?? Self.defaultPanelsPerBlock(width: m))
        let blocks = (panelCount + perBlock - 1) / perBlock
        let workers = max(1, min(threads, blocks))
        prepareScratch(blocks: blocks, workers: workers)
        let sums = blockSums.pointer
        let maxima = sums + n * blocks
        sums.update(repeating: 0, count: (n + 1) * blocks)
        NeuronBlockKernel.runClaiming(workers, count: blocks) { worker, claimed in
            let block = claimed.lowerBound
            let first = block * perBlock
            let end = min(panelCount, first + perBlock)
            forwardPanels(
                first..<end, wt: wt, aScaled: aScaled, sums: sums + block * n,
                maximum: maxima + block, worker: worker)
        }
        for i in 0..<n { u[i] = 0 }
        var largest = 0.0
        for block in 0..<blocks {
            let column = sums + block * n
            for i in 0..<n { u[i] += column[i] }
            if maxima[block].isNaN { largest = .nan }
            if !largest.isNaN { largest = max(largest, maxima[block]) }
        }
        return largest
    }

    /// Update: Wᵀ ← Wᵀ − η Rᵀ D with R = `xr` = diag(r) X (n × d) and D the panels of the last forward pass.
    /// Workers take runs of 8 panels from a shared counter; each column is computed by one call with
    /// the same arithmetic, so Wᵀ does not depend on `threads`.
    /// - Complexity: O(n·m·d).
    public func update(eta: Double, xr: UnsafePointer<Double>, wt: UnsafeMutablePointer<Double>, threads: Int) {
        let workers = max(1, min(threads, panelCount))
        if path != .generic { expreg_pack_tiles8(xr, d, n, 1, d, packedR.pointer) }
        NeuronBlockKernel.runClaiming(workers, count: panelCount, step: 8) { _, panels in
            updatePanels(panels, eta: eta, xr: xr, wt: wt)
        }
    }

    /// The update for the panels in `range` (one worker's claim).
    private func updatePanels(
        _ range: Range<Int>, eta: Double, xr: UnsafePointer<Double>,
        wt: UnsafeMutablePointer<Double>
    ) {
        if let own {
            own.update(packedR.pointer, n, d, panels.pointer, -eta, wt, m, m, range.lowerBound, range.upperBound)
            return
        }
        for p in range {
            let start = p * Self.panelWidth
            NeuronBlockKernel.gemmUngated(
                .transpose, .none, m: d, n: min(Self.panelWidth, m - start), k: n,
                alpha: -eta, a: xr, lda: d, b: panel(p), ldb: Self.panelWidth,
                beta: 1, c: wt + start, ldc: m)
        }
    }

    /// ∇ = Dᵀ R (m × d, row-major) into `gradient`, R = `xr` (n × d). For tests and diagnostics.
    public func gradient(xr: UnsafePointer<Double>, into gradient: UnsafeMutablePointer<Double>) {
        for p in 0..<panelCount {
            let start = p * Self.panelWidth
            BLAS.gemm(
                .transpose, .none, m: min(Self.panelWidth, m - start), n: d, k: n, alpha: 1, a: panel(p),
                lda: Self.panelWidth, b: xr, ldb: d, beta: 0, c: gradient + start * d, ldc: d)
        }
    }

    /// The upper triangle of D Dᵀ (n × n, row-major) into `s`, which may be uninitialised; entries
    /// below the diagonal are unspecified.
    ///
    /// - avx512: blocks of 22 panels (528 neurons) are transposed into ``GramTiles``' layout (24 × 24
    ///   blocks, by the workers) and added with ExpReg's tile kernel: the result does not depend on
    ///   `threads`.
    /// - avx2, generic: panels are copied 10 at a time (240 neurons) into one n × 240 block for
    ///   `dsyrk` (single-threaded OpenBLAS, so the result does not depend on `threads` either).
    /// - Complexity: O(n²·m) time; avx512: about 540·n extra doubles (4.4 MiB at n = 1024: the run's
    ///   peak memory is counted against the n × m panels), avx2/generic: 240·n.
    public func derivativeGramUpper(into s: UnsafeMutablePointer<Double>, threads: Int = 1) {
        switch path {
        case .avx512:
            let group = 22
            let blocks = stride(from: 0, to: panelCount, by: group).map { ($0, min(panelCount, $0 + group)) }
            let tiles = GramTiles(
                n: n, maxBlockWidth: min(panelCount, group) * Self.panelWidth,
                workers: max(1, threads))
            tiles.accumulate(
                blockWidths: blocks.map { ($0.1 - $0.0) * Self.panelWidth }, into: s,
                prepare: { _ in },
                fill: { block, points, _ in
                    expreg_transpose_panels(
                        panels.pointer, paddedRows, blocks[block].0, blocks[block].1, n,
                        tiles.panels.pointer, points.lowerBound, points.upperBound)
                })
        case .avx2, .generic:
            let group = 10
            let columns = group * Self.panelWidth
            let block = AlignedDoubles(count: n * columns)
            var first = 0
            var beta = 0.0
            while first < panelCount {
                let end = min(panelCount, first + group)
                let width = min(m, end * Self.panelWidth) - first * Self.panelWidth
                for i in 0..<n {
                    for p in first..<end {
                        let source = panel(p) + i * Self.panelWidth
                        let offset = (p - first) * Self.panelWidth
                        let count = min(Self.panelWidth, width - offset)
                        (block.pointer + i * width + offset).update(from: source, count: count)
                    }
                }
                BLAS.syrkUpper(n: n, k: width, alpha: 1, a: block.pointer, lda: width, beta: beta, c: s, ldc: n)
                beta = 1
                first = end
            }
        }
    }

    private func panel(_ p: Int) -> UnsafeMutablePointer<Double> {
        panels.pointer + p * paddedRows * Self.panelWidth
    }

    private func forwardPanels(
        _ range: Range<Int>, wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>,
        sums: UnsafeMutablePointer<Double>, maximum: UnsafeMutablePointer<Double>, worker: Int
    ) {
        if let own {
            let scratch = workerScratch[worker].pointer
            own.forward(
                activation == .relu ? 1 : 0, packedX.pointer, n, d, wt, m, m, aScaled,
                range.lowerBound, range.upperBound, panels.pointer, streamStores ? 1 : 0,
                sums, maximum, scratch, scratch + paddedRows * 8)
            return
        }
        for p in range {
            let start = p * Self.panelWidth
            let width = min(Self.panelWidth, m - start)
            NeuronBlockKernel.gemmUngated(
                .none, .none, m: n, n: width, k: d, alpha: 1, a: x.pointer, lda: d,
                b: wt + start, ldb: m, beta: 0, c: panel(p), ldc: Self.panelWidth)
            switch activation {
            case .exp:
                expreg_exp_forward_block_with(
                    path.expKernel.cKernel, panel(p), n, width, Self.panelWidth, aScaled + start, sums, maximum)
            case .relu:
                expreg_relu_forward_block(panel(p), n, width, Self.panelWidth, aScaled + start, sums, maximum)
            }
        }
    }

    /// Grows the per-block sums and the per-worker scratch (never shrinks: a step allocates nothing).
    private func prepareScratch(blocks: Int, workers: Int) {
        if blockSums.count < (n + 1) * blocks { blockSums = AlignedDoubles(count: (n + 1) * blocks) }
        if path != .generic {
            while workerScratch.count < workers {
                workerScratch.append(AlignedDoubles(count: paddedRows * 8 + Self.panelWidth * d))
            }
        }
    }
}
