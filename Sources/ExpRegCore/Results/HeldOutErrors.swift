/// Errors of a run on its training points and on held-out points (results.json: `train_mse`,
/// `test_mse`, `kernel_test_mse`, `ntk_test_mse`). Outside the theorem: the paper bounds the
/// training loss only.
///
/// A value is nil when it was not computed: no test set, a non-finite output, H* numerically
/// singular (then ``note`` says why), or a run that stopped before its GD loop (exp overflow at
/// W(0), `learning_rate: auto` without a usable λ_max).
public struct HeldOutErrors: Sendable, Equatable, Codable {
    /// (1/n) Σ_i (F(W(T), x_i) − y_i)² = 2 L(W(T)) / n on the training points, T = steps run.
    public var trainMSE: Double?
    /// (1/n_test) Σ (F(W(T), x) − y)² over the held-out points.
    public var testMSE: Double?
    /// Test MSE of the kernel-regime prediction of this run's initialisation, in the limit of the
    /// linearised dynamics (t → ∞): u_test = F(W(0), X_test) + H*(X_test, X) · H*⁻¹ · (y − F(W(0), X)).
    public var kernelTestMSE: Double?
    /// Test MSE of the infinite-width NTK interpolant f(x) = H*(x, X) · H*⁻¹ · y (no initial outputs).
    public var ntkTestMSE: Double?
    /// Why the kernel and NTK predictions are missing although a test set was given (e.g. H* is
    /// numerically singular); nil otherwise.
    public var note: String?

    public init(
        trainMSE: Double? = nil, testMSE: Double? = nil, kernelTestMSE: Double? = nil,
        ntkTestMSE: Double? = nil, note: String? = nil
    ) {
        self.trainMSE = trainMSE
        self.testMSE = testMSE
        self.kernelTestMSE = kernelTestMSE
        self.ntkTestMSE = ntkTestMSE
        self.note = note
    }
}
