import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

@Suite("Archive: verdicts, run cost and the width analysis (v2-width-cost)")
struct WidthCostArchiveTests {
    @Test("a run's memory, flops and phase times round-trip; its verdict is archived when the batch finishes")
    func runCostRoundTrip() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let plan = StoreSamples.plan(runs: 2)
        try archive.beginBatch(StoreSamples.info(id: "b", planned: 2), plan: plan)
        var measured = StoreSamples.record(plan.runs[0])
        measured.outcome.memoryBytes = TrainingMemory.bytes(n: 8, d: 4, m: 256)
        measured.outcome.flops = 1.25e9
        measured.trainingSeconds = 0.1
        measured.spectraSeconds = 0.012_345_678_9
        measured.outcome.diagnostics.widthConditionMet = true
        let unmeasured = StoreSamples.record(plan.runs[1], status: .diverged, lossFinal: nil)
        try archive.recordRun(measured, batchID: "b")
        try archive.recordRun(unmeasured, batchID: "b")
        let running = try #require(try archive.snapshot(batchID: "b"))
        #expect(running.runs == [measured, unmeasured])
        // While the batch runs, its judgement is provisional and nothing of it is stored.
        #expect(running.judgement.isProvisional)
        #expect(running.judgement.verdict(of: measured) == .withinGuarantee)
        let dbQueue = try DatabaseQueue(path: fixture.path)
        func verdicts() throws -> [String?] {
            try dbQueue.read { db in
                try Row.fetchAll(db, sql: "SELECT verdict FROM runs ORDER BY plan_index").map { $0["verdict"] }
            }
        }
        #expect(try verdicts() == [nil, nil])
        try archive.finishBatch(id: "b", status: .completed, finishedAt: Date(), exitCode: 0)
        let finished = try #require(try archive.snapshot(batchID: "b"))
        #expect(!finished.judgement.isProvisional)
        #expect(finished.judgement == BatchJudgement.judge(runs: finished.runs, rules: .current))
        #expect(try verdicts() == ["within_guarantee", "diverged"])
        try dbQueue.read { (db: Database) throws in
            let rows = try Row.fetchAll(db, sql: "SELECT memory_bytes, flops FROM runs ORDER BY plan_index")
            #expect(rows[0]["memory_bytes"] as Int? == TrainingMemory.bytes(n: 8, d: 4, m: 256))
            #expect(rows[1]["flops"] as Double? == nil)
        }
    }

    @Test("a judgement's width analysis round-trips exactly and is replaced, not duplicated, when recorded again")
    func analysisRoundTrip() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        try archive.beginBatch(StoreSamples.info(id: "b"), plan: StoreSamples.plan())
        let group = WidthScaling.Group(
            experiment: "width-sweep", activation: "exp",
            fixedParams: ["data.n": .int(32), "model.init_scale": .double(1.0), "model.activation": .string("exp")],
            widths: [256, 1024], runs: 4, lambdaStar: 0.97, gramDistanceSlope: -0.43, gramDistanceConstant: 5.1,
            gramDistanceConstantTheorySlope: 7.3, conditionWidth: 904_512.25, conditionWidthFreeSlope: 3.1e6,
            conditionMetFromWidth: nil, secondsPerStepExponent: 0.98, memoryExponent: 1.0,
            projection: .init(width: 904_513, secondsPerRun: 1234.5, memoryBytes: 240_000_000, steps: 300),
            slopeAgreesWithTheory: true,
            costModel: WidthCostModel(
                secondsPerStep: PowerLaw(coefficient: 2.5e-9, exponent: 0.98),
                spectraSeconds: PowerLaw(coefficient: 1e-6, exponent: 1.5), steps: 300))
        let bare = WidthScaling.Group(
            experiment: "relu", activation: "relu", fixedParams: [:], widths: [8, 16], runs: 2, lambdaStar: nil,
            gramDistanceSlope: -0.5, gramDistanceConstant: 1, gramDistanceConstantTheorySlope: 1, conditionWidth: nil,
            conditionWidthFreeSlope: nil, conditionMetFromWidth: 16, secondsPerStepExponent: nil, memoryExponent: nil,
            projection: nil, slopeAgreesWithTheory: false)
        let fit = WidthScaling.PointsScaling(
            experiment: "width-sweep", activation: "exp",
            points: [[16, 1e5], [32, 4.1e5]], exponent: 2.03, coefficient: 390.5)
        let analysis = WidthScaling(widthScaling: [group, bare], conditionWidthVsN: [fit])
        let judgement = BatchJudgement(rules: .current, runs: [:], analysis: analysis, isProvisional: false)
        let dbQueue = try DatabaseQueue(path: fixture.path)
        for _ in 0..<2 { try dbQueue.write { db in try Archive.record(judgement, batchID: "b", db) } }
        let (stored, unknown) = try dbQueue.read { db in
            (try Archive.analysis(batchID: "b", db), try Archive.analysis(batchID: "unknown", db))
        }
        #expect(stored == analysis)
        #expect(unknown == WidthScaling(widthScaling: [], conditionWidthVsN: []))
    }
}
