import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

@Suite("Archive transactions")
struct ArchiveTransactionTests {
    /// Installs a real SQLite trigger that aborts inserting a spectrum at step 999: a write failure in
    /// the middle of `recordRun`, after the run row, diagnostics and curves were inserted.
    private func injectSpectrumFailure(_ path: String) throws {
        try DatabaseQueue(path: path).write { (db: Database) throws in
            try db.execute(
                sql: """
                    CREATE TRIGGER fail_spectrum BEFORE INSERT ON spectra WHEN NEW.step = 999
                    BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                    """)
        }
    }

    @Test("a write failing mid-run rolls back the whole run; the earlier version stays intact")
    func failingRunRollsBack() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let plan = StoreSamples.plan()
        try archive.beginBatch(StoreSamples.info(id: "b1"), plan: plan)
        let first = StoreSamples.record(plan.runs[0])
        try archive.recordRun(first, batchID: "b1")
        try injectSpectrumFailure(fixture.path)

        var broken = StoreSamples.record(plan.runs[0], lossFinal: 9.0)
        broken.outcome.spectra.append(Spectrum(step: 999, kind: .hW, eigenvalues: [1, 2]))
        let replaceError = try #require(throws: StoreError.self) { try archive.recordRun(broken, batchID: "b1") }
        #expect(replaceError.description.contains("record run \(plan.runs[0].runKey) of batch b1"))
        var newRun = StoreSamples.record(plan.runs[1])
        newRun.outcome.spectra.append(Spectrum(step: 999, kind: .hW, eigenvalues: [1, 2]))
        #expect(throws: StoreError.self) { try archive.recordRun(newRun, batchID: "b1") }

        let snapshot = try #require(try archive.snapshot(batchID: "b1"))
        #expect(snapshot.runs == [first])
        #expect(try archive.finishedRunKeys(batchID: "b1") == [plan.runs[0].runKey])
        try DatabaseQueue(path: fixture.path).read { (db: Database) throws in
            for table in ["runs", "metrics", "spectra", "diagnostics"] {
                let stray = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM \(table) WHERE run_key = ?",
                    arguments: [plan.runs[1].runKey])
                #expect(stray == 0, "\(table) kept rows of the failed run")
            }
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
        }
    }

    @Test("readers are not blocked by another connection's open write transaction (WAL)")
    func readersDuringWrite() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        try StoreSamples.writeBatch(archive, id: "b1")
        let writer = try DatabaseQueue(path: fixture.path)
        try writer.inTransaction(.immediate) { db in
            try db.execute(sql: "UPDATE batches SET host = 'changing' WHERE id = 'b1'")
            // Another process's view: the committed state, at once.
            let start = ContinuousClock.now
            #expect(try archive.snapshot(batchID: "b1")?.info.host == "ci-runner")
            #expect(ContinuousClock.now - start < .seconds(2))
            return .rollback
        }
    }

    @Test("writes to an unknown batch fail with kind unknownBatch and store nothing")
    func unknownBatch() throws {
        let archive = try ArchiveFixture().open()
        let spec = StoreSamples.spec(index: 0)
        let error = try #require(throws: StoreError.self) {
            try archive.recordRun(StoreSamples.record(spec), batchID: "ghost")
        }
        #expect(error.kind == .unknownBatch)
        #expect(error.description.contains("no batch ghost"))
        #expect(throws: StoreError.self) {
            try archive.finishBatch(id: "ghost", status: .completed, finishedAt: Date(), exitCode: 0)
        }
        #expect(throws: StoreError.self) { try archive.recordGates([], batchID: "ghost") }
        #expect(throws: StoreError.self) { try archive.recordArtifacts([], batchID: "ghost") }
        #expect(try archive.batches(limit: nil).isEmpty)
    }

    @Test("beginning a batch id twice fails and keeps the first batch")
    func duplicateBatch() throws {
        let archive = try ArchiveFixture().open()
        let first = StoreSamples.info(id: "b1")
        try archive.beginBatch(first, plan: StoreSamples.plan())
        var second = first
        second.host = "elsewhere"
        let error = try #require(throws: StoreError.self) { try archive.beginBatch(second, plan: StoreSamples.plan()) }
        #expect(error.description.contains("already has a batch b1"))
        #expect(try archive.snapshot(batchID: "b1")?.info.host == "ci-runner")
    }

    @Test("the schema's CHECK constraints reject invalid rows (e.g. a bad status) with a StoreError")
    func schemaChecks() throws {
        let fixture = ArchiveFixture()
        _ = try fixture.open()
        #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: fixture.path).write { (db: Database) throws in
                try db.execute(
                    sql: """
                        INSERT INTO batches (id, manifest_name, manifest_path, manifest_text, manifest_sha256,
                            tool_version, host, started_at, status, overrides, planned_runs, plan_json, gate_config)
                        VALUES ('b', 'n', 'p', 't', 's', 'v', 'h', 0, 'exploded', '[]', 0, '{}', '{}')
                        """)
            }
        }
    }
}
