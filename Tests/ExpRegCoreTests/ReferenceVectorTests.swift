import ExpRegCore
import ExpRegLinAlg
import ExpRegTestSupport
import RealModule
import Testing

/// The numeric core against the independent NumPy/LAPACK vectors (tolerances from their README).
@Suite("Reference vectors")
struct ReferenceVectorTests {
    @Test("H* matches the closed form (1e-12 relative to max entry)", arguments: ReferenceCase.all)
    func closedFormGram(name: String) throws {
        let ref = try ReferenceCase(name)
        let h = GramMatrix.closedForm(
            x: ref.dataset.x, n: ref.n, d: ref.dataset.d, activation: ref.activation,
            sigma: ref.sigma)
        #expect(maxScaledError(h, ref.hStar, scale: maxAbs(ref.hStar)) <= 1e-12)
    }

    @Test("H(W(0)) matches (1e-12 relative to max entry)", arguments: ReferenceCase.all)
    func empiricalGram(name: String) throws {
        let ref = try ReferenceCase(name)
        let h = GramMatrix.empirical(
            x: ref.dataset.x, n: ref.n, d: ref.dataset.d, w: ref.initial.w,
            m: ref.initial.width, activation: ref.activation, threads: 2, path: TestKernels.path)
        #expect(maxScaledError(h, ref.hInit, scale: maxAbs(ref.hInit)) <= 1e-12)
    }

    @Test("eigenvalues of H*, H(W(0)) match (1e-10 relative to lambda_max)", arguments: ReferenceCase.all)
    func eigenvalues(name: String) throws {
        let ref = try ReferenceCase(name)
        let star = try SymmetricEigen.eigenvalues(of: ref.hStar, n: ref.n)
        let initial = try SymmetricEigen.eigenvalues(of: ref.hInit, n: ref.n)
        #expect(maxScaledError(star, ref.eigHStar, scale: try #require(ref.eigHStar.last)) <= 1e-10)
        #expect(maxScaledError(initial, ref.eigHInit, scale: try #require(ref.eigHInit.last)) <= 1e-10)
    }

    @Test("gradient and loss at W(0) match (1e-12 relative to max entry)", arguments: ReferenceCase.all)
    func gradientAtInit(name: String) throws {
        let ref = try ReferenceCase(name)
        let gd = GradientDescent(
            dataset: ref.dataset, activation: ref.activation, a: ref.initial.a, w: ref.initial.w, path: TestKernels.path
        )
        #expect(maxScaledError(gd.gradient(), ref.gradient, scale: maxAbs(ref.gradient)) <= 1e-12)
        #expect(gd.loss().isApproximatelyEqual(to: ref.loss[0], relativeTolerance: 1e-12))
    }

    @Test(
        "every kernel path (avx512, avx2, generic) reproduces the gradient, every loss and W(final)",
        arguments: ReferenceCase.all, TestKernels.paths)
    func stepPaths(name: String, path: StepPanels.Path) throws {
        let ref = try ReferenceCase(name)
        let gd = GradientDescent(
            dataset: ref.dataset, activation: ref.activation, a: ref.initial.a, w: ref.initial.w,
            path: path)
        #expect(gd.path == path)
        #expect(maxScaledError(gd.gradient(), ref.gradient, scale: maxAbs(ref.gradient)) <= 1e-12)
        for k in 0..<ref.steps {
            let loss = gd.step(eta: ref.eta)
            #expect(loss.isApproximatelyEqual(to: ref.loss[k], relativeTolerance: 1e-8), "\(path) loss at step \(k)")
        }
        #expect(maxScaledError(gd.weights, ref.finalWeights, scale: maxAbs(ref.finalWeights)) <= 1e-8)
    }

    @Test("training reproduces loss curve, W(final), kernel curve and every scalar", arguments: ReferenceCase.all)
    func fullRun(name: String) throws {
        let ref = try ReferenceCase(name)
        let outcome = try Trainer.train(ref.config(), on: ref.dataset, from: ref.initial, options: testOptions)
        #expect(outcome.status == .completed)
        #expect(outcome.stepsRun == ref.int("steps_run"))
        #expect(outcome.reason == nil)

        // Loss curve after hundreds of steps: 1e-8 relative (README), pointwise.
        let curve = outcome.lossCurve
        try #require(curve.count == ref.loss.count)
        for (k, point) in curve.enumerated() {
            #expect(point.step == k)
            #expect(
                point.value.isApproximatelyEqual(to: ref.loss[k], relativeTolerance: 1e-8),
                "loss at step \(k): \(point.value) vs \(ref.loss[k])")
        }
        // W(final): the weights follow the loss; 1e-8 relative to the largest weight.
        let gd = GradientDescent(
            dataset: ref.dataset, activation: ref.activation, a: ref.initial.a, w: ref.initial.w, path: TestKernels.path
        )
        for _ in 0..<ref.steps { gd.step(eta: ref.eta) }
        #expect(maxScaledError(gd.weights, ref.finalWeights, scale: maxAbs(ref.finalWeights)) <= 1e-8)

        // Kernel prediction: 1e-8 relative, or 1e-12 of the curve's start for the tiny tail
        // (the eigenbasis rotation keeps absolute, not relative, precision of small components).
        try #require(outcome.kernelPrediction.count == ref.kernelPrediction.count)
        for (k, point) in outcome.kernelPrediction.enumerated() {
            #expect(
                point.value.isApproximatelyEqual(
                    to: ref.kernelPrediction[k],
                    absoluteTolerance: 1e-12 * ref.kernelPrediction[0],
                    relativeTolerance: 1e-8),
                "kernel prediction at step \(k): \(point.value) vs \(ref.kernelPrediction[k])")
        }

        let g = outcome.diagnostics
        func check(
            _ value: Double?, _ key: String, _ tolerance: Double, absolute: Double = 0,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let expected = try #require(ref.double(key), "case.json lacks \(key)")
            let actual = try #require(value, "\(key) is nil", sourceLocation: sourceLocation)
            #expect(
                actual.isApproximatelyEqual(to: expected, absoluteTolerance: absolute, relativeTolerance: tolerance),
                "\(key): \(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
        try check(outcome.eta, "eta", 1e-15)
        try check(outcome.lossInitial, "loss_initial", 1e-12)
        try check(outcome.lossFinal, "loss_final", 1e-8)
        // Eigenvalues: 1e-10 relative to the matrix's lambda_max (absolute tolerance).
        let starMax = try #require(ref.double("lambda_max_star"))
        try check(g.lambdaStar, "lambda_star", 0, absolute: 1e-10 * starMax)
        try check(g.lambdaMaxStar, "lambda_max_star", 0, absolute: 1e-10 * starMax)
        try check(g.lambdaMinInit, "lambda_min_init", 0, absolute: 1e-10 * (ref.double("lambda_max_init") ?? .nan))
        // W(final) carries the 1e-8 trajectory error into H(W(T)).
        try check(g.lambdaMinFinal, "lambda_min_final", 0, absolute: 1e-8 * (ref.double("lambda_max_final") ?? .nan))
        try check(g.gramDistanceInit, "gram_distance_init", 1e-10)
        try check(g.gramDistanceFinal, "gram_distance_final", 1e-8)
        try check(g.predictedRate, "predicted_rate", 1e-12)
        try check(g.observedRate, "observed_rate", 1e-8)
        try check(
            g.kernelPredictionFinalLoss, "kernel_prediction_final_loss", 1e-8,
            absolute: 1e-12 * ref.kernelPrediction[0])
        try check(g.maxWeightMovement, "max_weight_movement", 1e-8)
        try check(g.maxPreactivation, "max_preactivation", 1e-8)
        #expect(g.envelopeViolations == ref.int("envelope_violations"))
        let expectedCondition =
            try #require(ref.double("gram_distance_init")) <= (ref.double("lambda_star") ?? .nan) / 4
        #expect(g.widthConditionMet == expectedCondition)

        // Final H(W(T)) spectrum against eig_h_final.
        let finalSpectrum = try #require(outcome.spectra.last { $0.kind == .hW && $0.step == outcome.stepsRun })
        #expect(
            maxScaledError(finalSpectrum.eigenvalues, ref.eigHFinal, scale: try #require(ref.eigHFinal.last)) <= 1e-8)
    }

    @Test("learning_rate auto = 1 / lambda_max(H(W(0))) reproduces small-exp")
    func autoLearningRate() throws {
        let ref = try ReferenceCase("small-exp")
        let outcome = try Trainer.train(
            ref.config(learningRate: .auto), on: ref.dataset, from: ref.initial, options: testOptions)
        let eta = try #require(outcome.eta)
        // eta from an eigenvalue: 1e-10 relative (README's eigenvalue tolerance).
        #expect(eta.isApproximatelyEqual(to: ref.eta, relativeTolerance: 1e-10))
        let final = try #require(outcome.lossFinal)
        #expect(final.isApproximatelyEqual(to: try #require(ref.double("loss_final")), relativeTolerance: 1e-6))
    }
}
