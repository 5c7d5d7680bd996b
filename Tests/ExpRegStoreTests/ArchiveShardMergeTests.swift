import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

/// `Archive.mergeShards`: a generic, idempotent union of shard archives on real SQLite files.
@Suite struct ArchiveShardMergeTests {
    let folder = TemporaryDirectory(prefix: "expreg-shards")

    func path(_ name: String) -> String { folder.url.appendingPathComponent(name).path }

    /// Writes shard `index` of 2 of the sample plan (runs with plan index % 2 == index).
    @discardableResult
    func writeShard(_ index: Int, named name: String, lossScale: Double = 1) throws -> Archive {
        let archive = try Archive(path: path(name))
        let plan = StoreSamples.plan()
        try archive.beginShardBatch(
            StoreSamples.info(id: "b1", start: Double(index)), plan: plan, index: index, count: 2)
        for spec in plan.runs where spec.index % 2 == index {
            try archive.recordRun(
                StoreSamples.record(
                    spec, lossFinal: 1e-6 * Double(spec.index + 1) * lossScale,
                    start: Double(10 + index)), batchID: "b1")
        }
        try archive.finishBatch(id: "b1", status: .completed, finishedAt: StoreSamples.date(20), exitCode: 0)
        return archive
    }

    func counts(_ archive: Archive) throws -> [String: Int] {
        try archive.pool.read { db in
            var result: [String: Int] = [:]
            for table in ["batches", "runs", "metrics", "spectra", "diagnostics"] {
                result[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")
            }
            return result
        }
    }

    @Test func shardBatchesAreRecordedWithTheirNumbers() throws {
        let shard = try writeShard(1, named: "s1.sqlite")
        let batches = try shard.shardBatches()
        #expect(batches.count == 1)
        #expect(batches.first?.index == 1 && batches.first?.count == 2 && batches.first?.batchID == "b1")
        #expect(try shard.identity(batchID: "b1")?.shardIndex == 1)
    }

    @Test func unionOfShardsEqualsTheWholeBatchAndMergingAgainAddsNothing() throws {
        try writeShard(0, named: "s0.sqlite")
        try writeShard(1, named: "s1.sqlite")
        let main = try Archive(path: path("main.sqlite"))
        let added = try main.mergeShards(
            [path("s0.sqlite"), path("s1.sqlite")], batchID: "b1", shardCount: 2,
            startedAt: StoreSamples.date(0))
        #expect(added.allSatisfy { $0 > 0 })
        let merged = try #require(try main.snapshot(batchID: "b1"))
        #expect(merged.runs.map(\.spec.index) == [0, 1, 2])
        #expect(merged.info.status == .partial)  // the caller finishes it
        let identity = try #require(try main.identity(batchID: "b1"))
        #expect(identity.shardIndex == nil && identity.shardCount == 2)
        let before = try counts(main)

        let again = try main.mergeShards(
            [path("s1.sqlite"), path("s0.sqlite")], batchID: "b1", shardCount: 2,
            startedAt: StoreSamples.date(0))
        #expect(again == [0, 0])
        #expect(try counts(main) == before)
        _ = try main.mergeShards([path("s1.sqlite")], batchID: "b1", shardCount: 2, startedAt: StoreSamples.date(1))
        #expect(try main.snapshot(batchID: "b1")?.info.startedAt == StoreSamples.date(0))
        #expect(try main.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try main.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
    }

    @Test func differentNumbersForOneRunKeyAreRefusedNamingBothFiles() throws {
        try writeShard(0, named: "s0.sqlite")
        try writeShard(0, named: "s0-rerun.sqlite", lossScale: 2)
        let main = try Archive(path: path("main.sqlite"))
        _ = try main.mergeShards([path("s0.sqlite")], batchID: "b1", shardCount: 2, startedAt: StoreSamples.date(0))
        let before = try counts(main)
        let error = #expect(throws: StoreError.self) {
            try main.mergeShards(
                [path("s0-rerun.sqlite")], batchID: "b1", shardCount: 2, startedAt: StoreSamples.date(0))
        }
        #expect(error?.kind == .conflictingShards)
        #expect(error?.message.contains("s0-rerun.sqlite") == true)
        #expect(error?.message.contains("main.sqlite") == true)
        #expect(try counts(main) == before)

        // Within one merge: both shard files are named.
        let fresh = try Archive(path: path("fresh.sqlite"))
        let both = #expect(throws: StoreError.self) {
            try fresh.mergeShards(
                [path("s0.sqlite"), path("s0-rerun.sqlite")], batchID: "b1", shardCount: 2,
                startedAt: StoreSamples.date(0))
        }
        #expect(both?.message.contains("/s0.sqlite") == true && both?.message.contains("/s0-rerun.sqlite") == true)
        #expect(try fresh.snapshot(batchID: "b1") == nil)  // nothing kept
    }

    @Test func aRerunShardWithOtherTimesButTheSameNumbersMerges() throws {
        try writeShard(1, named: "s1.sqlite")
        let rerun = try Archive(path: path("s1-again.sqlite"))
        let plan = StoreSamples.plan()
        try rerun.beginShardBatch(StoreSamples.info(id: "b1", start: 50), plan: plan, index: 1, count: 2)
        for spec in plan.runs where spec.index % 2 == 1 {
            var record = StoreSamples.record(spec, lossFinal: 1e-6 * Double(spec.index + 1), start: 99)
            record.wallSeconds = 42
            try rerun.recordRun(record, batchID: "b1")
        }
        let main = try Archive(path: path("main.sqlite"))
        let added = try main.mergeShards(
            [path("s1.sqlite"), path("s1-again.sqlite")], batchID: "b1", shardCount: 2,
            startedAt: StoreSamples.date(0))
        #expect(added[1] == 0)
    }

    /// Columns and tables added by later migrations (here: by hand, in both files) are carried
    /// without any change to the merge.
    @Test func columnsAndTablesTheMergeDoesNotKnowAreCarried() throws {
        let shard = try writeShard(0, named: "s0.sqlite")
        let main = try Archive(path: path("main.sqlite"))
        for archive in [shard, main] {
            try archive.pool.write { db in
                try db.execute(sql: "ALTER TABLE runs ADD COLUMN energy_joules REAL")
                try db.execute(
                    sql: "CREATE TABLE run_notes (batch_id TEXT NOT NULL, run_key TEXT NOT NULL, note TEXT, "
                        + "PRIMARY KEY (batch_id, run_key))")
            }
        }
        try shard.pool.write { db in
            try db.execute(sql: "UPDATE runs SET energy_joules = 12.5 + plan_index")
            try db.execute(sql: "INSERT INTO run_notes SELECT batch_id, run_key, 'note ' || plan_index FROM runs")
        }
        _ = try main.mergeShards([path("s0.sqlite")], batchID: "b1", shardCount: 2, startedAt: StoreSamples.date(0))
        let energies = try main.pool.read { db in
            try Double.fetchAll(db, sql: "SELECT energy_joules FROM runs ORDER BY plan_index")
        }
        #expect(energies == [12.5, 14.5])
        let notes = try main.pool.read { db in try String.fetchAll(db, sql: "SELECT note FROM run_notes ORDER BY note")
        }
        #expect(notes == ["note 0", "note 2"])

        // A differing value in the new column is a conflict too.
        try shard.pool.write { db in try db.execute(sql: "UPDATE runs SET energy_joules = 0") }
        #expect(throws: StoreError.self) {
            try main.mergeShards([path("s0.sqlite")], batchID: "b1", shardCount: 2, startedAt: StoreSamples.date(0))
        }
    }
}
