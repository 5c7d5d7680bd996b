/// How a run ended.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// The target loss was reached.
    case converged
    /// All steps ran; the target was not reached.
    case completed
    /// NaN/Inf (including an overflow already at W(0)), or loss > 1e6 x initial: recorded, the
    /// batch goes on.
    case diverged
    /// An error prevented training (bad data, `learning_rate: auto` without a usable
    /// lambda_max(H(W(0))), an error thrown while running it, ...); exp overflow at W(0) is
    /// `diverged` (steps_run 0), not `failed`.
    case failed

    /// True for runs whose numbers are meaningful (`converged` or `completed`).
    public var isFinished: Bool { self == .converged || self == .completed }

    /// True for runs that ended `diverged` or `failed`: the `max_diverged` gate counts them, the
    /// headline and the summary list them.
    public var isBroken: Bool { self == .diverged || self == .failed }
}

/// One point of a curve: (GD step, value).
public struct CurvePoint: Sendable, Equatable, Codable {
    public var step: Int
    public var value: Double
    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}

/// Which matrix a spectrum belongs to.
public enum SpectrumKind: String, Sendable, Codable, CaseIterable {
    /// The closed-form infinite-width Gram H*.
    case hStar = "hstar"
    /// The finite-width Gram H(W(step)).
    case hW = "hw"
}

/// Eigenvalues (ascending) of an n x n Gram matrix at a GD step.
public struct Spectrum: Sendable, Equatable, Codable {
    public var step: Int
    public var kind: SpectrumKind
    /// Ascending eigenvalues, length n.
    public var eigenvalues: [Double]
    public init(step: Int, kind: SpectrumKind, eigenvalues: [Double]) {
        self.step = step
        self.kind = kind
        self.eigenvalues = eigenvalues
    }
}

/// The theory diagnostics of one run (see docs/theory.md "Per-run diagnostics"). The field list is
/// declared once, by ``DiagnosticField`` (its names are the results.json keys, the archive's
/// `diagnostics` columns and the Codable keys); every representation iterates it.
///
/// A value is `nil` when it could not be computed (e.g. H(W(T)) of a run that overflowed).
public struct TheoryDiagnostics: Sendable, Equatable {
    /// lambda_min(H*).
    public var lambdaStar: Double?
    /// lambda_max(H*).
    public var lambdaMaxStar: Double?
    /// lambda_min(H(W(0))), lambda_min(H(W(T))).
    public var lambdaMinInit: Double?
    public var lambdaMinFinal: Double?
    /// ||H(W(0)) - H*||_2 and ||H(W(T)) - H*||_2.
    public var gramDistanceInit: Double?
    public var gramDistanceFinal: Double?
    /// 1 - eta * lambda_star / 2.
    public var predictedRate: Double?
    /// (loss_final / loss_initial)^(1 / steps_run).
    public var observedRate: Double?
    /// Steps k with L(k+1) > (1 - eta lambda_star / 2) L(k) (relative slack 1e-12).
    public var envelopeViolations: Int?
    /// Loss of the kernel-regime recursion r(k+1) = (I - eta H*) r(k) after steps_run steps.
    public var kernelPredictionFinalLoss: Double?
    /// ||H(W(0)) - H*||_2 <= lambda_star / 4.
    public var widthConditionMet: Bool?
    /// max_r ||w_r(T) - w_r(0)||_2.
    public var maxWeightMovement: Double?
    /// max |<w_r, x_i>| over W(0) and W(T) (T = steps run; for a diverged run, the weights whose
    /// loss was not finite), as in the reference vectors.
    public var maxPreactivation: Double?

    public init(
        lambdaStar: Double? = nil, lambdaMaxStar: Double? = nil, lambdaMinInit: Double? = nil,
        lambdaMinFinal: Double? = nil, gramDistanceInit: Double? = nil, gramDistanceFinal: Double? = nil,
        predictedRate: Double? = nil, observedRate: Double? = nil, envelopeViolations: Int? = nil,
        kernelPredictionFinalLoss: Double? = nil, widthConditionMet: Bool? = nil,
        maxWeightMovement: Double? = nil, maxPreactivation: Double? = nil
    ) {
        self.lambdaStar = lambdaStar
        self.lambdaMaxStar = lambdaMaxStar
        self.lambdaMinInit = lambdaMinInit
        self.lambdaMinFinal = lambdaMinFinal
        self.gramDistanceInit = gramDistanceInit
        self.gramDistanceFinal = gramDistanceFinal
        self.predictedRate = predictedRate
        self.observedRate = observedRate
        self.envelopeViolations = envelopeViolations
        self.kernelPredictionFinalLoss = kernelPredictionFinalLoss
        self.widthConditionMet = widthConditionMet
        self.maxWeightMovement = maxWeightMovement
        self.maxPreactivation = maxPreactivation
    }
}

/// What the trainer returns for one run: pure numbers, no clock.
public struct RunOutcome: Sendable, Equatable, Codable {
    public var status: RunStatus
    /// Why the run diverged or failed (e.g. "loss is NaN at step 12"); nil otherwise.
    public var reason: String?
    /// GD steps actually taken.
    public var stepsRun: Int
    /// The step size used.
    public var eta: Double?
    public var lossInitial: Double?
    public var lossFinal: Double?
    /// L(W(k)) every `logEvery` steps, always including step 0 and the last step.
    public var lossCurve: [CurvePoint]
    /// The kernel-regime prediction at the same steps as `lossCurve`.
    public var kernelPrediction: [CurvePoint]
    /// lambda_min(H(W(k))) at every spectrum step.
    public var lambdaMinCurve: [CurvePoint]
    /// H* once (step 0) and H(W(k)) at 0, every `spectrumEvery` steps, and at the end.
    public var spectra: [Spectrum]
    public var diagnostics: TheoryDiagnostics
    /// Training and held-out errors (the test values only when the run has a test set).
    public var heldOut: HeldOutErrors
    /// The run's working set as the trainer accounts it (``TrainingMemory/bytes(n:d:m:path:activationBudgetBytes:threads:)``
    /// on the run's path, with one worker's block buffers, so it does not depend on the thread
    /// count); nil for runs archived before it was recorded.
    public var memoryBytes: Int?
    /// Flops of the run by formula (``TrainingFlops/run(n:d:m:steps:gramBuilds:eigenSolves:vectorSolves:)``).
    public var flops: Double?

    public init(
        status: RunStatus, reason: String? = nil, stepsRun: Int = 0, eta: Double? = nil,
        lossInitial: Double? = nil, lossFinal: Double? = nil, lossCurve: [CurvePoint] = [],
        kernelPrediction: [CurvePoint] = [], lambdaMinCurve: [CurvePoint] = [],
        spectra: [Spectrum] = [], diagnostics: TheoryDiagnostics = TheoryDiagnostics(),
        heldOut: HeldOutErrors = HeldOutErrors(), memoryBytes: Int? = nil, flops: Double? = nil
    ) {
        self.memoryBytes = memoryBytes
        self.flops = flops
        self.status = status
        self.reason = reason
        self.stepsRun = stepsRun
        self.eta = eta
        self.lossInitial = lossInitial
        self.lossFinal = lossFinal
        self.lossCurve = lossCurve
        self.kernelPrediction = kernelPrediction
        self.lambdaMinCurve = lambdaMinCurve
        self.spectra = spectra
        self.diagnostics = diagnostics
        self.heldOut = heldOut
    }
}
