internal import ExpRegLinAlg
import Foundation

/// The state of one training run while ``Trainer`` executes it (internal).
struct RunState {
    let config: RunConfig
    let dataset: Dataset
    /// Held-out points, evaluated after training only.
    let heldOut: Dataset?
    /// Threads and kernel path (the outcome does not depend on the thread count).
    let options: TrainingOptions
    /// Output signs a_r (length m).
    let a: [Double]
    /// W(0), row-major m × d, made on demand (regenerated from the seed, or the caller's copy): the
    /// run holds it only while the stepper is built and when the weight movement is measured, so
    /// it never sits beside the n × m activations as a second copy of W.
    let initialWeights: () -> [Double]
    private var outcome = RunOutcome(status: .completed)
    /// H*'s eigen-decomposition, held only until the kernel weights c_j² are computed (its n × n
    /// eigenvectors would otherwise sit beside the n × m activations for the whole run).
    private var hStar: SymmetricEigen.Decomposition?
    /// H*'s eigenvalues (ascending), kept for the kernel prediction.
    private var hStarValues: [Double]?
    /// Told when the run switches between GD steps and spectra (``Trainer/train(_:on:heldOut:options:progress:phases:)``).
    var phases: ((TrainingPhase) -> Void)?
    /// Work counted for ``TrainingFlops``: H(W) builds, eigenvalue-only and eigenvector solves.
    private var gramBuilds = 0
    private var eigenSolves = 0
    private var vectorSolves = 0

    init(
        config: RunConfig, dataset: Dataset, heldOut: Dataset?, options: TrainingOptions, a: [Double],
        initialWeights: @escaping () -> [Double]
    ) {
        self.config = config
        self.dataset = dataset
        self.heldOut = heldOut
        self.options = options
        self.a = a
        self.initialWeights = initialWeights
    }

    private var activation: Activation { config.model.activation }
    /// Materialising, or lean when the n × m activations exceed ``TrainingOptions/activationBudgetBytes``.
    private var trainingPath: TrainingPath {
        TrainingPath.chosen(n: dataset.n, m: config.model.width, activationBudgetBytes: options.activationBudgetBytes)
    }
    private var train: TrainConfig { config.train }

    /// Trains, then adds the run's cost: its working set and its flops by formula.
    mutating func execute(progress: ((TrainingProgress) -> Bool)?) throws(TrainingError) -> RunOutcome {
        var result = try trainAndDiagnose(progress: progress)
        let (n, d, m) = (dataset.n, dataset.d, config.model.width)
        // One worker's block buffers: the archived cost, like every archived number, does not depend
        // on the thread count (the memory check before training counts every worker).
        result.memoryBytes = TrainingMemory.bytes(n: n, d: d, m: m, path: trainingPath, threads: 1)
        result.flops = TrainingFlops.run(
            n: n, d: d, m: m, steps: result.stepsRun, gramBuilds: gramBuilds,
            eigenSolves: eigenSolves, vectorSolves: vectorSolves)
        return result
    }

    private mutating func trainAndDiagnose(progress: ((TrainingProgress) -> Bool)?) throws(TrainingError) -> RunOutcome
    {
        phases?(.training)
        computeHStar()
        if case .fixed(let eta) = train.learningRate { outcome.eta = eta }

        let gd = GradientDescent(
            dataset: dataset, activation: activation, a: a, w: initialWeights(),
            path: options.kernels, threads: options.threads, lean: trainingPath == .lean)
        let initialLoss = gd.loss()
        var maxPreactivation = gd.maxPreactivation
        guard initialLoss.isFinite else {
            return diverged(
                reason: overflowReason(
                    loss: initialLoss, maxPreactivation: maxPreactivation, step: 0,
                    atStart: true),
                stepsRun: 0, maxPreactivation: maxPreactivation)
        }
        outcome.lossInitial = initialLoss
        // c_j² = <q_j, r(0)>² for the kernel prediction; then free H*'s eigenvectors (n × n).
        let kernelWeights = hStar.map { KernelPrediction.weights(decomposition: $0, initialResiduals: gd.residuals()) }
        hStar = nil

        // H(W(0)): its spectrum, the distance to H*, and the `auto` step size.
        let initialValues: [Double]?
        if var initialGram = recordSpectrum(of: gd, step: 0) {
            initialValues = initialGram.values
            outcome.diagnostics.lambdaMinInit = initialGram.values.first
            let matrix = initialGram.matrix
            initialGram.matrix = []  // the only reference left is `matrix`: the difference is formed in place
            let distance = distanceToHStar(consume matrix)
            outcome.diagnostics.gramDistanceInit = distance
        } else {
            initialValues = nil
        }
        if let distance = outcome.diagnostics.gramDistanceInit, let lambdaStar = outcome.diagnostics.lambdaStar {
            outcome.diagnostics.widthConditionMet = distance <= lambdaStar / 4
        }
        let eta: Double
        switch train.learningRate {
        case .fixed(let value):
            eta = value
        case .auto:
            guard let lambdaMax = initialValues?.last, lambdaMax > 0, (1 / lambdaMax).isFinite else {
                let shown = initialValues?.last.map { formatScientific($0, digits: 3) } ?? "not computable"
                outcome.status = .failed
                outcome.reason =
                    "learning_rate auto needs lambda_max(H(W(0))) > 0, but it is \(shown); "
                    + "set a fixed learning_rate"
                outcome.diagnostics.maxPreactivation = finite(maxPreactivation)
                return outcome
            }
            eta = 1 / lambdaMax
        }
        outcome.eta = eta
        if let lambdaStar = outcome.diagnostics.lambdaStar {
            outcome.diagnostics.predictedRate = 1 - eta * lambdaStar / 2
        }
        var kernel: KernelPrediction?
        if let values = hStarValues, let kernelWeights {
            kernel = KernelPrediction(eigenvalues: values, weights: kernelWeights, eta: eta)
        }
        let envelopeRate = outcome.diagnostics.lambdaStar.map { 1 - eta * $0 / 2 }

        // The GD loop: L(W(k)) is checked at every k; W(k+1) = W(k) − η ∇L(W(k)).
        var violations = 0
        var previousLoss = initialLoss
        var k = 0
        var stopReason: String?
        while true {
            let loss = gd.loss()
            if !loss.isFinite {
                stopReason = overflowReason(loss: loss, maxPreactivation: gd.maxPreactivation, step: k, atStart: false)
            } else if loss > Trainer.divergenceFactor * initialLoss {
                stopReason =
                    "loss \(formatScientific(loss, digits: 3)) exceeds 1e6 x the initial loss "
                    + "\(formatScientific(initialLoss, digits: 3)) at step \(k)"
            }
            if loss.isFinite {
                if k > 0, let rate = envelopeRate,
                    loss > rate * previousLoss * (1 + Trainer.envelopeSlack)
                {
                    violations += 1
                }
            }
            let converged = stopReason == nil && loss <= train.targetLoss
            let isLast = stopReason != nil || converged || k == train.steps
            if (k % train.logEvery == 0 || isLast) && loss.isFinite {
                outcome.lossCurve.append(CurvePoint(step: k, value: loss))
                if let predicted = kernel?.loss(atStep: k), predicted.isFinite {
                    outcome.kernelPrediction.append(CurvePoint(step: k, value: predicted))
                }
                if let progress, !progress(TrainingProgress(step: k, totalSteps: train.steps, loss: loss)) {
                    throw .cancelled(step: k)
                }
            }
            if isLast {
                outcome.status = stopReason != nil ? .diverged : (converged ? .converged : .completed)
                outcome.reason = stopReason
                break
            }
            if train.spectrumEvery > 0, k > 0, k % train.spectrumEvery == 0 {
                recordSpectrum(of: gd, step: k)
            }
            previousLoss = loss
            gd.step(eta: eta)
            k += 1
        }

        // Final diagnostics at W(T), T = steps run.
        let lastLoss = gd.loss()
        // max |<w_r, x_i>| over W(0) and W(T), the definition of the reference vectors.
        maxPreactivation = max(maxPreactivation, gd.maxPreactivation)
        outcome.stepsRun = k
        outcome.lossFinal = lastLoss.isFinite ? lastLoss : nil
        outcome.diagnostics.envelopeViolations = envelopeRate == nil ? nil : violations
        outcome.diagnostics.maxPreactivation = finite(maxPreactivation)
        outcome.diagnostics.maxWeightMovement = finite(gd.maxRowDistance(from: initialWeights()))
        if let kernel { outcome.diagnostics.kernelPredictionFinalLoss = finite(kernel.loss(atStep: k)) }
        if k > 0, initialLoss > 0, lastLoss.isFinite {
            outcome.diagnostics.observedRate = finite(Foundation.pow(lastLoss / initialLoss, 1 / Double(k)))
        }
        if var finalGram = recordSpectrum(of: gd, step: k) {
            outcome.diagnostics.lambdaMinFinal = finalGram.values.first
            let matrix = finalGram.matrix
            finalGram.matrix = []  // the only reference left is `matrix`: the difference is formed in place
            let distance = distanceToHStar(consume matrix)
            outcome.diagnostics.gramDistanceFinal = distance
        }
        // Errors outside the theorem, after every training number is fixed.
        if lastLoss.isFinite { outcome.heldOut.trainMSE = finite(2 * lastLoss / Double(dataset.n)) }
        if let heldOut {
            var errors = HeldOutEvaluation.evaluate(
                training: dataset, test: heldOut, activation: activation, sigma: config.model.initScale, a: a,
                initialWeights: initialWeights, finalWeights: { gd.weights }, hStarEigenvalues: hStarValues)
            errors.trainMSE = outcome.heldOut.trainMSE
            outcome.heldOut = errors
        }
        return outcome
    }

    /// H* and its eigen-decomposition; diagnostics stay nil when H* is not finite (huge σ).
    private mutating func computeHStar() {
        phases?(.spectra)
        defer { phases?(.training) }
        vectorSolves += 1
        let matrix = GramMatrix.closedForm(
            x: dataset.x, n: dataset.n, d: dataset.d, activation: activation,
            sigma: config.model.initScale)
        guard let decomposition = try? SymmetricEigen.decompose(matrix, n: dataset.n) else { return }
        hStar = decomposition
        hStarValues = decomposition.values
        outcome.spectra.append(Spectrum(step: 0, kind: .hStar, eigenvalues: decomposition.values))
        outcome.diagnostics.lambdaStar = decomposition.values.first
        outcome.diagnostics.lambdaMaxStar = decomposition.values.last
    }

    /// Records the spectrum of H(W) at `step` (unless already recorded) and returns H(W) and its
    /// eigenvalues; nil when H(W) is not finite.
    @discardableResult
    private mutating func recordSpectrum(of gd: GradientDescent, step: Int) -> (matrix: [Double], values: [Double])? {
        phases?(.spectra)
        defer { phases?(.training) }
        gramBuilds += 1
        eigenSolves += 1
        // ``GradientDescent/empiricalGram()`` reuses the stepper's forward buffer (a_r = ±1);
        // otherwise build H(W) from the weights.
        var gram =
            gd.empiricalGram()
            ?? GramMatrix.empirical(
                x: dataset.x, n: dataset.n, d: dataset.d, w: gd.weights, m: a.count,
                activation: activation, threads: options.threads, path: options.kernels)
        guard let values = try? SymmetricEigen.eigenvalues(preserving: &gram, n: dataset.n) else { return nil }
        let already = outcome.spectra.contains { $0.kind == .hW && $0.step == step }
        if !already {
            outcome.spectra.append(Spectrum(step: step, kind: .hW, eigenvalues: values))
            outcome.lambdaMinCurve.append(CurvePoint(step: step, value: values[0]))
        }
        return (gram, values)
    }

    /// ‖H − H*‖₂ (max |eigenvalue| of the symmetric difference); nil when either is unavailable.
    ///
    /// H* is recomputed entry by entry (O(n² d), cheap next to training) rather than held for the
    /// whole run, and subtracted in `gram`'s own buffer: with the n × m activations alive, the
    /// spectra never add more than one n × n matrix.
    private mutating func distanceToHStar(_ gram: consuming [Double]) -> Double? {
        guard hStarValues != nil else { return nil }
        phases?(.spectra)
        defer { phases?(.training) }
        eigenSolves += 1
        var difference = consume gram
        GramMatrix.subtractClosedForm(
            from: &difference, x: dataset.x, n: dataset.n, d: dataset.d,
            activation: activation, sigma: config.model.initScale)
        return try? SymmetricEigen.spectralNorm(of: consume difference, n: dataset.n)
    }

    /// Ends the run before or at the start of training with status `diverged`.
    private mutating func diverged(reason: String, stepsRun: Int, maxPreactivation: Double) -> RunOutcome {
        outcome.status = .diverged
        outcome.reason = reason
        outcome.stepsRun = stepsRun
        outcome.diagnostics.maxPreactivation = finite(maxPreactivation)
        return outcome
    }

    /// "exp overflow at W(0): max preactivation 812.3 > 709.78", or "loss is nan at step 12".
    private func overflowReason(loss: Double, maxPreactivation: Double, step: Int, atStart: Bool) -> String {
        let what = loss.isNaN ? "nan" : "inf"
        if activation == .exp, maxPreactivation > Trainer.expOverflowThreshold {
            let place = atStart ? "at W(0)" : "at step \(step)"
            return "exp overflow \(place): max preactivation \(formatFixed(maxPreactivation, digits: 1)) > 709.78"
                + (atStart ? "; reduce model.init_scale" : " (loss is \(what))")
        }
        return atStart ? "loss is \(what) at W(0)" : "loss is \(what) at step \(step)"
    }
}
