import ExpRegCore
import ExpRegTestSupport
import Foundation
import RealModule
import Testing

/// Held-out errors against the independent NumPy computation in Tests/Fixtures/heldout
/// (make_heldout_reference.py: numpy.linalg.solve, i.e. LU, where ExpReg uses Cholesky).
@Suite("Held-out errors")
struct HeldOutReferenceTests {
    /// One case: the reference training case plus its committed test points and expected numbers.
    struct Case {
        let reference: ReferenceCase
        let test: Dataset
        let expected: [String: Any]

        init(_ name: String) throws {
            reference = try ReferenceCase(name)
            let folder = Fixtures.directory.appendingPathComponent("heldout").appendingPathComponent(name)
            let rows = try readNumericCSV(folder.appendingPathComponent("test.csv"), header: true)
            let d = rows[0].count - 1
            test = try Dataset(n: rows.count, d: d, x: rows.flatMap { $0.prefix(d) }, y: rows.map { $0[d] })
            let json = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
            expected = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
        }

        func number(_ key: String) throws -> Double {
            try #require((expected[key] as? NSNumber)?.doubleValue, "expected.json lacks \(key)")
        }

        func vector(_ key: String) throws -> [Double] {
            try #require((expected[key] as? [NSNumber])?.map(\.doubleValue), "expected.json lacks \(key)")
        }

        func evaluate() -> HeldOutErrors {
            HeldOutEvaluation.evaluate(
                training: reference.dataset, test: test, activation: reference.activation,
                sigma: reference.sigma, a: reference.initial.a,
                initialWeights: { reference.initial.w }, finalWeights: { reference.finalWeights },
                hStarEigenvalues: reference.eigHStar)
        }
    }

    // Tolerance 1e-10 relative: H* has condition number ≤ 100 in these cases (expected.json
    // `hstar_condition`), so two backward-stable solves (Cholesky, LU) agree to ~κ·n·ε ≈ 1e-12;
    // the exp kernel's entries themselves agree to ~1e-15 (libm vs NumPy exp).

    @Test("ntk_test_mse and kernel_test_mse match NumPy (1e-10 relative)", arguments: ReferenceCase.all)
    func kernelPredictions(name: String) throws {
        let c = try Case(name)
        let errors = c.evaluate()
        #expect(errors.note == nil)
        let ntk = try #require(errors.ntkTestMSE)
        let kernel = try #require(errors.kernelTestMSE)
        #expect(ntk.isApproximatelyEqual(to: try c.number("ntk_test_mse"), relativeTolerance: 1e-10), "\(ntk)")
        #expect(kernel.isApproximatelyEqual(to: try c.number("kernel_test_mse"), relativeTolerance: 1e-10), "\(kernel)")
    }

    @Test(
        "the NTK interpolant's predictions match NumPy point by point (1e-10 of the largest)",
        arguments: ReferenceCase.all)
    func ntkPredictionsPointwise(name: String) throws {
        let c = try Case(name)
        let ref = c.reference
        let hStar = GramMatrix.closedForm(
            x: ref.dataset.x, n: ref.n, d: ref.dataset.d, activation: ref.activation,
            sigma: ref.sigma)
        let alpha = try KernelRegression.coefficients(
            hStar: hStar, n: ref.n, eigenvalues: nil, targets: [ref.dataset.y])
        let cross = GramMatrix.closedFormCross(
            a: c.test.x, rows: c.test.n, b: ref.dataset.x, columns: ref.n,
            d: ref.dataset.d, activation: ref.activation, sigma: ref.sigma)
        let predictions = KernelRegression.predict(cross: cross, rows: c.test.n, coefficients: alpha[0])
        let expected = try c.vector("ntk_predictions")
        #expect(maxScaledError(predictions, expected, scale: maxAbs(expected)) <= 1e-10)
        // The interpolant reproduces the training labels: H*(X, X) H*⁻¹ y = y (up to κ·ε).
        let atTraining = KernelRegression.predict(cross: hStar, rows: ref.n, coefficients: alpha[0])
        #expect(maxScaledError(atTraining, ref.dataset.y, scale: maxAbs(ref.dataset.y)) <= 1e-11)
    }

    @Test("network outputs and test_mse at W(0) and W(T) match NumPy (1e-12 relative)", arguments: ReferenceCase.all)
    func networkOutputs(name: String) throws {
        let c = try Case(name)
        let ref = c.reference
        let initial = NetworkOutputs.evaluate(
            x: c.test.x, count: c.test.n, d: c.test.d, a: ref.initial.a,
            w: ref.initial.w, activation: ref.activation)
        let final = NetworkOutputs.evaluate(
            x: c.test.x, count: c.test.n, d: c.test.d, a: ref.initial.a,
            w: ref.finalWeights, activation: ref.activation)
        // Sums over m neurons in a different order than NumPy's matmul: ~m·ε relative to Σ|terms|.
        #expect(
            maxScaledError(initial, try c.vector("outputs_init"), scale: maxAbs(try c.vector("outputs_init"))) <= 1e-12)
        #expect(
            maxScaledError(final, try c.vector("outputs_final"), scale: maxAbs(try c.vector("outputs_final"))) <= 1e-12)
        let testMSE = try #require(c.evaluate().testMSE)
        #expect(testMSE.isApproximatelyEqual(to: try c.number("test_mse"), relativeTolerance: 1e-12))
    }

    @Test("a trained run reports the held-out errors of its W(T) and 2L/n as train_mse", arguments: ReferenceCase.all)
    func trainerReportsHeldOutErrors(name: String) throws {
        let c = try Case(name)
        let ref = c.reference
        let outcome = try Trainer.train(
            ref.config(), on: ref.dataset, from: ref.initial, heldOut: c.test, options: testOptions)
        let h = outcome.heldOut
        // Independent of training: the NumPy tolerance.
        #expect(
            try #require(h.ntkTestMSE).isApproximatelyEqual(to: try c.number("ntk_test_mse"), relativeTolerance: 1e-10))
        #expect(
            try #require(h.kernelTestMSE).isApproximatelyEqual(
                to: try c.number("kernel_test_mse"),
                relativeTolerance: 1e-10))
        // W(T) carries the trajectory's 1e-8 relative error (reference README) into the outputs.
        #expect(try #require(h.testMSE).isApproximatelyEqual(to: try c.number("test_mse"), relativeTolerance: 1e-7))
        let lossFinal = try #require(ref.double("loss_final"))
        #expect(
            try #require(h.trainMSE).isApproximatelyEqual(to: 2 * lossFinal / Double(ref.n), relativeTolerance: 1e-8))
    }

    @Test("training is bitwise identical with and without a test set")
    func testSetDoesNotTouchTraining() throws {
        let config = RunConfig(
            seed: 3, data: DataConfig(n: 24, d: 6, labels: .teacher, seed: 5, testN: 40),
            model: ModelConfig(activation: .exp, width: 96, initScale: 0.8),
            train: TrainConfig(steps: 60, targetLoss: 0, logEvery: 7, spectrumEvery: 20))
        let training = SphereData.generate(n: 24, d: 6, labels: .teacher, seed: 5)
        let test = SphereData.heldOut(testCount: 40, trainingCount: 24, d: 6, labels: .teacher, seed: 5)
        let without = try Trainer.train(config, on: training, options: testOptions)
        var with = try Trainer.train(config, on: training, heldOut: test, options: testOptions)
        #expect(with.heldOut.testMSE != nil && with.heldOut.kernelTestMSE != nil && with.heldOut.ntkTestMSE != nil)
        #expect(without.heldOut.testMSE == nil && without.heldOut.trainMSE != nil)
        #expect(with.heldOut.trainMSE == without.heldOut.trainMSE)
        with.heldOut = without.heldOut
        // Same code path, same inputs: the contract is bitwise equality, not a tolerance.
        #expect(with == without)
    }

    @Test("a numerically singular H* gives no kernel values and says why; the network's test MSE remains")
    func singularHStar() throws {
        // Two identical training points make H* exactly singular.
        let base = SphereData.generate(n: 6, d: 4, labels: .random, seed: 9)
        let x = base.x + base.x.prefix(4)
        let training = try Dataset(n: 7, d: 4, x: x, y: base.y + [0.5])
        let test = SphereData.heldOut(testCount: 5, trainingCount: 6, d: 4, labels: .random, seed: 9)
        let config = RunConfig(
            seed: 1, data: DataConfig(n: 7, d: 4),
            model: ModelConfig(activation: .exp, width: 32, initScale: 1),
            train: TrainConfig(steps: 10, learningRate: .fixed(0.01), targetLoss: 0))
        let outcome = try Trainer.train(config, on: training, heldOut: test, options: testOptions)
        #expect(outcome.heldOut.testMSE != nil)
        #expect(outcome.heldOut.kernelTestMSE == nil)
        #expect(outcome.heldOut.ntkTestMSE == nil)
        let note = try #require(outcome.heldOut.note)
        #expect(note.contains("numerically singular"), "\(note)")
    }

    @Test("a test set of another dimension is a configuration error")
    func dimensionMismatch() throws {
        let training = SphereData.generate(n: 8, d: 4, labels: .random, seed: 1)
        let test = SphereData.generate(n: 3, d: 5, labels: .random, seed: 2)
        let config = RunConfig(
            seed: 0, data: DataConfig(n: 8, d: 4), model: ModelConfig(width: 8),
            train: TrainConfig(steps: 2))
        #expect(throws: TrainingError.self) {
            try Trainer.train(config, on: training, heldOut: test, options: testOptions)
        }
    }
}
