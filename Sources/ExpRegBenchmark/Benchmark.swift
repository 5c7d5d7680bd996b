import ExpRegCore
import ExpRegLinAlg
import Foundation

/// The `expreg bench` engine: times the GD step and H(W) + eigenvalues on synthetic data.
///
/// No CLI parsing and no printing here: the command builds a ``BenchmarkConfig`` per size, calls
/// ``run(_:)`` and prints ``BenchmarkResult/jsonLine()`` or ``BenchmarkResult/summary``.
public enum Benchmark {
    /// Runs one benchmark size.
    ///
    /// Order: data + initialisation (untimed); `warmupSteps` untimed steps; `steps` timed steps
    /// of ``GradientDescent/step(eta:)`` with a small fixed η (1e−6, so the weights move but the
    /// loss cannot blow up); then, if asked, one untimed warm-up build of H(W) (with its
    /// eigenvalues) and `gramRepeats` timed builds, each followed by its timed `dsyevd`
    /// eigenvalues (the medians are reported: one build on a shared machine is too noisy to
    /// compare); then the exp kernel probe. Times come from `ContinuousClock` (monotonic).
    /// - Throws: ``BenchmarkError/invalidConfiguration(_:)`` for bad sizes;
    ///   ``BenchmarkError/numericalFailure(_:)`` when the loss or H(W) is not finite.
    /// - Complexity: O(steps · n·m·d + (gramRepeats + 1) · n²·m) time; about n·m doubles of memory
    ///   (materialising step; the lean step holds no n × m buffer, see ``BenchmarkConfig/trainingPath``),
    ///   plus n² while H(W) is built (its D is never held whole).
    public static func run(_ config: BenchmarkConfig) throws(BenchmarkError) -> BenchmarkResult {
        let (threads, data, model) = try problem(config)

        var stepMs: [Double] = []
        var lossFirst = Double.nan
        var lossLast = Double.nan
        do {
            let stepper = GradientDescent(
                dataset: data, activation: config.activation, a: model.a, w: model.w,
                path: config.kernels, threads: config.stepThreads ?? threads,
                lean: config.resolvedTrainingPath == .lean)
            if let blockWidth = config.blockWidth { stepper.blockWidth = blockWidth }
            let eta = Self.eta
            for _ in 0..<config.warmupSteps { stepper.step(eta: eta) }
            let clock = ContinuousClock()
            for k in 0..<config.steps {
                var loss = 0.0
                let elapsed = clock.measure { loss = stepper.step(eta: eta) }
                stepMs.append(milliseconds(elapsed))
                if k == 0 { lossFirst = loss }
                lossLast = loss
            }
            guard lossFirst.isFinite, lossLast.isFinite else {
                throw BenchmarkError.numericalFailure(
                    "the loss is not finite (first \(lossFirst), last \(lossLast)): exp overflowed; use a smaller init scale"
                )
            }
        }

        var gramMs: Double?
        var eigenMs: Double?
        if config.includeGram {
            let clock = ContinuousClock()
            var warmUp = GramMatrix.empirical(
                x: data.x, n: data.n, d: data.d, w: model.w, m: config.width,
                activation: config.activation, threads: threads, path: config.kernels)
            _ = try? SymmetricEigen.eigenvalues(preserving: &warmUp, n: data.n)  // as the NumPy side warms up
            var builds: [Double] = []
            var eigens: [Double] = []
            for _ in 0..<config.gramRepeats {
                var gram: [Double] = []
                let build = clock.measure {
                    gram = GramMatrix.empirical(
                        x: data.x, n: data.n, d: data.d, w: model.w, m: config.width,
                        activation: config.activation, threads: threads, path: config.kernels)
                }
                builds.append(milliseconds(build))
                let start = clock.now
                do {
                    _ = try SymmetricEigen.eigenvalues(preserving: &gram, n: data.n)  // in place, as a run does
                } catch {
                    throw BenchmarkError.numericalFailure("eigenvalues of H(W) failed: \(error)")
                }
                eigens.append(milliseconds(clock.now - start))
            }
            gramMs = median(builds)
            eigenMs = median(eigens)
        }

        var expFast: Double?
        var expLibm: Double?
        if config.expProbeCount > 0 {
            expFast = ExpKernelProbe.nanosecondsPerElement(
                kernel: config.kernels.expKernel, count: config.expProbeCount)
            expLibm = ExpKernelProbe.nanosecondsPerElement(kernel: .libm, count: config.expProbeCount)
        }

        let medianStep = median(stepMs)
        let flops = 4 * Double(config.n) * Double(config.d) * Double(config.width)
        var result = BenchmarkResult(
            n: config.n, d: config.d, width: config.width, activation: config.activation.rawValue,
            steps: config.steps, stepMsMedian: medianStep, stepMsMin: stepMs.min()!,
            gflops: flops / (medianStep * 1e-3) / 1e9, gramBuildMs: gramMs, eigenMs: eigenMs,
            threads: threads, expKernel: config.kernels.expKernel.rawValue,
            expNsPerElement: expFast, expLibmNsPerElement: expLibm,
            peakRssMb: PeakMemory.residentMebibytes(), activationMb: Double(config.activationBytes) / 1_048_576,
            lossFirst: lossFirst, lossLast: lossLast)
        result.trainingPath = config.resolvedTrainingPath.rawValue
        return result
    }

    /// The validated problem of a benchmark: its thread count (every core unless set), the synthetic
    /// data and the random initialisation, the same for ``run(_:)`` and ``PathComparison/run(_:)``.
    static func problem(
        _ config: BenchmarkConfig
    ) throws(BenchmarkError) -> (threads: Int, data: Dataset, model: ModelParameters) {
        try config.validate()
        return (
            max(1, config.threads ?? ProcessInfo.processInfo.activeProcessorCount),
            SphereData.generate(n: config.n, d: config.d, labels: .random, seed: config.dataSeed),
            ModelParameters.random(width: config.width, d: config.d, sigma: config.initScale, seed: config.modelSeed)
        )
    }

    /// One line of compact JSON with sorted keys (what `expreg bench --json` prints per size).
    static func jsonLine(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain numbers, strings and nulls cannot fail; non-finite timings never reach here.
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
            return "{}"
        }
        return text
    }

    /// The learning rate of the timed steps: small enough that the loss stays finite at every
    /// benchmark size, so the steps do real work without diverging.
    static let eta = 1e-6

    /// The median of timings (``ExpRegCore/median(_:)``); NaN for an empty list, which the
    /// configuration rules out (steps and repeats are at least 1).
    static func median(_ values: [Double]) -> Double {
        ExpRegCore.median(values) ?? .nan
    }

    static func milliseconds(_ duration: Duration) -> Double { duration.seconds * 1e3 }
}
