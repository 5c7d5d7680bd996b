import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

@Suite("Archive round trip")
struct ArchiveRoundTripTests {
    @Test("snapshot(write(x)) == x for a full batch: curves, spectra, diagnostics, gates, exact dates")
    func fullSnapshotRoundTrip() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let written = try StoreSamples.writeBatch(archive, id: "20261129T043000Z-nightly-exp")
        let read = try #require(try archive.snapshot(batchID: "20261129T043000Z-nightly-exp"))
        // Exact equality on purpose: the archive must not change a single bit (dates included).
        #expect(read == written)
        #expect(read.info.startedAt == StoreSamples.date(0))
        #expect(read.runs.map(\.spec.index) == [0, 1, 2])
        #expect(read.runs[0].spec.param("model.init_scale") == .double(1.0))
        #expect(read.runs[0].spec.config.seed == UInt64.max)
        #expect(read.runs[0].outcome.diagnostics.maxPreactivation == .infinity)
        #expect(read.runs[0].outcome.diagnostics.gramDistanceFinal == nil)
        #expect(read.gates.map(\.name) == GateConfig.Name.allCases)
    }

    @Test("a reopened archive returns the same snapshot (data is on disk, not in a cache)")
    func reopenedArchiveKeepsData() throws {
        let fixture = ArchiveFixture()
        let written = try StoreSamples.writeBatch(try fixture.open(), id: "b1")
        let reopened = try fixture.open()
        #expect(try reopened.snapshot(batchID: "b1") == written)
    }

    @Test("plan(batchID:) returns the plan exactly, integral doubles and UInt64 seeds included")
    func planRoundTrip() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let plan = StoreSamples.plan(runs: 4)
        try archive.beginBatch(StoreSamples.info(id: "b1", planned: 4), plan: plan)
        #expect(try archive.plan(batchID: "b1") == plan)
        #expect(try archive.plan(batchID: "nope") == nil)
        #expect(try archive.snapshot(batchID: "nope") == nil)
    }

    @Test("a running batch without runs reads back with status running and no end")
    func emptyRunningBatch() throws {
        let archive = try ArchiveFixture().open()
        let info = StoreSamples.info(id: "b1")
        try archive.beginBatch(info, plan: StoreSamples.plan())
        let snapshot = try #require(try archive.snapshot(batchID: "b1"))
        #expect(snapshot.info == info)
        #expect(snapshot.runs.isEmpty && snapshot.gates.isEmpty)
        #expect(snapshot.gateConfig == StoreSamples.plan().gates)
    }

    @Test("a failed run without any number (no eta, curves, spectra, diagnostics) round-trips")
    func failedRunRoundTrip() throws {
        let archive = try ArchiveFixture().open()
        let plan = StoreSamples.plan(runs: 2)
        try archive.beginBatch(StoreSamples.info(id: "b1", planned: 2), plan: plan)
        let failed = RunRecord(
            spec: plan.runs[1],
            outcome: RunOutcome(status: .failed, reason: "data/train.csv:3: expected 5 columns"),
            startedAt: StoreSamples.date(5), wallSeconds: 0)
        let good = StoreSamples.record(plan.runs[0])
        try archive.recordRun(failed, batchID: "b1")  // out of plan order on purpose
        try archive.recordRun(good, batchID: "b1")
        #expect(try archive.snapshot(batchID: "b1")?.runs == [good, failed])
    }

    @Test("NaN survives in losses, curves, diagnostics and spectra (SQLite alone would store NULL)")
    func nanRoundTrip() throws {
        let archive = try ArchiveFixture().open()
        let plan = StoreSamples.plan(runs: 1)
        try archive.beginBatch(StoreSamples.info(id: "b1", planned: 1), plan: plan)
        var record = StoreSamples.record(plan.runs[0], status: .diverged, lossFinal: .nan)
        record.outcome.lossCurve.append(CurvePoint(step: 101, value: .nan))
        record.outcome.lossCurve.append(CurvePoint(step: 102, value: -.infinity))
        record.outcome.diagnostics.observedRate = .nan
        record.outcome.spectra.append(Spectrum(step: 102, kind: .hW, eigenvalues: [.nan, -0.0, .infinity]))
        record.outcome.spectra.append(Spectrum(step: 103, kind: .hW, eigenvalues: []))
        try archive.recordRun(record, batchID: "b1")
        let run = try #require(try archive.snapshot(batchID: "b1")?.runs.first)
        let outcome = run.outcome
        #expect(outcome.lossFinal?.isNaN == true)
        #expect(outcome.diagnostics.observedRate?.isNaN == true)
        #expect(outcome.lossCurve.count == record.outcome.lossCurve.count)
        #expect(outcome.lossCurve[11].value.isNaN && outcome.lossCurve[11].step == 101)
        #expect(outcome.lossCurve[12].value == -.infinity)
        let bits = outcome.spectra[3].eigenvalues.map(\.bitPattern)
        #expect(bits == [Double.nan, -0.0, .infinity].map(\.bitPattern))
        #expect(outcome.spectra[4].eigenvalues.isEmpty)
        #expect(outcome.reason == "loss is +inf at step 12")
        #expect(outcome.status == .diverged)
    }

    @Test("recording a run_key again replaces the run and all its series (never two versions)")
    func rerecordReplaces() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let plan = StoreSamples.plan(runs: 1)
        try archive.beginBatch(StoreSamples.info(id: "b1", planned: 1), plan: plan)
        try archive.recordRun(StoreSamples.record(plan.runs[0]), batchID: "b1")
        var second = StoreSamples.record(plan.runs[0], status: .completed, lossFinal: 0.5)
        second.outcome.lossCurve = [CurvePoint(step: 0, value: 0.75)]
        second.outcome.spectra = []
        try archive.recordRun(second, batchID: "b1")
        let snapshot = try #require(try archive.snapshot(batchID: "b1"))
        #expect(snapshot.runs == [second])
        let counts = try DatabaseQueue(path: fixture.path).read { (db: Database) throws in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics WHERE kind = 'loss'"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM spectra")
            )
        }
        #expect(counts.0 == 1 && counts.1 == 0)
    }

    @Test("artifacts are stored by path; recording a path again replaces its checksum")
    func artifacts() throws {
        let archive = try ArchiveFixture().open()
        try archive.beginBatch(StoreSamples.info(id: "b1"), plan: StoreSamples.plan())
        let sha = String(repeating: "0f", count: 32)
        try archive.recordArtifacts(
            [
                Artifact(path: "report.md", sha256: sha, bytes: 10),
                Artifact(path: "plots/loss.png", sha256: sha, bytes: 2048),
            ], batchID: "b1")
        let rebuilt = Artifact(path: "report.md", sha256: String(repeating: "e1", count: 32), bytes: 12)
        try archive.recordArtifacts([rebuilt], batchID: "b1")
        #expect(
            try archive.artifacts(batchID: "b1") == [
                Artifact(path: "plots/loss.png", sha256: sha, bytes: 2048), rebuilt,
            ])
    }

    @Test("recordGates replaces the previous gate results and keeps their order")
    func gatesReplaced() throws {
        let archive = try ArchiveFixture().open()
        try archive.beginBatch(StoreSamples.info(id: "b1"), plan: StoreSamples.plan())
        try archive.recordGates([GateResult(name: .maxFinalLoss, passed: true, detail: "first")], batchID: "b1")
        let gates = [
            GateResult(name: .maxRegression, passed: false, detail: "1 of 3", offendingRunKeys: ["k1"]),
            GateResult(name: .maxFinalLoss, passed: true, detail: "0 of 3 runs above 1e-4"),
        ]
        try archive.recordGates(gates, batchID: "b1")
        #expect(try archive.snapshot(batchID: "b1")?.gates == gates)
    }

    @Test("the file is WAL, foreign keys hold, PRAGMA integrity_check is ok after writes")
    func fileHealth() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        try StoreSamples.writeBatch(archive, id: "b1")
        try StoreSamples.writeBatch(archive, id: "b2", start: 100)
        let dbQueue = try DatabaseQueue(path: fixture.path)
        try dbQueue.read { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == Archive.schemaVersion)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") == 6)
            // 11 loss + 11 kernel + 3 lambda_min points per run.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics") == 6 * 25)
            // Timestamps are readable as UTC text from SQL (documented conversion).
            let text = try String.fetchOne(
                db,
                sql: """
                    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', started_at + 978307200, 'unixepoch') FROM batches WHERE id = 'b1'
                    """)
            // 817622672.157 s after 2001-01-01Z = 9463 days (to 2026-11-29) + 19472.157 s (05:24:32.157).
            #expect(text == "2026-11-29T05:24:32.157Z")
        }
    }
}
