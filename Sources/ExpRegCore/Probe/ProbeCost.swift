/// Floating-point operations of a condition probe, by formula (leading terms; an add and a multiply
/// count as two, as ``TrainingFlops`` counts).
///
/// - accumulating m neurons: Z_b = X W_bᵀ (2·n·d per neuron) and D_b D_bᵀ's upper triangle
///   (n(n+1) per neuron): (n(n+1) + 2·n·d)·m; the exponentials (n per neuron) are not counted;
/// - one checkpoint: X Xᵀ ∘ S (n²·d) and two eigenvalue-only solves, λ_min(H_m) and ‖H_m − H*‖₂
///   (2 · (4/3)·n³, ``TrainingFlops/eigenSolve(n:vectors:)``);
/// - once per probe: H* (n²·d) and its eigenvalues ((4/3)·n³).
public enum ProbeFlops {
    /// Flops of accumulating `m` neurons.
    public static func accumulation(n: Int, d: Int, m: Int) -> Double {
        let (n, d, m) = (Double(n), Double(d), Double(m))
        return (n * (n + 1) + 2 * n * d) * m
    }

    /// Flops of one checkpoint.
    public static func checkpoint(n: Int, d: Int) -> Double {
        Double(n) * Double(n) * Double(d) + 2 * TrainingFlops.eigenSolve(n: n, vectors: false)
    }

    /// Flops of a probe whose checkpoints are `widths` (ascending grid widths).
    public static func probe(n: Int, d: Int, widths: [Int]) -> Double {
        let setUp = Double(n) * Double(n) * Double(d) + TrainingFlops.eigenSolve(n: n, vectors: false)
        return setUp + accumulation(n: n, d: d, m: widths.last ?? 0)
            + Double(widths.count) * checkpoint(n: n, d: d)
    }
}

/// The working set of a condition probe, in float64 values (8 bytes each), independent of the
/// width m:
/// - 2·n²: the running sum S = Σ_r D_r D_rᵀ and one n × n scratch matrix (a chunk's D_b D_bᵀ, then
///   H_m and H_m − H* at a checkpoint); H* and its eigenvalue solve come first, in one n × n
///   matrix freed before S exists;
/// - n² + 2·1024·n: the Gram kernel's own buffers for a chunk (the bound of its BLAS path: a
///   second accumulator and two n × 1024 blocks of D; the AVX-512 path needs about 1.1·1024·n);
/// - chunk·d: one chunk of W0 (``ProbeOptions/chunkWidth(d:)``), n·d: X;
/// - 128·n per thread: X Xᵀ's row tiles; 4·n: norms, eigenvalues, LAPACK's work space.
/// Process overhead is not included; the memory check adds ``TrainingMemory/processOverheadBytes``.
public enum ProbeMemory {
    /// Peak working-set bytes of a probe with n points of dimension d on `threads` threads.
    public static func bytes(n: Int, d: Int, threads: Int = 1) -> Int {
        let (n, d) = (Double(n), Double(d))
        let chunk = Double(ProbeOptions.chunkWidth(d: Int(d)))
        let values = 3 * n * n + 2 * 1024 * n + chunk * d + n * d + 128 * n * Double(max(1, threads)) + 4 * n
        let bytes = values * Double(TrainingMemory.bytesPerValue)
        return bytes < 9e18 ? Int(bytes) : Int.max
    }
}
