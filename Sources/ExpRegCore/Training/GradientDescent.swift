import ExpRegLinAlg

/// Full-batch gradient descent on L(W) = ½ Σ_i (F(W, x_i) − y_i)² for
/// F(W, x) = (1/√m) Σ_r a_r act(⟨w_r, x⟩), with preallocated buffers: a step allocates nothing
/// (the forward pass's per-block partial sums live in a scratch buffer resized only when
/// ``blockWidth`` changes).
///
/// One step, with X (n × d), W (m × d), all row-major:
/// 1. forward: Z = X Wᵀ (n × m, `dgemm`); E = act(Z) (exp: the vectorised kernel of
///    ``VectorMath``); u = E · (a/√m); r = u − y; L = ½ ‖r‖². Blocked over neurons: each block
///    of Z is turned into D ∘ a/√m, its part of u and max |z| in one fused pass while in cache.
/// 2. backward: ∇_{w_r} L = (1/√m) a_r Σ_i r_i act'(z_ir) x_i, i.e. ∇L = (D ∘ a/√m)ᵀ (diag(r) X)
///    with D = act'(Z) (exp: D = E; relu: D = 1[Z > 0]); the update Wᵀ ← Wᵀ − η (diag(r) X)ᵀ (D ∘ a/√m)
///    is one `dgemm` with beta = 1 per thread straight into the stored Wᵀ.
/// See ``NeuronBlockKernel`` for the blocking and the thread split.
///
/// The instance owns its buffers (about n·m + m·d + 2·n·d doubles) and is confined to one task.
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
    /// Threads of one step (≥ 1; default: OpenBLAS's thread count when the stepper is made).
    /// Neurons are split into fixed blocks shared out among the threads, and BLAS runs
    /// single-threaded inside each, so the loss and outputs do not depend on this number.
    public var threads: Int {
        didSet { threads = max(1, threads) }
    }
    /// Neurons per block of the forward pass (≥ 1); `nil` (the default) picks
    /// ``NeuronBlockKernel/defaultBlockWidth(rows:)`` for n. It changes the order of the sums in u,
    /// so keep it fixed where results are compared bitwise (it never depends on the machine).
    public var blockWidth: Int? {
        didSet { blockWidth = blockWidth.map { max(1, $0) } }
    }

    private let x: UnsafeMutableBufferPointer<Double>       // n × d
    private let y: UnsafeMutableBufferPointer<Double>       // n
    private let aScaled: UnsafeMutableBufferPointer<Double> // m: a_r / √m
    private let wt: UnsafeMutableBufferPointer<Double>      // Wᵀ, d × m (row j holds input j of every neuron)
    private let z: UnsafeMutableBufferPointer<Double>       // n × m: Z, then D ∘ a/√m
    private let u: UnsafeMutableBufferPointer<Double>       // n: outputs, then residuals r
    private let xr: UnsafeMutableBufferPointer<Double>      // n × d: diag(r) X
    private var forwardScratch: UnsafeMutableBufferPointer<Double>  // forward's per-block sums and maxima
    /// True when `z` and `u` hold the forward pass of the current weights.
    private var forwardIsCurrent = false
    private var lastLoss = Double.nan
    private var lastMaxPreactivation = 0.0

    /// Output signs a_r (length m), as given.
    public let a: [Double]

    /// Prepares a stepper for `dataset` starting at W = `w`.
    /// - Parameters:
    ///   - a: output weights, length m (the width is `a.count`).
    ///   - w: hidden weights, row-major m × d.
    /// - Precondition: `a.count ≥ 1`, `w.count == a.count · dataset.d`.
    public init(dataset: Dataset, activation: Activation, a: [Double], w: [Double]) {
        let m = a.count
        precondition(m >= 1, "GradientDescent: width must be >= 1")
        precondition(w.count == m * dataset.d,
                     "GradientDescent: w has \(w.count) values, expected m·d = \(m)·\(dataset.d)")
        n = dataset.n
        d = dataset.d
        self.m = m
        self.activation = activation
        threads = max(1, BLAS.threadCount)
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
        z = .allocate(capacity: n * m)
        z.initialize(repeating: 0)
        u = .allocate(capacity: n)
        u.initialize(repeating: 0)
        xr = .allocate(capacity: n * d)
        xr.initialize(repeating: 0)
        forwardScratch = .allocate(capacity: 0)
    }

    deinit {
        for buffer in [x, y, aScaled, wt, z, u, xr, forwardScratch] { buffer.deallocate() }
    }

    /// The current hidden weights W, row-major m × d (a copy). Setting requires m·d values.
    ///
    /// W is kept transposed inside (d × m: both GEMMs of a step run about twice as fast on
    /// OpenBLAS with that layout), so reading or setting costs one O(m·d) transpose.
    public var weights: [Double] {
        get {
            var w = [Double](repeating: 0, count: m * d)
            for r in 0..<m {
                for j in 0..<d { w[r * d + j] = wt[j * m + r] }
            }
            return w
        }
        set {
            precondition(newValue.count == m * d, "GradientDescent.weights: \(newValue.count) values, expected \(m * d)")
            Self.transpose(newValue, rows: m, columns: d, into: wt)
            forwardIsCurrent = false
        }
    }

    /// out (columns × rows) = source (rows × columns)ᵀ, both row-major.
    private static func transpose(_ source: [Double], rows: Int, columns: Int, into out: UnsafeMutableBufferPointer<Double>) {
        for r in 0..<rows {
            for j in 0..<columns { out[j * rows + r] = source[r * columns + j] }
        }
    }

    /// max_{i,r} |⟨w_r, x_i⟩| of the most recent forward pass (0 before the first one).
    public var maxPreactivation: Double { lastMaxPreactivation }

    /// The residuals r = u − y of the current weights (n values; runs a forward pass if needed).
    public func residuals() -> [Double] {
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
    /// every |a_r| = 1 (then use ``GramMatrix/empirical(x:n:d:w:m:activation:)``).
    ///
    /// After a forward pass the stepper holds D ∘ a/√m (n × m), and with a_r = ±1,
    /// (D ∘ a/√m)(D ∘ a/√m)ᵀ = D Dᵀ / m, so H = (X Xᵀ) ∘ (that) costs one `dsyrk` and needs no
    /// second n × m matrix. The forward pass stays cached, so the next ``step(eta:)`` reuses it.
    /// Agrees with ``GramMatrix/empirical(x:n:d:w:m:activation:)`` to rounding (a few ulps:
    /// (a_r/√m)² is 1/m rounded).
    /// NaN behaviour: non-finite pre-activations give non-finite entries.
    /// - Complexity: O(n²·m + n²·d) time (plus a forward pass if W changed), n² + 128·n doubles.
    public func empiricalGram() -> [Double]? {
        guard a.allSatisfy({ abs($0) == 1 }) else { return nil }
        _ = loss()
        var h = [Double](repeating: 0, count: n * n)
        h.withUnsafeMutableBufferPointer { hp in
            BLAS.syrkUpper(n: n, k: m, alpha: 1, a: z.baseAddress!, lda: m, beta: 0, c: hp.baseAddress!, ldc: n)
            NeuronBlockKernel.multiplyByInnerProducts(hp.baseAddress!, x: x.baseAddress!, n: n, d: d)
        }
        return h
    }

    /// ∇L(W) at the current weights, row-major m × d (allocates; for tests and diagnostics).
    public func gradient() -> [Double] {
        _ = loss()
        prepareBackward()
        var g = [Double](repeating: 0, count: m * d)
        g.withUnsafeMutableBufferPointer { gp in
            guard let gBase = gp.baseAddress else { return }
            BLAS.gemm(.transpose, .none, m: m, n: d, k: n, alpha: 1, a: z.baseAddress!, lda: m,
                      b: xr.baseAddress!, ldb: d, beta: 0, c: gBase, ldc: d)
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
        NeuronBlockKernel.update(eta: eta, z: z.baseAddress!, n: n, m: m, xr: xr.baseAddress!, d: d,
                                 wt: wt.baseAddress!, threads: threads)
        forwardIsCurrent = false
        return current
    }

    /// Forward pass: fills `z` with D ∘ (a/√m) (row i, column r scaled by a_r/√m) and `u` with r.
    ///
    /// Blocked over neurons (``NeuronBlockKernel/forward(activation:x:n:d:wt:m:aScaled:z:u:threads:blockWidth:scratch:)``):
    /// each block of Z = X Wᵀ is written by a `dgemm` and, while still in cache, turned into
    /// D ∘ a/√m with u accumulated and max |z| tracked in the same pass (exp or relu).
    private func forward() {
        let needed = NeuronBlockKernel.scratchCount(
            rows: n, width: m, blockWidth: blockWidth ?? NeuronBlockKernel.defaultBlockWidth(rows: n))
        if forwardScratch.count < needed {  // first step, or blockWidth grew
            forwardScratch.deallocate()
            forwardScratch = .allocate(capacity: needed)
        }
        lastMaxPreactivation = NeuronBlockKernel.forward(
            activation: activation.blockKernel, x: x.baseAddress!, n: n, d: d, wt: wt.baseAddress!, m: m,
            aScaled: aScaled.baseAddress!, z: z.baseAddress!, u: u.baseAddress!, threads: threads,
            blockWidth: blockWidth, scratch: forwardScratch)
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
