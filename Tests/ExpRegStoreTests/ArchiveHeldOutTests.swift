import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

@Suite("Archive: held-out errors (v2-heldout)")
struct ArchiveHeldOutTests {
    @Test("held-out errors and the note round-trip exactly; a run without a test set reads nil")
    func roundTrip() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        try archive.beginBatch(StoreSamples.info(id: "b1", planned: 2), plan: StoreSamples.plan(runs: 2))
        var with = StoreSamples.record(StoreSamples.spec(index: 0))
        with.outcome.heldOut = HeldOutErrors(
            trainMSE: 8.75e-8, testMSE: 0.4321, kernelTestMSE: 0.3999999999999999,
            ntkTestMSE: nil, note: "H* is numerically singular")
        let without = StoreSamples.record(StoreSamples.spec(index: 1, width: 1024))
        try archive.recordRun(with, batchID: "b1")
        try archive.recordRun(without, batchID: "b1")
        let read = try #require(try archive.snapshot(batchID: "b1"))
        // Exact equality on purpose: the archive must not change a bit.
        #expect(read.runs[0].outcome.heldOut == with.outcome.heldOut)
        #expect(read.runs[1].outcome.heldOut == HeldOutErrors())
        #expect(read.runs[1].outcome == without.outcome)
    }

    @Test("a version-1 archive is migrated in place: its runs read with nil held-out errors")
    func migratesVersion1Archive() throws {
        let folder = TemporaryDirectory()
        let path = folder.url.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(
            atPath: Fixtures.directory.appendingPathComponent("archive/quick-two-nights.sqlite").path,
            toPath: path)
        let before = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(before == 1)
        let archive = try Archive(path: path)
        let id = try #require(try archive.latestBatchID())
        let snapshot = try #require(try archive.snapshot(batchID: id))
        #expect(!snapshot.runs.isEmpty)
        #expect(snapshot.runs.allSatisfy { $0.outcome.heldOut == HeldOutErrors() })
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == Archive.schemaVersion)
            let columns = try db.columns(in: "diagnostics").map(\.name)
            for name in ["train_mse", "test_mse", "kernel_test_mse", "ntk_test_mse", "heldout_note"] {
                #expect(columns.contains(name), "\(name)")
            }
        }
    }
}
