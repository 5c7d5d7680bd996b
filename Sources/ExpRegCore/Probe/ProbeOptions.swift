public import ExpRegLinAlg

/// How far a condition probe goes and on which kernels (``ConditionProbe``).
public struct ProbeOptions: Sendable, Equatable {
    /// The default largest width probed: 2²⁶ = 67,108,864 (a grid width).
    public static let defaultMaxWidth = 1 << 26
    /// The default margin: the condition must hold at every checkpoint over 2 octaves (9 checkpoints).
    public static let defaultMarginOctaves = 2

    /// The largest width probed; the probe's last checkpoint is the largest grid width ≤ this.
    public var maxWidth: Int
    /// The probe stops once ‖H_m − H*‖₂ ≤ λ*/4 has held at every checkpoint of the last
    /// `marginOctaves` octaves, i.e. at the 4·margin + 1 checkpoints w_{k−4·margin} … w_k (0: at the
    /// first checkpoint where it holds).
    public var marginOctaves: Int
    /// Worker threads of the Gram kernel (≥ 1; the numbers do not depend on it).
    public var threads: Int
    /// The kernel path (must be available on this CPU; the numbers depend on it, to rounding).
    public var kernels: KernelPath

    public init(
        maxWidth: Int = ProbeOptions.defaultMaxWidth, marginOctaves: Int = ProbeOptions.defaultMarginOctaves,
        threads: Int = 1, kernels: KernelPath = .best
    ) {
        self.maxWidth = maxWidth
        self.marginOctaves = marginOctaves
        self.threads = threads
        self.kernels = kernels
    }

    /// Checkpoints that must all hold before the probe stops: 4·margin + 1.
    public var marginCheckpoints: Int { ProbeGrid.pointsPerOctave * marginOctaves + 1 }

    /// Neurons drawn and handed to the Gram kernel at a time for inputs of dimension d: 2²⁰/d rounded
    /// down to a multiple of 1024, between 1024 and 16,384 (W's chunk stays ≤ 8 MiB). A function of d
    /// alone, so the order of the sums, and with it every bit of a width's result, never depends on
    /// the maximum width or the thread count.
    public static func chunkWidth(d: Int) -> Int {
        let block = 1024
        return max(block, min(16 * block, (1 << 20) / max(1, d) / block * block))
    }
}

/// What a probe is doing, for timing from outside the pure core.
public enum ProbePhase: String, Sendable {
    /// Drawing W0 and adding D_b D_bᵀ of its blocks to the running sum.
    case accumulation
    /// Forming H_m at a checkpoint and its two eigenvalue solves.
    case checkpoint
}

/// A probe's position, reported after every chunk of neurons and every checkpoint.
public struct ProbeProgress: Sendable {
    /// Neurons accumulated so far.
    public var neurons: Int
    /// The latest checkpoint (nil before the first).
    public var latest: ProbeCheckpoint?
    /// The width where the probe is expected to stop: from the latest checkpoint assuming
    /// ‖H_m − H*‖ ∝ m^(−1/2) down to λ*/4, plus the margin, capped at the maximum (an estimate
    /// for the ETA only).
    public var projectedStopWidth: Int
}

/// Why a probe cannot measure anything.
public enum ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// H* or its eigenvalues are not finite (exp with a huge σ).
    case hStarNotFinite(String)
    /// λ* ≤ n·ε·λ_max(H*) (numerically singular): λ*/4 is below the eigenvalue's own error.
    case singularHStar(Double)
    /// The progress callback asked to stop.
    case cancelled

    public var description: String {
        switch self {
        case .hStarNotFinite(let why):
            return "H* is not finite (\(why)); reduce model.init_scale"
        case .singularHStar(let lambda):
            return "H* is numerically singular (λ* = \(formatScientific(lambda, digits: 3))), so ‖H − H*‖ ≤ λ*/4 "
                + "cannot be checked (duplicate or nearly parallel points?)"
        case .cancelled:
            return "the probe was cancelled"
        }
    }
}
