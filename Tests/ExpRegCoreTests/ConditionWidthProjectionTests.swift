import ExpRegCore
import Foundation
import Testing

/// The projection end to end in Core: a small real sweep projects the condition width; a run at
/// twice that width meets the condition and is `within_guarantee`; the projection lands within a
/// small factor of where the condition is actually met.
@Suite("Condition width projection on a real sweep")
struct ConditionWidthProjectionTests {
    static func config(width: Int, seed: UInt64, steps: Int) -> RunConfig {
        RunConfig(
            seed: seed, data: DataConfig(n: 6, d: 4, labels: .teacher, seed: 1),
            model: ModelConfig(activation: .exp, width: width, initScale: 0.7),
            train: TrainConfig(steps: steps, learningRate: .auto, targetLoss: 1e-4, logEvery: 100, spectrumEvery: 0))
    }

    /// Trains one run (`steps: 0` computes only the diagnostics at W(0), enough for the condition).
    static func train(width: Int, seed: UInt64, steps: Int = 4000) throws -> RunRecord {
        let c = config(width: width, seed: seed, steps: steps)
        let data = SphereData.generate(n: 6, d: 4, labels: .teacher, seed: 1)
        let outcome = try Trainer.train(c, on: data, options: testOptions)
        let params = [
            Param(key: "data.n", value: .int(6)), Param(key: "model.width", value: .int(width)),
            Param(key: "seed", value: .int(Int(seed))),
        ]
        let spec = RunSpec(
            index: 0, experiment: "exp", runKey: "\(width)-\(seed)", config: c, params: params,
            sweptKeys: ["model.width", "seed"])
        return RunRecord(
            spec: spec, outcome: outcome, startedAt: Date(timeIntervalSinceReferenceDate: 0), wallSeconds: 0)
    }

    @Test func projectionFromSmallWidthsPredictsWhereTheConditionHolds() throws {
        var runs: [RunRecord] = []
        for width in [16, 64, 256] {
            for seed: UInt64 in [0, 1, 2] { runs.append(try Self.train(width: width, seed: seed)) }
        }
        let group = try #require(BatchJudgement.judge(runs: runs, rules: .current).analysis.widthScaling.first)
        let projected = try #require(group.conditionWidth)
        print(
            "projected condition width \(projected), free slope \(group.gramDistanceSlope ?? .nan) -> \(group.conditionWidthFreeSlope ?? .nan)"
        )
        #expect(
            runs.allSatisfy { $0.outcome.diagnostics.widthConditionMet == false },
            "the sweep must stay below the condition")
        // Twice the projection: every seed meets the condition and is inside the guarantee.
        let doubled = Int((2 * projected).rounded(.up))
        for seed: UInt64 in [0, 1, 2] {
            let run = try Self.train(width: doubled, seed: seed)
            #expect(run.outcome.diagnostics.widthConditionMet == true, "seed \(seed) at width \(doubled)")
            let verdict = BatchJudgement.judge(runs: [run], rules: .current).verdict(of: run)
            #expect(verdict == .withinGuarantee, "seed \(seed): \(String(describing: verdict))")
        }
        // Where the condition is actually met (all three seeds), on a ×√2 grid: within a factor 2.
        var width = 256.0
        var actual: Double?
        while width < 64 * projected {
            let met = try [UInt64(0), 1, 2].allSatisfy {
                try Self.train(width: Int(width), seed: $0, steps: 0).outcome.diagnostics.widthConditionMet == true
            }
            if met {
                actual = width
                break
            }
            width *= 2.0.squareRoot()
        }
        let found = try #require(actual)
        print("condition first met at width \(found) (projection \(projected))")
        #expect(found / projected < 2 && projected / found < 2)
    }
}
