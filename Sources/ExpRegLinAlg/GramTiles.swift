internal import CExpRegKernels

/// S = Σ_b P_b P_bᵀ (n × n, upper triangle) over blocks of neurons with ExpReg's AVX-512 tile
/// kernel, for any producer of the blocks P_b (n points × k_b neurons).
///
/// P_b lives in the kernel's layout, panels of 24 points: P_b[i][r] at
/// `panels[((i / 24)·rows_b + r)·24 + i % 24]` with rows_b = ⌈k_b/8⌉·8 (`expreg_gram_panels_avx512`). Per block, in order:
/// `prepare(b)` on the calling thread; the workers claim point panels and `fill` writes P_b there;
/// then the workers claim row tiles of S and add P_b P_bᵀ to them (the first block writes). Every
/// tile is written by one worker per block, so S is one buffer, its sums run in block order, and
/// the result does not depend on the thread count.
final class GramTiles: @unchecked Sendable {  // workers write disjoint panels and disjoint tiles of S
    let n: Int, workers: Int
    /// Neuron rows of a panel for the largest block: its width rounded up to 8.
    let rows: Int
    /// ⌈n/24⌉.
    let pointPanels: Int
    let panels: AlignedDoubles

    /// Panels for blocks of at most `maxBlockWidth` neurons.
    init(n: Int, maxBlockWidth: Int, workers: Int) {
        precondition(n >= 1 && maxBlockWidth >= 1 && workers >= 1, "GramTiles: n = \(n), width = \(maxBlockWidth)")
        self.n = n
        self.workers = workers
        rows = (maxBlockWidth + 7) / 8 * 8
        pointPanels = StepPanels.panelCount(width: n)
        panels = AlignedDoubles(count: pointPanels * rows * StepPanels.panelWidth)
    }

    /// s's upper triangle = Σ_b P_b P_bᵀ (unscaled) over `blockWidths.count` blocks in order; `s`
    /// may be uninitialised; entries below the diagonal's 8 × 8 tiles are left alone, those inside
    /// them are written.
    /// - Parameters:
    ///   - blockWidths: k_b, each ≤ the `maxBlockWidth` of `init`.
    ///   - prepare: `prepare(b)` runs once per block before its panels are filled (calling thread).
    ///   - fill: `fill(b, points, worker)` writes P_b for the point panels `points` into `panels`
    ///     (rows r < k_b); called concurrently for disjoint ranges.
    func accumulate(
        blockWidths: [Int], into s: UnsafeMutablePointer<Double>, prepare: (Int) -> Void,
        fill: (_ block: Int, _ points: Range<Int>, _ worker: Int) -> Void
    ) {
        let rowTiles = (n + 7) / 8
        for (block, width) in blockWidths.enumerated() {
            precondition(width >= 1 && width <= rows, "GramTiles: block width \(width) > \(rows)")
            prepare(block)
            NeuronBlockKernel.runClaiming(workers, count: pointPanels, step: 4) { worker, points in
                fill(block, points, worker)
            }
            NeuronBlockKernel.runClaiming(workers, count: rowTiles, step: 4) { _, tiles in  // S += P_b P_bᵀ
                expreg_gram_panels_avx512(
                    panels.pointer, (width + 7) / 8 * 8, width, n, s, n, tiles.lowerBound,
                    tiles.upperBound, block == 0 ? 0 : 1)
            }
        }
    }
}
