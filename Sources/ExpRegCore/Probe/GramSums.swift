internal import ExpRegLinAlg

/// The running sum of a condition probe, S = Σ_r D_r D_rᵀ over the neurons accumulated so far
/// (upper triangle, unscaled, n × n row-major), with the one n × n scratch matrix it needs
/// (``ConditionProbe`` documents the order of the sums).
struct GramSums {
    let dataset: Dataset
    let activation: Activation
    let sigma: Double
    let options: ProbeOptions
    private var sum: [Double]
    private var scratch: [Double]

    init(dataset: Dataset, activation: Activation, sigma: Double, options: ProbeOptions) {
        self.dataset = dataset
        self.activation = activation
        self.sigma = sigma
        self.options = options
        sum = [Double](repeating: 0, count: dataset.n * dataset.n)
        scratch = [Double](repeating: 0, count: dataset.n * dataset.n)
    }

    /// S += D_b D_bᵀ for the `count` neurons in `w` (row-major count × d): the chunk's Gram through
    /// the H(W) kernel into the scratch matrix, then added entry by entry to S's upper triangle.
    mutating func add(_ w: [Double], count: Int) {
        let (n, d) = (dataset.n, dataset.d)
        dataset.x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                scratch.withUnsafeMutableBufferPointer { chunk in
                    NeuronBlockKernel.derivativeGram(
                        activation: activation.blockKernel, x: x.baseAddress!, n: n, d: d, w: w.baseAddress!,
                        m: count, scale: 1, into: chunk.baseAddress!, threads: options.threads,
                        path: options.kernels)
                }
            }
        }
        scratch.withUnsafeBufferPointer { chunk in
            sum.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    for j in i..<n { s[i * n + j] += chunk[i * n + j] }
                }
            }
        }
    }

    /// ‖H_m − H*‖₂ and λ_min(H_m) for H_m = (X Xᵀ) ∘ S / m, formed in the scratch matrix; nil when
    /// H_m is not finite (exp overflow).
    mutating func checkpoint(width m: Int) -> (distance: Double, lambdaMin: Double)? {
        let (n, d) = (dataset.n, dataset.d)
        sum.withUnsafeBufferPointer { s in
            scratch.withUnsafeMutableBufferPointer { h in
                for i in 0..<n {
                    for j in i..<n { h[i * n + j] = s[i * n + j] }
                }
                dataset.x.withUnsafeBufferPointer { x in
                    NeuronBlockKernel.multiplyByInnerProducts(
                        h.baseAddress!, x: x.baseAddress!, n: n, d: d, scale: 1 / Double(m),
                        threads: options.threads)
                }
            }
        }
        guard let values = try? SymmetricEigen.eigenvalues(preserving: &scratch, n: n) else { return nil }
        GramMatrix.subtractClosedForm(
            from: &scratch, x: dataset.x, n: n, d: d, activation: activation, sigma: sigma)
        guard let difference = try? SymmetricEigen.eigenvalues(preserving: &scratch, n: n) else { return nil }
        let distance = difference.reduce(0) { max($0, abs($1)) }
        return (distance, values[0])
    }
}
