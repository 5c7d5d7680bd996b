internal import ExpRegLinAlg

/// Measures the paper's sufficient width condition ‖H_m(W0) − H*‖₂ ≤ λ*/4 directly: H_m(W0) is
/// accumulated over neurons, with nothing of size m·d or n·m ever held, and checked at every width
/// of ``ProbeGrid`` until the condition has held for the margin or the maximum width is reached.
///
/// For one (data, activation, σ, seed):
/// - H_m(W0) = (X Xᵀ) ∘ S_m / m with S_m = Σ_{r<m} D_r D_rᵀ, D_r = act'(X w_r) (n-vector), w_r the
///   probe's own stream (``ProbeStream``: the run seed's normals row by row, no signs).
/// - Accumulation order (fixed; it decides every bit of a width's result): the neurons between two
///   grid widths w_{k−1} ≤ r < w_k are taken in chunks of ``ProbeOptions/chunkWidth(d:)`` from
///   w_{k−1}; each chunk's D_b D_bᵀ is formed by the H(W) Gram kernel
///   (``NeuronBlockKernel/derivativeGram(activation:x:n:d:w:m:scale:into:threads:blockWidth:path:)``,
///   blocks of 1024 neurons, a result independent of its thread count) into a scratch matrix and
///   added to S's upper triangle, chunk after chunk. So a width's value depends on neither the
///   maximum width nor the thread count, only on the kernel path (to rounding).
/// - At each grid width m: H_m = (X Xᵀ) ∘ S / m (``NeuronBlockKernel/multiplyByInnerProducts(_:x:n:d:scale:threads:)``),
///   λ_min(H_m), then ‖H_m − H*‖₂ = max |λ(H_m − H*)| (H* recomputed entry by entry,
///   ``GramMatrix/subtractClosedForm(from:x:n:d:activation:sigma:)``); two eigenvalue-only `dsyevd` solves.
/// - Stop: after the checkpoint at which the condition has held at the last 4·margin + 1 checkpoints
///   (``ProbeStop/margin``), after the largest grid width ≤ the maximum (``ProbeStop/maxWidth``), or
///   when H_m(W0) is not finite (``ProbeStop/notFinite``).
public enum ConditionProbe {
    /// Probes `dataset` for `activation`, σ = `sigma` and the run seed `seed`.
    /// - Parameters:
    ///   - progress: called after every chunk of neurons and every checkpoint; return false to stop
    ///     (the probe then throws ``ProbeError/cancelled``).
    ///   - phases: told when the probe switches between accumulating and checkpoints.
    /// - Throws: ``ProbeError`` when H* is not finite or singular, or when cancelled.
    /// - Precondition: `options.maxWidth` ≥ 16 (``ProbeGrid/smallestWidth``), threads ≥ 1, margin ≥ 0,
    ///   the kernel path available.
    /// - Complexity: O((n² + n·d)·m + K·n³) time for m the width reached and K its checkpoints;
    ///   memory ``ProbeMemory/bytes(n:d:threads:)``, independent of m.
    public static func measure(
        dataset: Dataset, activation: Activation, sigma: Double, seed: UInt64, options: ProbeOptions,
        progress: ((ProbeProgress) -> Bool)? = nil, phases: ((ProbePhase) -> Void)? = nil
    ) throws(ProbeError) -> ProbeResult {
        let widths = ProbeGrid.widths(upTo: options.maxWidth)
        precondition(!widths.isEmpty, "ConditionProbe: maxWidth \(options.maxWidth) < \(ProbeGrid.smallestWidth)")
        precondition(options.threads >= 1 && options.marginOctaves >= 0, "ConditionProbe: bad options \(options)")
        precondition(options.kernels.isAvailable, "ConditionProbe: kernel path \(options.kernels) is not available")
        let (n, d) = (dataset.n, dataset.d)
        phases?(.checkpoint)
        let (lambdaStar, lambdaMaxStar) = try hStarExtremes(dataset: dataset, activation: activation, sigma: sigma)
        var sums = GramSums(dataset: dataset, activation: activation, sigma: sigma, options: options)
        var stream = ProbeStream(seed: seed, d: d, sigma: sigma)
        let chunk = ProbeOptions.chunkWidth(d: d)
        var weights = [Double](repeating: 0, count: chunk * d)
        var curve: [ProbeCheckpoint] = []
        var stop = ProbeStop.maxWidth
        func report() -> Bool {
            guard let progress else { return true }
            let projected = projectedStop(
                curve: curve, threshold: lambdaStar / 4, options: options, next: stream.drawn)
            return progress(ProbeProgress(neurons: stream.drawn, latest: curve.last, projectedStopWidth: projected))
        }
        for target in widths {
            phases?(.accumulation)
            while stream.drawn < target {
                let count = min(chunk, target - stream.drawn)
                weights.withUnsafeMutableBufferPointer { stream.draw(count, into: $0) }
                sums.add(weights, count: count)
                guard report() else { throw .cancelled }
            }
            phases?(.checkpoint)
            guard let (distance, lambdaMin) = sums.checkpoint(width: target) else {
                stop = .notFinite
                break
            }
            curve.append(
                ProbeCheckpoint(
                    width: target, gramDistance: distance, lambdaMin: lambdaMin,
                    conditionMet: distance <= lambdaStar / 4))
            guard report() else { throw .cancelled }
            if ConditionCrossing.heldForLast(options.marginCheckpoints, of: curve.map(\.conditionMet)) {
                stop = .margin
                break
            }
        }
        let flops = ProbeFlops.probe(n: n, d: d, widths: curve.map(\.width))
        return ProbeResult(
            lambdaStar: lambdaStar, lambdaMaxStar: lambdaMaxStar, curve: curve, stop: stop, flops: flops)
    }

    /// λ_min(H*) and λ_max(H*), or the reason they cannot be used.
    private static func hStarExtremes(
        dataset: Dataset, activation: Activation, sigma: Double
    ) throws(ProbeError) -> (Double, Double) {
        let hStar = GramMatrix.closedForm(
            x: dataset.x, n: dataset.n, d: dataset.d, activation: activation, sigma: sigma)
        let values: [Double]
        do {
            values = try SymmetricEigen.eigenvalues(of: consume hStar, n: dataset.n)
        } catch {
            throw .hStarNotFinite("\(error)")
        }
        guard let lambdaStar = values.first, let lambdaMax = values.last, lambdaMax.isFinite else {
            throw .hStarNotFinite("λ_max(H*) is not finite")
        }
        // λ* is known only to about n·ε·λ_max (backward-stable solver): below that, even its sign
        // is noise and λ*/4 means nothing (the held-out solves' rule, ``KernelRegression/conditionLimit(n:)``).
        guard lambdaStar > 0, lambdaMax / lambdaStar <= KernelRegression.conditionLimit(n: dataset.n) else {
            throw .singularHStar(lambdaStar)
        }
        return (lambdaStar, lambdaMax)
    }

    /// The width where a probe is expected to stop, for progress estimates: with the latest
    /// checkpoint (m, g) above the threshold t, the crossing is expected at m·(g/t)² (the m^(−1/2)
    /// law) and the stop 4·margin grid steps later; once the condition holds, the margin counted from
    /// the start of its current run. Capped at the largest grid width ≤ the maximum.
    static func projectedStop(curve: [ProbeCheckpoint], threshold: Double, options: ProbeOptions, next: Int) -> Int {
        let last = ProbeGrid.widths(upTo: options.maxWidth).last ?? ProbeGrid.smallestWidth
        let margin = Double(1 << min(options.marginOctaves, 40))
        guard let latest = curve.last else { return last }
        let crossing: Double
        if latest.conditionMet {
            let start = curve.lastIndex { !$0.conditionMet }.map { $0 + 1 } ?? 0
            crossing = Double(curve[start].width)
        } else {
            let ratio = latest.gramDistance / threshold
            crossing = Double(latest.width) * ratio * ratio
        }
        guard let projected = ProbeGrid.width(atLeast: crossing * margin) else { return last }
        return min(last, max(projected, next))
    }
}
