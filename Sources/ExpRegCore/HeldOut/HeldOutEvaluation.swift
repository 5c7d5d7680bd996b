/// The held-out errors of a trained run (pure; training never sees the test points).
public enum HeldOutEvaluation {
    /// `test_mse`, `kernel_test_mse` and `ntk_test_mse` of a run (``HeldOutErrors``; `trainMSE` is
    /// left nil for the trainer to set).
    ///
    /// - network: u = F(W(T), X_test) (``NetworkOutputs/evaluate(x:count:d:a:w:activation:)``);
    /// - kernel regime (limit of the linearised dynamics from this run's W(0)):
    ///   u = F(W(0), X_test) + H*(X_test, X) · H*⁻¹ · (y − F(W(0), X));
    /// - NTK interpolant: u = H*(X_test, X) · H*⁻¹ · y.
    /// One Cholesky factorisation of H* serves both solves (``KernelRegression``). When H* is
    /// numerically singular or not finite, the two kernel values are nil and `note` says why.
    /// - Parameters:
    ///   - training: the training points X, y (n × d).
    ///   - test: the held-out points (n_test × d, same d).
    ///   - a: output signs a_r (length m).
    ///   - initialWeights: W(0), row-major m × d (called once).
    ///   - finalWeights: W(T), row-major m × d (called once, before `initialWeights`: at most one
    ///     m × d copy lives at a time, which the memory accounting of ``TrainingMemory`` assumes).
    ///   - hStarEigenvalues: ascending eigenvalues of H*(X, X) when already known (conditioning check).
    /// - Complexity: O(n³ + n²·d + n_test·n·d + (n + n_test)·m·d).
    public static func evaluate(
        training: Dataset, test: Dataset, activation: Activation, sigma: Double,
        a: [Double], initialWeights: () -> [Double], finalWeights: () -> [Double],
        hStarEigenvalues: [Double]?
    ) -> HeldOutErrors {
        precondition(training.d == test.d, "HeldOutEvaluation: training d = \(training.d), test d = \(test.d)")
        let d = training.d
        var errors = HeldOutErrors()
        let finalTest = NetworkOutputs.evaluate(
            x: test.x, count: test.n, d: d, a: a, w: finalWeights(),
            activation: activation)
        errors.testMSE = NetworkOutputs.meanSquaredError(finalTest, test.y)

        let hStar = GramMatrix.closedForm(x: training.x, n: training.n, d: d, activation: activation, sigma: sigma)
        let (initialTrain, initialTest) = { () -> ([Double], [Double]) in
            let w0 = initialWeights()
            return (
                NetworkOutputs.evaluate(x: training.x, count: training.n, d: d, a: a, w: w0, activation: activation),
                NetworkOutputs.evaluate(x: test.x, count: test.n, d: d, a: a, w: w0, activation: activation)
            )
        }()
        let initialFinite = initialTrain.allSatisfy(\.isFinite) && initialTest.allSatisfy(\.isFinite)
        let residualTargets = initialFinite ? [zip(training.y, initialTrain).map { $0 - $1 }] : []
        let alphas: [[Double]]
        do {
            alphas = try KernelRegression.coefficients(
                hStar: hStar, n: training.n, eigenvalues: hStarEigenvalues,
                targets: [training.y] + residualTargets)
        } catch {
            errors.note = "\(error); kernel_test_mse and ntk_test_mse are not computed"
            return errors
        }
        let cross = GramMatrix.closedFormCross(
            a: test.x, rows: test.n, b: training.x, columns: training.n, d: d,
            activation: activation, sigma: sigma)
        let ntk = KernelRegression.predict(cross: cross, rows: test.n, coefficients: alphas[0])
        errors.ntkTestMSE = NetworkOutputs.meanSquaredError(ntk, test.y)
        if alphas.count > 1 {
            let correction = KernelRegression.predict(cross: cross, rows: test.n, coefficients: alphas[1])
            let kernel = zip(initialTest, correction).map { $0 + $1 }
            errors.kernelTestMSE = NetworkOutputs.meanSquaredError(kernel, test.y)
        } else {
            errors.note = "F(W(0), x) is not finite (exp overflow); kernel_test_mse is not computed"
        }
        return errors
    }
}
