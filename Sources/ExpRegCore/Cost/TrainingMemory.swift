internal import ExpRegLinAlg

/// The one owner of a run's memory accounting: the same bytes are shown by `validate`, checked by
/// `run` before training, and archived per run (`memory_bytes`).
///
/// Working set of the materialising trainer, in float64 values (8 bytes each):
/// - n·m: the activation panels D ∘ a/√m;
/// - 2·m·d: Wᵀ inside the stepper plus one m × d copy: W(0) (regenerated at the start while the
///   stepper copies it, and at the end for the weight movement and the held-out errors) or W(T)
///   (for the held-out errors), never both at once (``HeldOutEvaluation``);
/// - 2·m: a and a/√m;
/// - 2·n·d + 2·n: X and diag(r) X, y and the residuals;
/// - 4·n²: H(W) or H*, their eigenvectors (H* only) and the LAPACK work space.
/// The lean trainer (``TrainingPath/lean``) replaces the n·m term by its block buffers
/// (``LeanStepBlocks/bufferValues(n:d:m:workers:)``: per thread about n·B doubles with B ≤ 384,
/// plus n + 1 per block, X packed and an n × B block for H(W)); the other terms stay.
/// Process overhead (code, BLAS buffers, the archive) is not included: see ``processOverheadBytes``.
/// Measured (release, `expreg run`, exp, n = 64, d = 16, m = 4,194,304): estimate 3,137 MiB, peak RSS of
/// the whole process 3,219 MiB, below the checked 3,137 + 256 MiB.
public enum TrainingMemory {
    /// Bytes of a float64.
    public static let bytesPerValue = 8
    /// Resident memory of the process besides the run's working set (binary, OpenBLAS buffers per
    /// thread, SQLite page cache, curves): 256 MiB, an upper bound of what `expreg run` shows at
    /// width 1 on the nightly manifest.
    public static let processOverheadBytes = 256 << 20
    /// Largest n·m (and d·m) held in one buffer: 2^31 − 1 entries (the BLAS interface uses 32-bit
    /// indices). The manifest, the trainer and the benchmark all apply this one rule.
    public static let maxBufferElements = Int(Int32.max)

    /// True when rows × columns entries fit one buffer (no overflow, ≤ ``maxBufferElements``).
    public static func fitsOneBuffer(_ rows: Int, _ columns: Int) -> Bool {
        let (cells, overflow) = rows.multipliedReportingOverflow(by: columns)
        return !overflow && cells <= maxBufferElements
    }

    /// True when a run with n points of dimension d at width m can be trained: its n × m activations
    /// and its m × d weights each fit one buffer (``fitsOneBuffer(_:_:)``). `validate`, the trainer
    /// and the benchmark all ask this.
    package static func fitsBuffers(n: Int, d: Int, m: Int) -> Bool {
        fitsOneBuffer(n, m) && fitsOneBuffer(d, m)
    }

    /// Peak working-set bytes of one run with n points of dimension d at width m (formula above),
    /// on `path` (nil: the path ``TrainingPath/chosen(n:m:activationBudgetBytes:)`` picks) with
    /// `threads` workers per step. Saturates at `Int.max` instead of overflowing.
    public static func bytes(
        n: Int, d: Int, m: Int, path: TrainingPath? = nil,
        activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes,
        threads: Int = 1
    ) -> Int {
        let chosen = path ?? TrainingPath.chosen(n: n, m: m, activationBudgetBytes: activationBudgetBytes)
        let common: [(Int, Int)] = [(2 * m, d), (2, m), (2 * n, d), (2, n), (4 * n, n)]
        switch chosen {
        case .materializing:
            return total(common + [(n, m)])
        case .lean:
            guard fitsOneBuffer(n, d), fitsOneBuffer(m, d) else { return Int.max }
            return total(common + [(1, LeanStepBlocks.bufferValues(n: n, d: d, m: m, workers: threads))])
        }
    }

    /// 8 · Σ a·b over `terms`, saturating at `Int.max`.
    private static func total(_ terms: [(Int, Int)]) -> Int {
        var values = 0
        for (a, b) in terms {
            let (product, o1) = a.multipliedReportingOverflow(by: b)
            let (sum, o2) = values.addingReportingOverflow(product)
            if o1 || o2 { return Int.max }
            values = sum
        }
        let (total, overflow) = values.multipliedReportingOverflow(by: bytesPerValue)
        return overflow ? Int.max : total
    }
}
