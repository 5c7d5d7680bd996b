import Foundation
import Testing

@testable import ExpRegBenchmark

@Suite("Benchmark (the `expreg bench` engine)")
struct BenchmarkTests {
    @Test("a tiny size runs: steps, repeated H(W) builds and eigenvalues are timed, the loss is finite")
    func tinyRun() throws {
        let config = BenchmarkConfig(n: 9, d: 3, width: 40, steps: 3, gramRepeats: 2, expProbeCount: 256)
        let result = try Benchmark.run(config)
        #expect(result.steps == 3 && result.stepMsMin <= result.stepMsMedian)
        #expect((result.gramBuildMs ?? -1) > 0 && (result.eigenMs ?? -1) > 0)
        #expect(result.lossFirst.isFinite && result.lossLast.isFinite)
        let decoded = try JSONDecoder().decode(BenchmarkResult.self, from: Data(result.jsonLine().utf8))
        #expect(decoded.gramBuildMs == result.gramBuildMs)
    }

    @Test("bad repeats and sizes are configuration errors naming the option")
    func validation() {
        var config = BenchmarkConfig(n: 9, d: 3, width: 40)
        config.gramRepeats = 0
        #expect(throws: BenchmarkError.self) { try config.validate() }
        do {
            try config.validate()
        } catch {
            #expect("\(error)".contains("--gram-repeats"))
        }
        #expect(BenchmarkConfig.configurations(gramRepeats: 5).allSatisfy { $0.gramRepeats == 5 })
        #expect(BenchmarkConfig.configurations().allSatisfy { $0.gramRepeats == 3 })
    }

    @Test("median: odd and even counts")
    func median() {
        #expect(Benchmark.median([3, 1, 2]) == 2)
        #expect(Benchmark.median([4, 1, 3, 2]) == 2.5)
    }
}
