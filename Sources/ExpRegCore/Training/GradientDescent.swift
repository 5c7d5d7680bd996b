// Public: this file's API takes ExpRegLinAlg's `KernelPath` (see CoreLayering.swift).
public import ExpRegLinAlg

/// Full-batch gradient descent on L(W) = ½ Σ_i (F(W, x_i) − y_i)² for
/// F(W, x) = (1/√m) Σ_r a_r act(⟨w_r, x⟩), with preallocated buffers: a step allocates nothing.
///
/// One step, with X (n × d), W (m × d), all row-major:
/// 1. forward: Z = X Wᵀ (n × m); E = act(Z); u = E · (a/√m); r = u − y; L = ½ ‖r‖². Z is
///    never stored: the activation runs in the GEMM's epilogue, which writes D ∘ a/√m
///    (D = act'(Z); exp: D = E, relu: D = 1[Z > 0]), adds to u and tracks max |z|.
/// 2. backward: ∇_{w_r} L = (1/√m) a_r Σ_i r_i act'(z_ir) x_i, i.e. ∇L = (D ∘ a/√m)ᵀ (diag(r) X);
///    the update Wᵀ ← Wᵀ − η (diag(r) X)ᵀ (D ∘ a/√m) goes straight into the stored Wᵀ.
/// See ``StepPanels`` for the kernels, the panel layout of D and the thread split.
///
/// The instance owns its buffers (about n·m + m·d + 3·n·d doubles) and is confined to one task.
/// With `lean: true` it holds no n × m matrix (``LeanStepBlocks``: D is recomputed per block of
/// neurons in the update and in H(W); about m·d + 3·n·d + threads·n·B doubles, B ≤ 384).
/// Lean vs materialising on one kernel path: D, the summation grid of u and the update's
/// arithmetic per column are the same, so the outputs are equal to rounding; the bound used in the
/// tests is |Δu_i| ≤ (m/B + 2)·ε·Σ_r |a_r act(z_ir)|/√m (a reordered sum of u over blocks).
/// NaN behaviour: if the loss of the forward pass is not finite, ``step(eta:)`` leaves W unchanged
/// and returns that loss, so callers detect divergence without corrupting the weights.
///
/// - Complexity: one step is O(n·m·d) (two GEMMs, 4·n·m·d flops) plus O(n·m) element-wise work.
public final class GradientDescent {
    /// Number of points n.
    public let n: Int
    /// Input dimension d.
    public let d: Int
    /// Width m (hidden neurons).
    public let m: Int
    /// The hidden activation (exp or relu).
    public let activation: Activation
    /// Threads of one step (≥ 1, given at init). Neurons are split into fixed blocks shared out
    /// among the threads, and OpenBLAS always runs single-threaded, so the loss, outputs and
    /// weights do not depend on this number.
    public var threads: Int {
        didSet { threads = max(1, threads) }
    }
    /// Neurons per block of the forward pass (≥ 1, rounded up to whole panels of
    /// ``StepPanels/panelWidth``); `nil` (the default) picks ``StepPanels/defaultPanelsPerBlock(width:)``.
    /// It changes the order of the sums in u, so keep it fixed where results are compared bitwise
    /// (it never depends on the machine). The lean stepper always uses the default grid.
    public var blockWidth: Int? {
        didSet { blockWidth = blockWidth.map { max(1, $0) } }
    }
    /// The kernels of the two GEMMs and the exp (given at init).
    public var path: KernelPath {
        switch stepper {
        case .materializing(let kernels): kernels.path
        case .lean(let lean): lean.path
        }
    }
    /// True when the stepper trains without the n × m matrix (``LeanStepBlocks``; given at init).
    package var isLean: Bool {
        if case .lean = stepper { return true }
        return false
    }

    private let x: UnsafeMutableBufferPointer<Double>  // n × d
    private let y: UnsafeMutableBufferPointer<Double>  // n
    private let aScaled: UnsafeMutableBufferPointer<Double>  // m: a_r / √m
    private let wt: UnsafeMutableBufferPointer<Double>  // Wᵀ, d × m (row j holds input j of every neuron)
    /// How the step holds D ∘ a/√m: the n × m panels (``StepPanels``) or per block of neurons,
    /// recomputed (``LeanStepBlocks``).
    private enum Stepper {
        case materializing(StepPanels)
        case lean(LeanStepBlocks)
    }
    private let stepper: Stepper
    private let u: UnsafeMutableBufferPointer<Double>  // n: outputs, then residuals r
    private let xr: UnsafeMutableBufferPointer<Double>  // n × d: diag(r) X
    /// True when the panels of `kernels` and `u` hold the forward pass of the current weights.
    private var forwardIsCurrent = false
    private var lastLoss = Double.nan
    private var lastMaxPreactivation = 0.0

    /// Output signs a_r (length m), as given.
    public let a: [Double]

    /// Prepares a stepper for `dataset` starting at W = `w`.
    /// - Parameters:
    ///   - a: output weights, length m (the width is `a.count`).
    ///   - w: hidden weights, row-major m × d.
    ///   - path: the kernel path (``KernelPath``; the caller chooses it, e.g. ``KernelPath/best``).
    ///   - threads: worker threads of a step (≥ 1; results do not depend on it).
    ///   - lean: train without the n × m matrix (``LeanStepBlocks``); the caller decides, e.g. by
    ///     ``TrainingPath/chosen(n:m:activationBudgetBytes:)``.
    /// - Precondition: `a.count ≥ 1`, `w.count == a.count · dataset.d`, `path.isAvailable`.
    public init(
        dataset: Dataset, activation: Activation, a: [Double], w: [Double],
        path: KernelPath, threads: Int = 1, lean: Bool = false
    ) {
        let m = a.count
        precondition(m >= 1, "GradientDescent: width must be >= 1")
        precondition(
            w.count == m * dataset.d,
            "GradientDescent: w has \(w.count) values, expected m·d = \(m)·\(dataset.d)")
        n = dataset.n
        d = dataset.d
        self.m = m
        self.activation = activation
        self.threads = max(1, threads)
        self.a = a
        x = .allocate(capacity: n * d)
        _ = x.initialize(from: dataset.x)
        y = .allocate(capacity: n)
        _ = y.initialize(from: dataset.y)
        aScaled = .allocate(capacity: m)
        let scale = 1 / Double(m).squareRoot()
        for r in 0..<m { aScaled.initializeElement(at: r, to: a[r] * scale) }
        wt = .allocate(capacity: m * d)
        wt.initialize(repeating: 0)
        Self.transpose(w, rows: m, columns: d, into: wt)
        stepper =
            lean
            ? .lean(
                LeanStepBlocks(x: x.baseAddress!, n: n, d: d, m: m, activation: activation.blockKernel, path: path))
            : .materializing(
                StepPanels(x: x.baseAddress!, n: n, d: d, m: m, activation: activation.blockKernel, path: path))
        u = .allocate(capacity: n)
        u.initialize(repeating: 0)
        xr = .allocate(capacity: n * d)
        xr.initialize(repeating: 0)
    }

    deinit {
        for buffer in [x, y, aScaled, wt, u, xr] { buffer.deallocate() }
    }

    /// The current hidden weights W, row-major m × d (a copy). Setting requires m·d values.
    ///
    /// W is kept transposed inside (d × m: a panel of 24 neurons is then 24 contiguous doubles
    /// per input), so reading or setting costs one O(m·d) transpose.
    public var weights: [Double] {
        get {
            var w = [Double](repeating: 0, count: m * d)
            for r in 0..<m {
                for j in 0..<d { w[r * d + j] = wt[j * m + r] }
            }
            return w
        }
        set {
            precondition(
                newValue.count == m * d, "GradientDescent.weights: \(newValue.count) values, expected \(m * d)")
            Self.transpose(newValue, rows: m, columns: d, into: wt)
            forwardIsCurrent = false
        }
    }

    /// max_r ‖w_r − w0_r‖₂ between the current weights and `w0` (row-major m × d), read straight
    /// from the stored Wᵀ (no m × d copy).
    /// - Complexity: O(m·d) time, m extra doubles.
    package func maxRowDistance(from w0: [Double]) -> Double {
        precondition(w0.count == m * d, "GradientDescent.maxRowDistance: \(w0.count) values, expected \(m * d)")
        var squares = [Double](repeating: 0, count: m)
        for j in 0..<d {
            let row = wt.baseAddress! + j * m
            for r in 0..<m {
                let difference = row[r] - w0[r * d + j]
                squares[r] += difference * difference
            }
        }
        return squares.max().map { $0.squareRoot() } ?? 0
    }

    /// out (columns × rows) = source (rows × columns)ᵀ, both row-major.
    private static func transpose(
        _ source: [Double], rows: Int, columns: Int, into out: UnsafeMutableBufferPointer<Double>
    ) {
        for r in 0..<rows {
            for j in 0..<columns { out[j * rows + r] = source[r * columns + j] }
        }
    }

    /// max_{i,r} |⟨w_r, x_i⟩| of the most recent forward pass (0 before the first one).
    public var maxPreactivation: Double { lastMaxPreactivation }

    /// The residuals r = u − y of the current weights (n values; runs a forward pass if needed).
    package func residuals() -> [Double] {
        _ = loss()
        return Array(u)
    }

    /// L(W) = ½ Σ_i (F(W, x_i) − y_i)² at the current weights (forward pass; cached until W changes).
    ///
    /// Non-finite (exp overflow, NaN weights) is returned as is.
    public func loss() -> Double {
        if !forwardIsCurrent { forward() }
        return lastLoss
    }

    /// H(W) at the current weights, n × n row-major, from the forward pass's buffer; `nil` unless
    /// every |a_r| = 1 (then use ``GramMatrix/empirical(x:n:d:w:m:activation:threads:path:)``).
    ///
    /// After a forward pass the stepper holds D ∘ a/√m (n × m), and with a_r = ±1,
    /// (D ∘ a/√m)(D ∘ a/√m)ᵀ = D Dᵀ / m, so H = (X Xᵀ) ∘ (that) is built from the panels
    /// (``StepPanels/derivativeGramUpper(into:threads:)``) and needs no second n × m matrix. The
    /// forward pass stays cached, so the next ``step(eta:)`` reuses it. The result does not depend
    /// on ``threads``.
    /// Agrees with ``GramMatrix/empirical(x:n:d:w:m:activation:threads:path:)`` to rounding (a few ulps:
    /// (a_r/√m)² is 1/m rounded).
    /// NaN behaviour: non-finite pre-activations give non-finite entries.
    /// - Complexity: O(n²·m + n²·d) time (plus a forward pass if W changed), n² + about 800·n doubles.
    public func empiricalGram() -> [Double]? {
        guard a.allSatisfy({ abs($0) == 1 }) else { return nil }
        _ = loss()
        // Every entry is written (the upper triangle, then its mirror), so h starts uninitialised.
        return [Double](unsafeUninitializedCapacity: n * n) { hp, count in
            switch stepper {
            case .materializing(let kernels):
                kernels.derivativeGramUpper(into: hp.baseAddress!, threads: threads)
            case .lean(let lean):
                lean.derivativeGramUpper(
                    wt: wt.baseAddress!, aScaled: aScaled.baseAddress!, into: hp.baseAddress!,
                    threads: threads)
            }
            NeuronBlockKernel.multiplyByInnerProducts(hp.baseAddress!, x: x.baseAddress!, n: n, d: d, threads: threads)
            count = n * n
        }
    }

    /// ∇L(W) at the current weights, row-major m × d (allocates; for tests and diagnostics).
    public func gradient() -> [Double] {
        _ = loss()
        prepareBackward()
        var g = [Double](repeating: 0, count: m * d)
        g.withUnsafeMutableBufferPointer { gp in
            switch stepper {
            case .materializing(let kernels):
                kernels.gradient(xr: xr.baseAddress!, into: gp.baseAddress!)
            case .lean(let lean):
                lean.gradient(
                    wt: wt.baseAddress!, aScaled: aScaled.baseAddress!, xr: xr.baseAddress!,
                    into: gp.baseAddress!)
            }
        }
        return g
    }

    /// One full gradient-descent step W ← W − η ∇L(W).
    ///
    /// - Returns: the loss **before** the update, L(W) from the same forward pass. When it is not
    ///   finite the weights are left unchanged.
    @discardableResult
    public func step(eta: Double) -> Double {
        let current = loss()
        guard current.isFinite else { return current }
        prepareBackward()
        switch stepper {
        case .materializing(let kernels):
            kernels.update(eta: eta, xr: xr.baseAddress!, wt: wt.baseAddress!, threads: threads)
        case .lean(let lean):
            lean.update(
                eta: eta, xr: xr.baseAddress!, wt: wt.baseAddress!, aScaled: aScaled.baseAddress!,
                threads: threads, maxPreactivation: lastMaxPreactivation)
        }
        forwardIsCurrent = false
        return current
    }

    /// Forward pass: fills the panels with D ∘ (a/√m) (row i, column r scaled by a_r/√m) and `u` with r
    /// (``StepPanels/forward(wt:aScaled:u:threads:panelsPerBlock:)``).
    private func forward() {
        let panelsPerBlock = blockWidth.map { ($0 + StepPanels.panelWidth - 1) / StepPanels.panelWidth }
        switch stepper {
        case .materializing(let kernels):
            lastMaxPreactivation = kernels.forward(
                wt: wt.baseAddress!, aScaled: aScaled.baseAddress!,
                u: u.baseAddress!, threads: threads, panelsPerBlock: panelsPerBlock)
        case .lean(let lean):
            lastMaxPreactivation = lean.forward(
                wt: wt.baseAddress!, aScaled: aScaled.baseAddress!, u: u.baseAddress!,
                threads: threads)
        }
        var total = 0.0
        for i in 0..<n {
            let r = u[i] - y[i]
            u[i] = r
            total += r * r
        }
        if lastMaxPreactivation.isNaN { total = .nan }
        lastLoss = 0.5 * total
        forwardIsCurrent = true
    }

    /// xr = diag(r) X from the residuals of the current forward pass.
    private func prepareBackward() {
        for i in 0..<n {
            let ri = u[i]
            for j in 0..<d { xr[i * d + j] = ri * x[i * d + j] }
        }
    }
}
