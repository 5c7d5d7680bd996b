internal import ExpRegLinAlg

/// Full-batch gradient descent on L = ½ Σ_i (F(W, x_i) − y_i)² with the theory diagnostics of
/// docs/theory.md ("Per-run diagnostics").
///
/// Pure: no files, clock or printing; progress leaves through the `progress` closure only.
/// Same config + data + kernel path ⇒ bitwise-identical outcome, for any thread count
/// (``TrainingOptions``).
public enum Trainer {
    /// Part of every run_key: bump when the training algorithm's numbers change.
    public static let algorithmVersion = "gd-1"

    /// Divergence threshold: a loss above this multiple of the initial loss ends the run `diverged`.
    public static let divergenceFactor = 1e6

    /// Relative slack of the envelope check L(k+1) > (1 − η λ*/2) L(k) · (1 + slack).
    public static let envelopeSlack = 1e-12

    /// Largest argument whose exp is finite in float64.
    public static let expOverflowThreshold = 709.782712893384

    /// Trains one run and computes its diagnostics. Pure: same config + data + `options.kernels`
    /// ⇒ bitwise the same outcome, whatever `options.threads` is.
    ///
    /// The model is initialised from `config.seed` with ``ModelParameters/random(width:d:sigma:seed:)``.
    /// - Parameters:
    ///   - heldOut: test points (same d), evaluated only after training (``HeldOutEvaluation``): the
    ///     training numbers are bitwise the same with or without them.
    ///   - options: threads and kernel path (the outcome does not depend on the thread count).
    ///   - progress: called every `logEvery` steps (and at the last step); return `false` to cancel.
    ///   - phases: told when the trainer switches between GD steps and spectra (for timing outside
    ///     Core); the first call comes before any work.
    /// - Throws: ``TrainingError``; divergence is not an error but status `diverged`.
    public static func train(
        _ config: RunConfig, on dataset: Dataset, heldOut: Dataset? = nil, options: TrainingOptions,
        progress: ((TrainingProgress) -> Bool)? = nil,
        phases: ((TrainingPhase) -> Void)? = nil
    ) throws(TrainingError) -> RunOutcome {
        try validate(config, dataset: dataset, heldOut: heldOut)
        let width = config.model.width
        let d = dataset.d
        let sigma = config.model.initScale
        let seed = config.seed
        // W(0) is regenerated when needed (bitwise the same) instead of held for the whole run.
        let initialWeights = { ModelParameters.random(width: width, d: d, sigma: sigma, seed: seed).w }
        let a = ModelParameters.randomSigns(width: width, seed: seed)
        var run = RunState(
            config: config, dataset: dataset, heldOut: heldOut, options: options, a: a,
            initialWeights: initialWeights)
        run.phases = phases
        return try run.execute(progress: progress)
    }

    /// Trains from given initial parameters (e.g. reference weights) instead of the seeded ones.
    ///
    /// `config.seed` is ignored; `config.model.initScale` still defines H* (the closed form for
    /// w ~ N(0, σ² I)).
    ///
    /// Steps: L(W(k)) is computed and checked at every k = 0…steps; the run stops `converged` at the
    /// first k with L ≤ `targetLoss`, `completed` at k = `steps`, `diverged` when L is NaN/Inf or
    /// above ``divergenceFactor`` × L(W(0)) (W(0) overflowing exp included: steps_run 0, reason
    /// names the max preactivation). Reported numbers are never NaN/Inf: what cannot be computed is nil.
    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` for a config that does not fit the data,
    ///   ``TrainingError/cancelled(step:)`` when `progress` returns false.
    /// - Complexity: O(steps · n·m·d) plus O(n³ + n²·m) per spectrum.
    public static func train(
        _ config: RunConfig, on dataset: Dataset, from initial: ModelParameters,
        heldOut: Dataset? = nil, options: TrainingOptions,
        progress: ((TrainingProgress) -> Bool)? = nil
    ) throws(TrainingError) -> RunOutcome {
        try validate(config, dataset: dataset, heldOut: heldOut)
        guard initial.d == dataset.d, initial.width == config.model.width else {
            throw .invalidConfiguration(
                "initial weights are \(initial.width) x \(initial.d), but the run needs "
                    + "model.width x d = \(config.model.width) x \(dataset.d)")
        }
        var run = RunState(
            config: config, dataset: dataset, heldOut: heldOut, options: options, a: initial.a,
            initialWeights: { initial.w })
        return try run.execute(progress: progress)
    }

    /// Checks the parts of `config` the trainer relies on (the manifest validates them too).
    static func validate(_ config: RunConfig, dataset: Dataset, heldOut: Dataset? = nil) throws(TrainingError) {
        if let heldOut, heldOut.d != dataset.d {
            throw .invalidConfiguration(
                "the test data has d = \(heldOut.d), but the training data has d = \(dataset.d)")
        }
        let model = config.model
        let train = config.train
        guard model.width >= 1 else {
            throw .invalidConfiguration("model.width = \(model.width); the width must be at least 1")
        }
        guard model.initScale > 0, model.initScale.isFinite else {
            throw .invalidConfiguration("model.init_scale = \(model.initScale); it must be a positive finite number")
        }
        guard train.steps >= 0 else {
            throw .invalidConfiguration("train.steps = \(train.steps); it must be 0 or more")
        }
        guard train.logEvery >= 1 else {
            throw .invalidConfiguration("train.log_every = \(train.logEvery); it must be at least 1")
        }
        guard train.spectrumEvery >= 0 else {
            throw .invalidConfiguration("train.spectrum_every = \(train.spectrumEvery); use 0 for start and end only")
        }
        guard !train.targetLoss.isNaN, train.targetLoss >= 0 else {
            throw .invalidConfiguration("train.target_loss = \(train.targetLoss); it must be 0 or more")
        }
        if case .fixed(let eta) = train.learningRate, !(eta > 0 && eta.isFinite) {
            throw .invalidConfiguration("train.learning_rate = \(eta); use a positive finite number or `auto`")
        }
        guard TrainingMemory.fitsBuffers(n: dataset.n, d: dataset.d, m: model.width) else {
            let (name, size) =
                TrainingMemory.fitsOneBuffer(dataset.n, model.width) ? ("d", dataset.d) : ("n", dataset.n)
            throw .invalidConfiguration(
                "\(name) x model.width = \(size) x \(model.width) is too large for one "
                    + "\(name) x m buffer (limit 2^31 - 1 entries); reduce the width or the data")
        }
    }
}
