import ExpRegCore
import ExpRegLinAlg

/// What `expreg bench` measures: one problem size of the GD step (and optionally H(W) + eigenvalues).
///
/// The data are synthetic: n points uniform on S^(d−1) with random labels (``SphereData``), the
/// model the standard random initialisation (``ModelParameters/random(width:d:sigma:seed:)``).
public struct BenchmarkConfig: Sendable, Equatable {
    /// Number of points n (≥ 1).
    public var n: Int
    /// Input dimension d (≥ 1).
    public var d: Int
    /// Width m (≥ 1).
    public var width: Int
    /// Timed GD steps k (≥ 1); the median and minimum over them are reported.
    public var steps: Int
    /// Hidden activation.
    public var activation: Activation
    /// Untimed steps run first (page faults, BLAS buffers, thread start-up), ≥ 0.
    public var warmupSteps: Int
    /// Also time building H(W(0)) and its eigenvalues (`gram_build_ms`, `eigen_ms`).
    public var includeGram: Bool
    /// Timed builds of H(W(0)), each followed by its eigenvalues (≥ 1); the medians are reported.
    public var gramRepeats: Int
    /// Worker threads of the step and of H(W) (OpenBLAS itself always runs on one thread); `nil` =
    /// every core.
    public var threads: Int?
    /// Worker threads of the GD step alone (``GradientDescent/threads``); `nil` = ``threads``.
    public var stepThreads: Int?
    /// The kernel path (the CLI resolves `EXPREG_KERNELS`).
    public var kernels: KernelPath = .best
    /// How the step holds the activations; `nil` = ``TrainingPath/chosen(n:m:activationBudgetBytes:)``
    /// with ``activationBudgetBytes`` (`expreg bench --path`).
    public var trainingPath: TrainingPath?
    /// The activation budget of the automatic choice (the CLI resolves `EXPREG_ACTIVATION_BUDGET`).
    public var activationBudgetBytes = TrainingOptions.defaultActivationBudgetBytes
    /// The path the step uses: ``trainingPath``, else chosen by the budget.
    public var resolvedTrainingPath: TrainingPath {
        trainingPath ?? TrainingPath.chosen(n: n, m: width, activationBudgetBytes: activationBudgetBytes)
    }
    /// Neurons per block of the step's forward pass; `nil` = ``StepPanels/defaultPanelsPerBlock(width:), in panels of 24``.
    public var blockWidth: Int?
    /// Also time the exp kernels on `expProbeCount` elements (`exp_ns_per_element`, `exp_libm_ns_per_element`); 0 = skip.
    public var expProbeCount: Int
    /// Seeds of the data and of the initialisation; σ of w_r(0).
    public var dataSeed: UInt64
    public var modelSeed: UInt64
    public var initScale: Double

    /// A benchmark of one size with the defaults of `expreg bench`.
    public init(
        n: Int = 1024, d: Int = 64, width: Int = 16384, steps: Int = 10, activation: Activation = .exp,
        warmupSteps: Int = 1, includeGram: Bool = true, gramRepeats: Int = 3, threads: Int? = nil,
        expProbeCount: Int = 1 << 20, dataSeed: UInt64 = 1, modelSeed: UInt64 = 0, initScale: Double = 1
    ) {
        self.n = n
        self.d = d
        self.width = width
        self.steps = steps
        self.activation = activation
        self.warmupSteps = warmupSteps
        self.includeGram = includeGram
        self.gramRepeats = gramRepeats
        self.threads = threads
        self.stepThreads = nil
        self.blockWidth = nil
        self.expProbeCount = expProbeCount
        self.dataSeed = dataSeed
        self.modelSeed = modelSeed
        self.initScale = initScale
    }

    /// The two benchmark sizes, (n, d, m) = (256, 32, 4096) and (1024, 64, 16384), run by
    /// `expreg bench` when no size option is given.
    public static let standardSizes: [BenchmarkConfig] = [
        BenchmarkConfig(n: 256, d: 32, width: 4096, steps: 20),
        BenchmarkConfig(n: 1024, d: 64, width: 16384, steps: 10),
    ]

    /// The sizes `expreg bench [--n N] [--d D] [--width M] [--steps K] [--activation A]
    /// [--gram-repeats R]` runs: ``standardSizes`` when no size option is given, else one size whose
    /// missing options default to (n, d, m) = (1024, 64, 16384); `steps`, `activation` and
    /// `gramRepeats` apply to every size. Validate each with ``validate()`` (``Benchmark/run(_:)`` does).
    public static func configurations(
        n: Int? = nil, d: Int? = nil, width: Int? = nil, steps: Int? = nil,
        activation: Activation = .exp, gramRepeats: Int? = nil
    ) -> [BenchmarkConfig] {
        var sizes = standardSizes
        if n != nil || d != nil || width != nil {
            sizes = [BenchmarkConfig(n: n ?? 1024, d: d ?? 64, width: width ?? 16384)]
        }
        return sizes.map { size in
            var config = size
            if let steps { config.steps = steps }
            if let gramRepeats { config.gramRepeats = gramRepeats }
            config.activation = activation
            return config
        }
    }

    /// Bytes of the n × m activation matrix plus W (m × d): the memory budget's unit.
    public var activationBytes: Int { 8 * (n * width + width * d) }

    /// Checks ranges. - Throws: ``BenchmarkError/invalidConfiguration(_:)`` naming the option and the fix.
    public func validate() throws(BenchmarkError) {
        func check(_ ok: Bool, _ message: String) throws(BenchmarkError) {
            if !ok { throw BenchmarkError.invalidConfiguration(message) }
        }
        try check(n >= 1, "--n must be >= 1 (got \(n))")
        try check(d >= 1, "--d must be >= 1 (got \(d))")
        try check(width >= 1, "--width must be >= 1 (got \(width))")
        try check(steps >= 1, "--steps must be >= 1 (got \(steps))")
        try check(gramRepeats >= 1, "--gram-repeats must be >= 1 (got \(gramRepeats))")
        try check(warmupSteps >= 0, "warm-up steps must be >= 0 (got \(warmupSteps))")
        try check(threads.map { $0 >= 1 } ?? true, "threads must be >= 1 (got \(threads ?? 0))")
        try check(stepThreads.map { $0 >= 1 } ?? true, "step threads must be >= 1 (got \(stepThreads ?? 0))")
        try check(blockWidth.map { $0 >= 1 } ?? true, "block width must be >= 1 (got \(blockWidth ?? 0))")
        try check(expProbeCount >= 0, "exp probe count must be >= 0 (got \(expProbeCount))")
        try check(initScale > 0 && initScale.isFinite, "init scale must be a positive number (got \(initScale))")
        // Int32 sizes for BLAS: the one rule of the manifest and the trainer.
        try check(
            TrainingMemory.fitsOneBuffer(n, width),
            "n·width = \(n)·\(width) is too large (limit 2^31 − 1 entries); use a smaller --n or --width")
        try check(
            TrainingMemory.fitsOneBuffer(d, width),
            "d·width = \(d)·\(width) is too large (limit 2^31 − 1 entries); use a smaller --d or --width")
    }
}
