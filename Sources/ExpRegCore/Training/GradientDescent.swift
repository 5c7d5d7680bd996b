import ExpRegLinAlg

/// Full-batch gradient descent on L(W) = ½ Σ_i (F(W, x_i) − y_i)² for
/// F(W, x) = (1/√m) Σ_r a_r act(⟨w_r, x⟩), with preallocated buffers (no allocation per step).
///
/// One step, with X (n × d), W (m × d), all row-major:
/// 1. forward: Z = X Wᵀ (n × m, `dgemm`); E = act(Z) (exp via ``VectorMath/expInPlace(_:)``);
///    u = E · (a/√m) (`dgemv`); r = u − y; L = ½ ‖r‖².
/// 2. backward: ∇_{w_r} L = (1/√m) a_r Σ_i r_i act'(z_ir) x_i, i.e. ∇L = (D ∘ a/√m)ᵀ (diag(r) X)
///    with D = act'(Z) (exp: D = E; relu: D = 1[Z > 0]); the update W ← W − η ∇L is a single
///    `dgemm` with beta = 1 straight into W.
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

    private let x: UnsafeMutableBufferPointer<Double>       // n × d
    private let y: UnsafeMutableBufferPointer<Double>       // n
    private let aScaled: UnsafeMutableBufferPointer<Double> // m: a_r / √m
    private let w: UnsafeMutableBufferPointer<Double>       // m × d
    private let z: UnsafeMutableBufferPointer<Double>       // n × m: Z, then D ∘ a/√m
    private let u: UnsafeMutableBufferPointer<Double>       // n: outputs, then residuals r
    private let xr: UnsafeMutableBufferPointer<Double>      // n × d: diag(r) X
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
        self.a = a
        x = .allocate(capacity: n * d)
        _ = x.initialize(from: dataset.x)
        y = .allocate(capacity: n)
        _ = y.initialize(from: dataset.y)
        aScaled = .allocate(capacity: m)
        let scale = 1 / Double(m).squareRoot()
        for r in 0..<m { aScaled.initializeElement(at: r, to: a[r] * scale) }
        self.w = .allocate(capacity: m * d)
        _ = self.w.initialize(from: w)
        z = .allocate(capacity: n * m)
        z.initialize(repeating: 0)
        u = .allocate(capacity: n)
        u.initialize(repeating: 0)
        xr = .allocate(capacity: n * d)
        xr.initialize(repeating: 0)
    }

    deinit {
        for buffer in [x, y, aScaled, w, z, u, xr] { buffer.deallocate() }
    }

    /// The current hidden weights W, row-major m × d (a copy). Setting requires m·d values.
    public var weights: [Double] {
        get { Array(w) }
        set {
            precondition(newValue.count == m * d, "GradientDescent.weights: \(newValue.count) values, expected \(m * d)")
            _ = UnsafeMutableBufferPointer(rebasing: w[...]).update(fromContentsOf: newValue)
            forwardIsCurrent = false
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
        BLAS.gemm(.transpose, .none, m: m, n: d, k: n, alpha: -eta, a: z.baseAddress!, lda: m,
                  b: xr.baseAddress!, ldb: d, beta: 1, c: w.baseAddress!, ldc: d)
        forwardIsCurrent = false
        return current
    }

    /// Forward pass: fills `z` with D ∘ (a/√m) (row i, column r scaled by a_r/√m) and `u` with r.
    private func forward() {
        let zp = z.baseAddress!
        let count = n * m
        BLAS.gemm(.none, .transpose, m: n, n: m, k: d, alpha: 1, a: x.baseAddress!, lda: d,
                  b: w.baseAddress!, ldb: d, beta: 0, c: zp, ldc: m)
        lastMaxPreactivation = BLAS.maxAbs(count: count, zp)
        switch activation {
        case .exp:
            VectorMath.expInPlace(z)
            // u = E (a/√m); then D ∘ a/√m = E scaled column-wise (act' = act for exp).
            BLAS.gemv(.none, rows: n, columns: m, alpha: 1, a: zp, lda: m, x: aScaled.baseAddress!, beta: 0,
                      y: u.baseAddress!)
            scaleColumns()
        case .relu:
            // relu in place (`value <= 0 ? 0 : value` keeps NaN, so NaN weights surface in the loss),
            // u = relu(Z) (a/√m), then D ∘ a/√m with D = 1[Z > 0] (relu(z) > 0 iff z > 0).
            for k in 0..<count {
                let value = zp[k]
                zp[k] = value <= 0 ? 0 : value
            }
            BLAS.gemv(.none, rows: n, columns: m, alpha: 1, a: zp, lda: m, x: aScaled.baseAddress!, beta: 0,
                      y: u.baseAddress!)
            let ap = aScaled.baseAddress!
            for i in 0..<n {
                let row = zp + i * m
                for r in 0..<m { row[r] = row[r] > 0 ? ap[r] : 0 }
            }
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

    /// z[i, r] *= a_r/√m for every row (vectorisable inner loop).
    private func scaleColumns() {
        let zp = z.baseAddress!
        let ap = aScaled.baseAddress!
        for i in 0..<n {
            let row = zp + i * m
            for r in 0..<m { row[r] *= ap[r] }
        }
    }

    /// xr = diag(r) X from the residuals of the current forward pass.
    private func prepareBackward() {
        for i in 0..<n {
            let ri = u[i]
            for j in 0..<d { xr[i * d + j] = ri * x[i * d + j] }
        }
    }
}
