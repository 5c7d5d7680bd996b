import ExpRegCore
import Foundation
import Testing

@testable import ExpRegPipeline

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
}
