import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

/// Judge once, archive the judgement (`v3-judgements`): a batch is judged under the rules it began
/// with when it finishes, and read back as archived, whatever the rules are later.
@Suite("Archive: judgements (v3-judgements)")
struct JudgementArchiveTests {
    @Test("the migration is appended last, the schema version counts it, and its rules literal is the legacy rules")
    func migrationIsAppended() throws {
        #expect(ArchiveMigrations.identifiers.first == "v1-initial")
        #expect(ArchiveMigrations.identifiers.suffix(2) == ["v2-width-cost", "v3-judgements"])
        #expect(Archive.schemaVersion == ArchiveMigrations.identifiers.count)
        #expect(try ArchiveJSON.encode(JudgementRules.legacy) == ArchiveMigrations.legacyRulesJSON)
        #expect(try ArchiveJSON.decode(JudgementRules.self, from: ArchiveMigrations.legacyRulesJSON) == .legacy)
    }

    @Test("a batch keeps the rules it began with; another batch of the same archive uses its own")
    func rulesTravelWithTheBatch() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        var strict = JudgementRules.current
        strict.slopeTolerance = 0  // no measured slope agrees with −1/2 exactly
        try Self.writeWidthSweep(archive, id: "strict", start: 0, rules: strict)
        try Self.writeWidthSweep(archive, id: "default", start: 100, rules: .current)
        let old = try #require(try archive.snapshot(batchID: "strict"))
        let new = try #require(try archive.snapshot(batchID: "default"))
        #expect(old.judgement.rules == strict && new.judgement.rules == .current)
        #expect(old.judgement.analysis.widthScaling.first?.slopeAgreesWithTheory == false)
        #expect(new.judgement.analysis.widthScaling.first?.slopeAgreesWithTheory == true)
        // Reopened (a later process): the same judgements, read back rather than made again.
        archive.close()
        let reopened = try fixture.open()
        #expect(try reopened.snapshot(batchID: "strict")?.judgement == old.judgement)
    }

    @Test("a judgement once archived is not made again: finishing the batch again keeps it")
    func judgementIsMadeOnce() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        try Self.writeWidthSweep(archive, id: "b", start: 0, rules: .current)
        let judged = try #require(try archive.snapshot(batchID: "b")).judgement
        // A later build reading other numbers into the runs would judge differently …
        let dbQueue = try DatabaseQueue(path: fixture.path)
        try dbQueue.write { db in try db.execute(sql: "UPDATE diagnostics SET gram_distance_init = 1e-9") }
        // … but a batch that is already judged keeps its judgement when its exit code is corrected.
        try archive.finishBatch(id: "b", status: .completed, finishedAt: Date(), exitCode: 1)
        #expect(try archive.snapshot(batchID: "b")?.judgement == judged)
        // Resuming forgets it (new runs will arrive); finishing judges again.
        try archive.resumeBatch(id: "b")
        let resumed = try #require(try archive.snapshot(batchID: "b"))
        #expect(resumed.judgement.isProvisional)
        try archive.finishBatch(id: "b", status: .completed, finishedAt: Date(), exitCode: 0)
        let rejudged = try #require(try archive.snapshot(batchID: "b")).judgement
        #expect(!rejudged.isProvisional && rejudged != judged)
    }

    @Test("an interrupted batch marked partial is judged; a shard batch is not")
    func interruptedAndShardBatches() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let plan = StoreSamples.plan()
        try archive.beginBatch(StoreSamples.info(id: "dead"), plan: plan)
        try archive.recordRun(StoreSamples.record(plan.runs[0]), batchID: "dead")
        try archive.beginShardBatch(StoreSamples.info(id: "shard", start: 5), plan: plan, index: 0, count: 2)
        try archive.recordRun(StoreSamples.record(plan.runs[0]), batchID: "shard")
        try archive.markInterruptedBatches()
        let judged: [String] = try DatabaseQueue(path: fixture.path).read { db in
            try String.fetchAll(db, sql: "SELECT id FROM batches WHERE judged_at IS NOT NULL ORDER BY id")
        }
        #expect(judged == ["dead"])
        #expect(try archive.snapshot(batchID: "dead")?.judgement.isProvisional == false)
        #expect(try archive.snapshot(batchID: "shard")?.judgement.isProvisional == true)
    }

    @Test("an archive from before judgements is judged once under the legacy rules; read-only leaves the file alone")
    func olderArchivesAreJudgedAtOpen() throws {
        let folder = TemporaryDirectory(prefix: "expreg-store")
        let old = Fixtures.directory.appendingPathComponent("archive/quick-two-nights.sqlite")
        let path = folder.url.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: old.path, toPath: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        // Read-only: judged in the migrated in-memory copy, the file's bytes unchanged.
        let reader = try Archive(path: path, access: .readOnly)
        let ids = try reader.batches(limit: nil).map(\.id)
        #expect(ids.count == 2)
        var readOnly: [BatchJudgement] = []
        for id in ids {
            let snapshot = try #require(try reader.snapshot(batchID: id))
            #expect(!snapshot.judgement.isProvisional && snapshot.judgement.rules == .legacy)
            #expect(snapshot.judgement == BatchJudgement.judge(runs: snapshot.runs, rules: .legacy))
            readOnly.append(snapshot.judgement)
        }
        reader.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // Read-write: migrated and judged in the file, once; the same judgements.
        let writer = try Archive(path: path)
        #expect(try ids.map { try #require(try writer.snapshot(batchID: $0)).judgement } == readOnly)
        #expect(try writer.judgeUnjudgedBatches().isEmpty, "every batch is judged already")
        writer.close()
        let rows = try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM batches WHERE judged_at IS NOT NULL AND judgement_rules = ?",
                arguments: [ArchiveMigrations.legacyRulesJSON])
        }
        #expect(rows == 2)
    }

    /// A completed batch of one exp width sweep (3 widths × 2 seeds) whose ‖H(W0) − H*‖ falls as
    /// 0.5·m^−0.48, under `rules`.
    static func writeWidthSweep(_ archive: Archive, id: String, start: Double, rules: JudgementRules) throws {
        var specs: [RunSpec] = []
        for width in [256, 1024, 4096] {
            for _ in 0..<2 {
                let index = specs.count
                specs.append(StoreSamples.spec(index: index, width: width, key: String(format: "%064x", index + 1)))
            }
        }
        let plan = Plan(
            name: "nightly-exp", title: nil, runs: specs, gates: GateConfig(), compareWith: .previous, overrides: [])
        try archive.beginBatch(StoreSamples.info(id: id, start: start, planned: specs.count), plan: plan, rules: rules)
        for spec in specs {
            var run = StoreSamples.record(spec, start: start + 1)
            run.outcome.diagnostics.gramDistanceInit =
                0.5 * pow(Double(spec.config.model.width), -0.48) * (1 + 0.01 * Double(spec.index % 2))
            try archive.recordRun(run, batchID: id)
        }
        try archive.finishBatch(id: id, status: .completed, finishedAt: StoreSamples.date(start + 30), exitCode: 0)
    }
}
