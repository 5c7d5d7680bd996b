import ExpRegCore
import Foundation
import Testing

@testable import ExpRegBenchmark

@Suite("Benchmark on the lean path")
struct BenchmarkLeanTests {
    @Test("--path lean times the lean step (same losses to rounding); auto follows the activation budget")
    func leanStep() throws {
        var config = BenchmarkConfig(n: 9, d: 3, width: 400, steps: 3, includeGram: false, expProbeCount: 0)
        config.trainingPath = .lean
        let lean = try Benchmark.run(config)
        config.trainingPath = .materializing
        let full = try Benchmark.run(config)
        #expect(lean.trainingPath == "lean" && full.trainingPath == "materializing")
        // Same kernels per panel, u summed on the same grid: equal to a few ulps of the loss.
        #expect(abs(lean.lossFirst - full.lossFirst) <= 1e-12 * full.lossFirst)
        #expect(abs(lean.lossLast - full.lossLast) <= 1e-12 * full.lossLast)
        config.trainingPath = nil
        config.activationBudgetBytes = 9 * 400 * 8 - 1
        #expect(config.resolvedTrainingPath == .lean)
        config.activationBudgetBytes = 9 * 400 * 8
        #expect(config.resolvedTrainingPath == .materializing)
        let decoded = try JSONDecoder().decode(BenchmarkResult.self, from: Data(lean.jsonLine().utf8))
        #expect(decoded.trainingPath == "lean")
        #expect(lean.summary.contains("(lean step)"))
    }

    @Test("--compare-paths times both paths alternately in one process: same losses, both medians and their ratio")
    func comparePaths() throws {
        var config = BenchmarkConfig(n: 9, d: 3, width: 400, steps: 4, includeGram: false, expProbeCount: 0)
        config.threads = 2
        let comparison = try PathComparison.run(config)
        #expect(comparison.steps == 4 && comparison.threads == 2)
        #expect(comparison.leanStepMsMedian > 0 && comparison.materializingStepMsMedian > 0)
        #expect(comparison.leanStepMsMin <= comparison.leanStepMsMedian)
        #expect(
            abs(comparison.leanOverMaterializing - comparison.leanStepMsMedian / comparison.materializingStepMsMedian)
                <= 1e-12)
        #expect(comparison.pairRatioMedian > 0)
        // The two steppers take the same steps: their losses agree to rounding of u (LeanTrainingTests).
        #expect(comparison.lossMaxRelativeDifference <= 1e-12)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(comparison.jsonLine().utf8)) as? [String: Any])
        for key in [
            "materializing_step_ms_median", "lean_step_ms_median", "lean_over_materializing", "pair_ratio_median",
            "loss_max_relative_difference", "materializing_step_ms_min", "lean_step_ms_min",
        ] {
            #expect(json[key] is Double, "\(key)")
        }
        #expect(comparison.summary.contains("lean/materializing"))
        config.steps = 0
        #expect(throws: BenchmarkError.self) { try PathComparison.run(config) }
    }
}
