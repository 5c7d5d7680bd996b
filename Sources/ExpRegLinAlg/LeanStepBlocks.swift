internal import CExpRegKernels

/// The gradient-descent step of ``StepPanels`` **without the n × m matrix**: D ∘ a/√m is
/// recomputed per block of neurons and never held for more than one block per worker.
///
/// Shapes as in ``StepPanels``: X is n × d (row-major), Wᵀ is d × m (row-major, row stride m),
/// `aScaled` holds a_r/√m. Neurons are cut into blocks of ``panelsPerBlock`` panels of 24
/// (``StepPanels/defaultPanelsPerBlock(width:)``: the same grid as the materialising forward pass,
/// fixed by m alone, never by the thread count or the machine). Block b covers neurons
/// [b·B, min(m, (b + 1)·B)), B = 24 · ``panelsPerBlock``.
///
/// One step:
/// 1. ``forward(wt:aScaled:u:threads:)``: per block, Z_b = X Wᵀ_b and act(Z_b), the block's part
///    of u (Σ_{r ∈ b} a_r act(z_ir)/√m) into its own column (D_b is not stored on the avx512
///    and avx2 paths); the columns are then added in block order, so u does not depend on the threads.
/// 2. ``update(eta:xr:wt:aScaled:threads:maxPreactivation:)``: per block, D_b is recomputed (same
///    arithmetic, so the same values) and Wᵀ_b ← Wᵀ_b − η (diag(r) X)ᵀ D_b; blocks write disjoint
///    columns of Wᵀ.
///
/// Agreement with ``StepPanels`` on one kernel path: every panel of D is computed with the same
/// arithmetic on the same operands (on avx512 and avx2 the lean update kernel shares the
/// materialising kernels' tile, epilogue and update code, step_tiles_avx512.h and
/// step_tiles_avx2.h), u is summed on the same grid in the same order, and each column of the
/// update is the same arithmetic, so the outputs agree to the last bit in practice; the documented bound is the rounding of a reordered sum of u (see ``GradientDescent``). H(W)
/// (``derivativeGramUpper(wt:aScaled:into:threads:)``) adds the blocks' D_b D_bᵀ in block order,
/// an order different from ``StepPanels/derivativeGramUpper(into:threads:)``: equal to rounding.
///
/// Cost: a step computes the forward GEMM and the exp twice (6·n·m·d flops instead of 4), but on
/// the avx512 and avx2 paths D never leaves L1 (one panel of 24 neurons is formed and used at
/// once) instead of streaming n·m doubles to memory and back. Keeping some blocks' D from the
/// forward pass for the update was measured and dropped: at (128, 16, 3,162,278) on 2 cores, keeping 1 GiB (a third
/// of the blocks) changed the step from 495 to 493 ms, as reading D back costs what recomputing it does.
/// Memory: per worker about 2·n·B + 8·n + 24·d + n doubles (block buffer, H(W)'s row block),
/// plus (n + 1) per block, X and H(W)'s group sums (see ``bufferValues(n:d:m:workers:)``).
///
/// An instance is confined to one task.
public final class LeanStepBlocks {
    public let n: Int
    public let d: Int
    public let m: Int
    public let activation: NeuronBlockKernel.Activation
    public let path: KernelPath
    /// ⌈n/8⌉·8, the rows of a panel.
    public let paddedRows: Int
    /// ⌈m/24⌉.
    public let panelCount: Int
    /// Panels per block (``StepPanels/defaultPanelsPerBlock(width:)``).
    public let panelsPerBlock: Int
    /// ⌈panelCount / panelsPerBlock⌉.
    public let blockCount: Int
    /// Neurons per full block, B = 24 · ``panelsPerBlock``.
    public var blockWidth: Int { panelsPerBlock * StepPanels.panelWidth }

    private let x: AlignedDoubles  // X, n × d (row-major; OpenBLAS paths and H(W))
    private let packedX: AlignedDoubles  // X in 8-row tiles (avx512 and avx2 paths)
    private let packedR: AlignedDoubles  // diag(r) X in 8-column tiles (avx512 and avx2 updates)
    private let blockSums: AlignedDoubles  // n per block, then one maximum per block
    private var workerScratch: [AlignedDoubles] = []  // per worker: see scratchLayout
    private let own: OwnStepKernels?  // the avx512 or avx2 kernels; nil on generic (OpenBLAS per panel)

    /// |z| below which the exp kernels need no range check (``EXPREG_EXP_FAST_LIMIT``).
    public static let expTableLimit: Double = EXPREG_EXP_FAST_LIMIT

    /// Doubles held by an instance with `workers` worker buffers (for the memory accounting).
    public static func bufferValues(n: Int, d: Int, m: Int, workers: Int) -> Int {
        let rows = (n + 7) / 8 * 8
        let panels = StepPanels.panelCount(width: m)
        let perBlock = StepPanels.defaultPanelsPerBlock(width: m)
        let blocks = (panels + perBlock - 1) / perBlock
        let perWorker = rows * perBlock * StepPanels.panelWidth + rows * 8 + StepPanels.panelWidth * d + n + 1
        return max(1, workers) * (perWorker + n * perBlock * StepPanels.panelWidth)
            + blocks * (n + 1) + 2 * n * d + ((d + 7) / 8 * 8) * n + gramGroupCount(n: n, blocks: blocks) * n * n
    }

    /// Groups of consecutive blocks whose D_b D_bᵀ H(W) sums separately (in parallel), then adds in
    /// group order: min(8, blocks, 2²⁴ / n²) (at most 128 MiB of partial sums), fixed by n and m.
    public static func gramGroupCount(n: Int, blocks: Int) -> Int {
        max(1, min(8, blocks, (1 << 24) / max(1, n * n)))
    }

    /// Copies X (n × d, row-major) for width m; allocates no n × m buffer.
    /// - Precondition: n, d, m ≥ 1, `path.isAvailable`.
    public init(
        x source: UnsafePointer<Double>, n: Int, d: Int, m: Int,
        activation: NeuronBlockKernel.Activation, path: KernelPath
    ) {
        precondition(n >= 1 && d >= 1 && m >= 1, "LeanStepBlocks: bad sizes n=\(n) d=\(d) m=\(m)")
        precondition(path.isAvailable, "LeanStepBlocks: path \(path) is not available on this CPU")
        self.n = n
        self.d = d
        self.m = m
        self.activation = activation
        self.path = path
        own = OwnStepKernels(path)
        paddedRows = (n + 7) / 8 * 8
        panelCount = StepPanels.panelCount(width: m)
        panelsPerBlock = StepPanels.defaultPanelsPerBlock(width: m)
        blockCount = (panelCount + panelsPerBlock - 1) / panelsPerBlock
        x = AlignedDoubles(count: n * d)
        x.pointer.update(from: source, count: n * d)
        packedX = AlignedDoubles(count: path != .generic ? paddedRows * d : 0)
        if path != .generic { expreg_pack_tiles8(source, n, d, d, 1, packedX.pointer) }
        packedR = AlignedDoubles(count: path != .generic ? (d + 7) / 8 * 8 * n : 0)
        blockSums = AlignedDoubles(count: (n + 1) * blockCount)
    }

    /// Forward pass: `u[i]` = Σ_r a_r act(z_ir) (a = `aScaled`); returns max |z_ir| (NaN if any z is NaN).
    /// - Complexity: O(n·m·d); allocates only when a larger thread count is first used.
    public func forward(
        wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>, u: UnsafeMutablePointer<Double>,
        threads: Int
    ) -> Double {
        let workers = max(1, min(threads, blockCount))
        prepareScratch(workers: workers)
        let sums = blockSums.pointer
        let maxima = sums + n * blockCount
        sums.update(repeating: 0, count: (n + 1) * blockCount)
        NeuronBlockKernel.runClaiming(workers, count: blockCount) { worker, claimed in
            let block = claimed.lowerBound
            forwardBlock(
                block, wt: wt, aScaled: aScaled, sums: sums + block * n, maximum: maxima + block,
                worker: worker, into: nil)
        }
        for i in 0..<n { u[i] = 0 }
        var largest = 0.0
        for block in 0..<blockCount {
            let column = sums + block * n
            for i in 0..<n { u[i] += column[i] }
            if maxima[block].isNaN { largest = .nan }
            if !largest.isNaN { largest = max(largest, maxima[block]) }
        }
        return largest
    }

    /// Update: Wᵀ ← Wᵀ − η Rᵀ D with R = `xr` = diag(r) X (n × d), D recomputed block by block
    /// from the current Wᵀ (each block's D is formed before that block's columns change; on the
    /// avx512 and avx2 paths panel by panel, so D never leaves L1). Wᵀ does not depend on `threads`.
    /// - Parameter maxPreactivation: max |z_ir| of the forward pass of this Wᵀ (its return value):
    ///   below ``expTableLimit`` the exp skips its range check (the values are the same either way).
    /// - Complexity: O(n·m·d) (a forward GEMM, the exp and the update GEMM per block).
    public func update(
        eta: Double, xr: UnsafePointer<Double>, wt: UnsafeMutablePointer<Double>,
        aScaled: UnsafePointer<Double>, threads: Int, maxPreactivation: Double = .nan
    ) {
        let workers = max(1, min(threads, blockCount))
        prepareScratch(workers: workers)
        if path != .generic { expreg_pack_tiles8(xr, d, n, 1, d, packedR.pointer) }
        let covered: Int32 = maxPreactivation < Self.expTableLimit ? 1 : 0
        let relu: Int32 = activation == .relu ? 1 : 0
        NeuronBlockKernel.runClaiming(workers, count: blockCount) { worker, claimed in
            let block = claimed.lowerBound
            let layout = scratchLayout(worker)
            if let own {
                let (first, end) = panelRange(block)
                own.leanUpdate(
                    relu, packedX.pointer, packedR.pointer, n, d, aScaled, -eta, wt, m, m, first, end, covered,
                    layout.panels, layout.wtPanel)
                return
            }
            layout.sums.update(repeating: 0, count: n)
            layout.maximum.pointee = 0
            forwardBlock(
                block, wt: wt, aScaled: aScaled, sums: layout.sums, maximum: layout.maximum, worker: worker,
                into: layout.panels)
            updateBlock(block, eta: eta, xr: xr, wt: wt, panels: layout.panels)
        }
    }

    /// ∇ = Dᵀ R (m × d, row-major) into `gradient`, R = `xr` (n × d). For tests and diagnostics.
    public func gradient(
        wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>, xr: UnsafePointer<Double>,
        into gradient: UnsafeMutablePointer<Double>
    ) {
        prepareScratch(workers: 1)
        NeuronBlockKernel.runWorkers(1) { _ in
            let layout = scratchLayout(0)
            for block in 0..<blockCount {
                layout.sums.update(repeating: 0, count: n)
                forwardBlock(
                    block, wt: wt, aScaled: aScaled, sums: layout.sums, maximum: layout.maximum, worker: 0,
                    into: layout.panels)
                let (first, end) = panelRange(block)
                for p in first..<end {
                    let start = p * StepPanels.panelWidth
                    NeuronBlockKernel.gemmUngated(
                        .transpose, .none, m: min(StepPanels.panelWidth, m - start), n: d, k: n, alpha: 1,
                        a: layout.panels + (p - first) * paddedRows * StepPanels.panelWidth,
                        lda: StepPanels.panelWidth, b: xr, ldb: d, beta: 0, c: gradient + start * d, ldc: d)
                }
            }
        }
    }

    /// The upper triangle of D Dᵀ (n × n, row-major; D = D ∘ a/√m of the current Wᵀ) into `s`,
    /// which may be uninitialised; entries below the diagonal are unspecified.
    ///
    /// The blocks are cut into ``gramGroupCount(n:blocks:)`` groups of consecutive blocks; workers
    /// take groups, and per group, block by block, D_b is recomputed, copied into one n × B
    /// row-major block and added by single-threaded `dsyrk` (β = 0 for the group's first block) into
    /// the group's own n × n sum; the sums are then added in group order. The grid depends on n and
    /// m only, so the result does not depend on `threads`.
    /// On the avx512 path the blocks go instead, in order, through ``GramTiles``' tile kernel (as
    /// ``StepPanels/derivativeGramUpper(into:threads:)`` does): D_b is recomputed on the calling
    /// thread, transposed into the tiles' layout and added by the workers; also independent of `threads`.
    /// - Complexity: O(n²·m + n·m·d) time; groups · n² + threads · n·B extra doubles.
    public func derivativeGramUpper(
        wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>,
        into s: UnsafeMutablePointer<Double>, threads: Int = 1
    ) {
        if path == .avx512 {
            tiledGramUpper(wt: wt, aScaled: aScaled, into: s, threads: threads)
            return
        }
        let groups = Self.gramGroupCount(n: n, blocks: blockCount)
        let workers = max(1, min(threads, groups))
        prepareScratch(workers: workers)
        let partial = AlignedDoubles(count: groups * n * n)
        let rowBlocks = AlignedDoubles(count: workers * n * blockWidth)
        NeuronBlockKernel.runClaiming(workers, count: groups) { worker, claimed in
            let group = claimed.lowerBound
            let layout = scratchLayout(worker)
            let rowBlock = rowBlocks.pointer + worker * n * blockWidth
            let sum = partial.pointer + group * n * n
            let firstBlock = blockCount * group / groups
            let endBlock = blockCount * (group + 1) / groups
            for block in firstBlock..<endBlock {
                layout.sums.update(repeating: 0, count: n)
                forwardBlock(
                    block, wt: wt, aScaled: aScaled, sums: layout.sums, maximum: layout.maximum,
                    worker: worker, into: layout.panels)
                let (first, end) = panelRange(block)
                let start = first * StepPanels.panelWidth
                let width = min(m, end * StepPanels.panelWidth) - start
                for i in 0..<n {
                    for p in first..<end {
                        let offset = (p - first) * StepPanels.panelWidth
                        let source =
                            layout.panels + (p - first) * paddedRows * StepPanels.panelWidth
                            + i * StepPanels.panelWidth
                        (rowBlock + i * width + offset).update(
                            from: source,
                            count: min(StepPanels.panelWidth, width - offset))
                    }
                }
                NeuronBlockKernel.syrkUpperUngated(
                    n: n, k: width, alpha: 1, a: rowBlock, lda: width,
                    beta: block == firstBlock ? 0 : 1, c: sum, ldc: n)
            }
        }
        s.update(from: partial.pointer, count: n * n)
        for group in 1..<max(1, groups) {
            let sum = partial.pointer + group * n * n
            for k in 0..<(n * n) { s[k] += sum[k] }
        }
    }

    /// H(W)'s upper triangle on the avx512 path: blocks in order through ``GramTiles`` (widths in
    /// whole panels: columns past m hold D = 0, as a is 0 there).
    private func tiledGramUpper(
        wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>,
        into s: UnsafeMutablePointer<Double>, threads: Int
    ) {
        prepareScratch(workers: 1)
        let layout = scratchLayout(0)
        let tiles = GramTiles(n: n, maxBlockWidth: blockWidth, workers: max(1, threads))
        let widths = (0..<blockCount).map { block in
            let (first, end) = panelRange(block)
            return (end - first) * StepPanels.panelWidth
        }
        tiles.accumulate(
            blockWidths: widths, into: s,
            prepare: { block in
                NeuronBlockKernel.runWorkers(1) { _ in
                    layout.sums.update(repeating: 0, count: n)
                    forwardBlock(
                        block, wt: wt, aScaled: aScaled, sums: layout.sums, maximum: layout.maximum, worker: 0,
                        into: layout.panels)
                }
            },
            fill: { block, points, _ in
                let (first, end) = panelRange(block)
                expreg_transpose_panels(
                    layout.panels, paddedRows, 0, end - first, n, tiles.panels.pointer,
                    points.lowerBound, points.upperBound)
            })
    }

    /// Panels [first, end) of `block`.
    private func panelRange(_ block: Int) -> (Int, Int) {
        let first = block * panelsPerBlock
        return (first, min(panelCount, first + panelsPerBlock))
    }

    /// D ∘ a of `block` into `destination` (local panel p at p · paddedRows · 24) or, when nil,
    /// into the worker's panels on the generic path and nowhere on the avx512 and avx2 paths; its
    /// part of u added to `sums` (n), its max |z| into `maximum`. Same kernel calls as ``StepPanels``' forward pass, with Wᵀ and a offset to
    /// the block's first neuron.
    private func forwardBlock(
        _ block: Int, wt: UnsafePointer<Double>, aScaled: UnsafePointer<Double>,
        sums: UnsafeMutablePointer<Double>, maximum: UnsafeMutablePointer<Double>, worker: Int,
        into destination: UnsafeMutablePointer<Double>?
    ) {
        let (first, end) = panelRange(block)
        let j0 = first * StepPanels.panelWidth
        let width = min(m, end * StepPanels.panelWidth) - j0
        let layout = scratchLayout(worker)
        if let own {
            own.forward(
                activation == .relu ? 1 : 0, packedX.pointer, n, d, wt + j0, m, width,
                aScaled + j0, 0, end - first, destination, 0, sums, maximum,
                layout.lanes, layout.wtPanel)
            return
        }
        let panels = destination ?? layout.panels
        for p in 0..<(end - first) {
            let start = p * StepPanels.panelWidth
            let columns = min(StepPanels.panelWidth, width - start)
            let panel = panels + p * paddedRows * StepPanels.panelWidth
            NeuronBlockKernel.gemmUngated(
                .none, .none, m: n, n: columns, k: d, alpha: 1, a: x.pointer, lda: d,
                b: wt + j0 + start, ldb: m, beta: 0, c: panel,
                ldc: StepPanels.panelWidth)
            switch activation {
            case .exp:
                expreg_exp_forward_block_with(
                    path.expKernel.cKernel, panel, n, columns, StepPanels.panelWidth,
                    aScaled + j0 + start, sums, maximum)
            case .relu:
                expreg_relu_forward_block(
                    panel, n, columns, StepPanels.panelWidth, aScaled + j0 + start,
                    sums, maximum)
            }
        }
    }

    /// Wᵀ_b ← Wᵀ_b − η Rᵀ D_b for the D_b in `panels` (same kernel calls as ``StepPanels/update(eta:xr:wt:threads:)``).
    private func updateBlock(
        _ block: Int, eta: Double, xr: UnsafePointer<Double>, wt: UnsafeMutablePointer<Double>,
        panels: UnsafeMutablePointer<Double>
    ) {
        let (first, end) = panelRange(block)
        let j0 = first * StepPanels.panelWidth
        let width = min(m, end * StepPanels.panelWidth) - j0
        if let own {
            own.update(packedR.pointer, n, d, panels, -eta, wt + j0, m, width, 0, end - first)
            return
        }
        for p in 0..<(end - first) {
            let start = p * StepPanels.panelWidth
            NeuronBlockKernel.gemmUngated(
                .transpose, .none, m: d, n: min(StepPanels.panelWidth, width - start),
                k: n, alpha: -eta, a: xr, lda: d,
                b: panels + p * paddedRows * StepPanels.panelWidth,
                ldb: StepPanels.panelWidth, beta: 1, c: wt + j0 + start, ldc: m)
        }
    }

    /// A worker's scratch: panels (paddedRows · B), lanes (paddedRows · 8), one Wᵀ panel (24 · d),
    /// sums (n), maximum (1); the first three start at 64-byte boundaries.
    private func scratchLayout(_ worker: Int) -> (
        panels: UnsafeMutablePointer<Double>,
        lanes: UnsafeMutablePointer<Double>,
        wtPanel: UnsafeMutablePointer<Double>,
        sums: UnsafeMutablePointer<Double>,
        maximum: UnsafeMutablePointer<Double>
    ) {
        let base = workerScratch[worker].pointer
        let lanes = base + paddedRows * blockWidth
        let wtPanel = lanes + paddedRows * 8
        let sums = wtPanel + StepPanels.panelWidth * d
        return (base, lanes, wtPanel, sums, sums + n)
    }

    /// Grows the per-worker scratch (never shrinks: a step allocates nothing once warm).
    private func prepareScratch(workers: Int) {
        while workerScratch.count < workers {
            workerScratch.append(
                AlignedDoubles(
                    count: paddedRows * blockWidth + paddedRows * 8
                        + StepPanels.panelWidth * d + n + 1))
        }
    }
}
