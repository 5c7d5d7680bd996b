import ExpRegCore
import Foundation

/// The materialising and the memory-lean GD step of one size timed side by side in one process
/// (`expreg bench --compare-paths`): two steppers start from the same weights and take the same
/// steps, alternately (pair k runs lean first when k is even, materialising first when k is odd),
/// so both see the same machine load and neither always follows the other.
///
/// JSON keys (snake_case, stable): `n`, `d`, `width`, `activation`, `steps`, `threads`,
/// `materializing_step_ms_median`, `lean_step_ms_median`, `materializing_step_ms_min`,
/// `lean_step_ms_min`, `lean_over_materializing` (ratio of the medians), `pair_ratio_median`
/// (median over pairs of lean / materialising), `loss_max_relative_difference` (the two paths'
/// losses, which agree to rounding; see ``GradientDescent``).
public struct PathComparison: Codable, Sendable, Equatable {
    public var n: Int
    public var d: Int
    public var width: Int
    public var activation: String
    /// Timed steps per path (warm-up excluded).
    public var steps: Int
    public var threads: Int
    public var materializingStepMsMedian: Double
    public var leanStepMsMedian: Double
    public var materializingStepMsMin: Double
    public var leanStepMsMin: Double
    /// Median lean step / median materialising step.
    public var leanOverMaterializing: Double
    /// Median over the pairs of (lean step / materialising step) of the same pair.
    public var pairRatioMedian: Double
    /// max over timed steps of |L_lean − L_mat| / |L_mat|.
    public var lossMaxRelativeDifference: Double

    enum CodingKeys: String, CodingKey {
        case n, d, width, activation, steps, threads
        case materializingStepMsMedian = "materializing_step_ms_median"
        case leanStepMsMedian = "lean_step_ms_median"
        case materializingStepMsMin = "materializing_step_ms_min"
        case leanStepMsMin = "lean_step_ms_min"
        case leanOverMaterializing = "lean_over_materializing"
        case pairRatioMedian = "pair_ratio_median"
        case lossMaxRelativeDifference = "loss_max_relative_difference"
    }

    /// Times `config.steps` steps of each path after `config.warmupSteps` untimed ones of each,
    /// with the benchmark's data, initialisation and η (``Benchmark/run(_:)``).
    /// - Throws: ``BenchmarkError/invalidConfiguration(_:)`` for bad sizes,
    ///   ``BenchmarkError/numericalFailure(_:)`` when a loss is not finite.
    /// - Complexity: O(steps · n·m·d) time; n·m + 2·m·d doubles (both steppers live at once).
    public static func run(_ config: BenchmarkConfig) throws(BenchmarkError) -> PathComparison {
        let (threads, data, model) = try Benchmark.problem(config)
        let steppers = [false, true].map { lean in
            GradientDescent(
                dataset: data, activation: config.activation, a: model.a, w: model.w,
                path: config.kernels, threads: config.stepThreads ?? threads, lean: lean)
        }
        let (materializing, lean) = (steppers[0], steppers[1])
        let eta = Benchmark.eta
        for _ in 0..<config.warmupSteps {
            materializing.step(eta: eta)
            lean.step(eta: eta)
        }
        let clock = ContinuousClock()
        var leanMs: [Double] = []
        var materializingMs: [Double] = []
        var lossDifference = 0.0
        for k in 0..<config.steps {
            var losses = (lean: 0.0, materializing: 0.0)
            let timeLean = {
                leanMs.append(Benchmark.milliseconds(clock.measure { losses.lean = lean.step(eta: eta) }))
            }
            let timeMaterializing = {
                materializingMs.append(
                    Benchmark.milliseconds(clock.measure { losses.materializing = materializing.step(eta: eta) }))
            }
            if k % 2 == 0 {
                timeLean()
                timeMaterializing()
            } else {
                timeMaterializing()
                timeLean()
            }
            guard losses.lean.isFinite, losses.materializing.isFinite else {
                throw BenchmarkError.numericalFailure(
                    "the loss is not finite (lean \(losses.lean), materializing \(losses.materializing)): exp overflowed; use a smaller init scale"
                )
            }
            let scale = max(abs(losses.materializing), .leastNormalMagnitude)
            lossDifference = max(lossDifference, abs(losses.lean - losses.materializing) / scale)
        }
        let pairRatios = zip(leanMs, materializingMs).map { $0 / $1 }
        let leanMedian = Benchmark.median(leanMs)
        let materializingMedian = Benchmark.median(materializingMs)
        return PathComparison(
            n: config.n, d: config.d, width: config.width, activation: config.activation.rawValue,
            steps: config.steps, threads: threads, materializingStepMsMedian: materializingMedian,
            leanStepMsMedian: leanMedian, materializingStepMsMin: materializingMs.min()!,
            leanStepMsMin: leanMs.min()!, leanOverMaterializing: leanMedian / materializingMedian,
            pairRatioMedian: Benchmark.median(pairRatios), lossMaxRelativeDifference: lossDifference)
    }

    /// One line of compact JSON with sorted keys (what `--json` prints).
    public func jsonLine() -> String { Benchmark.jsonLine(self) }

    /// A one-line human summary (what `expreg bench --compare-paths` prints without `--json`).
    public var summary: String {
        String(
            format:
                "n=%d d=%d m=%d %@, %d alternating steps each, threads %d: materializing median %.1f ms (min %.1f), lean median %.1f ms (min %.1f); lean/materializing %.3f (median pair %.3f); losses agree to %.1e",
            n, d, width, activation, steps, threads, materializingStepMsMedian, materializingStepMsMin,
            leanStepMsMedian, leanStepMsMin, leanOverMaterializing, pairRatioMedian, lossMaxRelativeDifference)
    }
}
