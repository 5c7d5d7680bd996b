import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegStore

@Suite("Archive queries: resume, previous batch, history")
struct ArchiveQueryTests {
    @Test("resume: a running batch of a dead process becomes partial and is found with its finished runs")
    func resumeQueries() throws {
        let archive = try ArchiveFixture().open()
        try StoreSamples.writeBatch(archive, id: "old-partial", start: 0, status: .partial)
        let plan = StoreSamples.plan()
        try archive.beginBatch(StoreSamples.info(id: "crashed", start: 100), plan: plan)
        try archive.recordRun(StoreSamples.record(plan.runs[0]), batchID: "crashed")
        try archive.recordRun(StoreSamples.record(plan.runs[2], status: .diverged), batchID: "crashed")
        try archive.beginBatch(StoreSamples.info(id: "other-name", name: "other", start: 200), plan: plan)

        // Before marking, a still-running batch already counts (the caller holds the lock).
        #expect(try archive.resumableBatchID(manifestName: "nightly-exp") == "crashed")
        #expect(try archive.markInterruptedBatches() == ["crashed", "other-name"])
        #expect(try archive.snapshot(batchID: "crashed")?.info.status == .partial)
        #expect(try archive.markInterruptedBatches() == [])
        #expect(try archive.resumableBatchID(manifestName: "nightly-exp") == "crashed")
        #expect(try archive.resumableBatchID(manifestName: "missing") == nil)
        #expect(try archive.finishedRunKeys(batchID: "crashed") == [plan.runs[0].runKey, plan.runs[2].runKey])
        #expect(try archive.finishedRunKeys(batchID: "unknown") == [])
        #expect(try archive.plan(batchID: "crashed") == plan)

        // Resuming reopens it as running; a crash then leaves it running, found again.
        try archive.resumeBatch(id: "crashed")
        let reopened = try #require(try archive.snapshot(batchID: "crashed")?.info)
        #expect(reopened.status == .running && reopened.finishedAt == nil && reopened.exitCode == nil)
        #expect(try archive.resumableBatchID(manifestName: "nightly-exp") == "crashed")
        #expect(throws: StoreError.self) { try archive.resumeBatch(id: "ghost") }

        // Once the resumed batch completes, nothing is left to resume but the older partial one.
        try archive.finishBatch(id: "crashed", status: .completed, finishedAt: StoreSamples.date(300), exitCode: 0)
        #expect(try archive.resumableBatchID(manifestName: "nightly-exp") == "old-partial")
    }

    @Test("previous batch: newest earlier completed/partial batch of the same name, by (started_at, id)")
    func previousBatchSelection() throws {
        let archive = try ArchiveFixture().open()
        try StoreSamples.writeBatch(archive, id: "a-completed", start: 0)
        try StoreSamples.writeBatch(archive, id: "b-partial", start: 10, status: .partial)
        try StoreSamples.writeBatch(archive, id: "c-failed", start: 20, status: .failed)
        try StoreSamples.writeBatch(archive, id: "d-other-name", name: "other", start: 30)
        try archive.beginBatch(StoreSamples.info(id: "e-running", start: 40), plan: StoreSamples.plan())
        try StoreSamples.writeBatch(archive, id: "f-same-start-1", start: 50)
        try StoreSamples.writeBatch(archive, id: "f-same-start-2", start: 50)
        try StoreSamples.writeBatch(archive, id: "g-now", start: 60)

        #expect(try archive.previousBatchID(before: "g-now", manifestName: "nightly-exp") == "f-same-start-2")
        #expect(try archive.previousBatchID(before: "f-same-start-2", manifestName: "nightly-exp") == "f-same-start-1")
        // Skips running e, other-name d and failed c.
        #expect(try archive.previousBatchID(before: "f-same-start-1", manifestName: "nightly-exp") == "b-partial")
        #expect(try archive.previousBatchID(before: "b-partial", manifestName: "nightly-exp") == "a-completed")
        #expect(try archive.previousBatchID(before: "a-completed", manifestName: "nightly-exp") == nil)
        #expect(try archive.previousBatchID(before: "unknown", manifestName: "nightly-exp") == nil)
        #expect(try archive.latestBatchID() == "g-now")
    }

    @Test("history: batches(limit:) newest first, batches(manifestName:) oldest first")
    func history() throws {
        let archive = try ArchiveFixture().open()
        #expect(try archive.latestBatchID() == nil)
        #expect(try archive.batches(limit: nil).isEmpty)
        try StoreSamples.writeBatch(archive, id: "b1", start: 0)
        try StoreSamples.writeBatch(archive, id: "x1", name: "other", start: 5)
        try StoreSamples.writeBatch(archive, id: "b2", start: 10)
        try StoreSamples.writeBatch(archive, id: "b3", start: 20)
        #expect(try archive.batches(limit: nil).map(\.id) == ["b3", "b2", "x1", "b1"])
        #expect(try archive.batches(limit: 2).map(\.id) == ["b3", "b2"])
        #expect(try archive.batches(limit: 0).isEmpty)
        #expect(try archive.batches(manifestName: "nightly-exp").map(\.id) == ["b1", "b2", "b3"])
        let first = try #require(try archive.batches(manifestName: "nightly-exp").first)
        #expect(first.status == .completed && first.exitCode == 0 && first.finishedAt == StoreSamples.date(30))
    }

    @Test("headlines(manifestName:) equal BatchHeadline(snapshot:) of the full snapshots, oldest first")
    func headlinesMatchSnapshots() throws {
        let archive = try ArchiveFixture().open()
        try StoreSamples.writeBatch(archive, id: "b1", start: 0, lossFinal: 1e-7)
        try StoreSamples.writeBatch(archive, id: "b2", start: 10, status: .partial, lossFinal: 1e-3)  // gates fail
        try StoreSamples.writeBatch(archive, id: "x1", name: "other", start: 15)
        // A batch with a diverged (NaN) run, a run without lambda_star, and no gates.
        let plan = StoreSamples.plan()
        try archive.beginBatch(StoreSamples.info(id: "b3", start: 20), plan: plan)
        try archive.recordRun(StoreSamples.record(plan.runs[0], status: .diverged, lossFinal: .nan), batchID: "b3")
        var noLambda = StoreSamples.record(plan.runs[2], lossFinal: 2e-7)
        noLambda.outcome.diagnostics.lambdaStar = nil
        try archive.recordRun(noLambda, batchID: "b3")
        try archive.beginBatch(StoreSamples.info(id: "b4-empty", start: 30), plan: plan)

        let expected = try ["b1", "b2", "b3", "b4-empty"].map { id in
            BatchHeadline(snapshot: try #require(try archive.snapshot(batchID: id)))
        }
        let headlines = try archive.headlines(manifestName: "nightly-exp")
        #expect(headlines == expected)
        #expect(headlines.map(\.gatesPassed) == [true, false, true, true])
        #expect(headlines[2].broken == 1 && headlines[2].medianFinalLoss == ["relu": 2e-7])
        #expect(try archive.headlines(manifestName: "missing").isEmpty)
    }

    // Opt-in measurement: EXPREG_STORE_BENCH=<path of a scratch archive>. Writes 1000 batches x 24 runs
    // into it unless it exists already, then times headlines(manifestName:) and one snapshot.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EXPREG_STORE_BENCH"] != nil))
    func headlinesScale() throws {
        let path = ProcessInfo.processInfo.environment["EXPREG_STORE_BENCH"] ?? ""
        let fresh = !FileManager.default.fileExists(atPath: path)
        let archive = try Archive(path: path)
        let plan = StoreSamples.plan(runs: 24)
        var clock = ContinuousClock.now
        if fresh {
            for b in 0..<1000 {
                let id = String(format: "b%04d", b)
                try archive.beginBatch(StoreSamples.info(id: id, start: Double(b), planned: 24), plan: plan)
                for spec in plan.runs { try archive.recordRun(StoreSamples.record(spec), batchID: id) }
                try archive.finishBatch(
                    id: id, status: .completed, finishedAt: StoreSamples.date(Double(b)), exitCode: 0)
            }
            print("write 1000 batches x 24 runs:", ContinuousClock.now - clock)
        }
        clock = ContinuousClock.now
        let headlines = try archive.headlines(manifestName: "nightly-exp")
        print("headlines of 1000 batches:", ContinuousClock.now - clock)
        clock = ContinuousClock.now
        _ = try archive.batches(limit: 20)
        print("batches(limit: 20):", ContinuousClock.now - clock)
        clock = ContinuousClock.now
        _ = try archive.snapshot(batchID: "b0500")
        print("one snapshot of 24 runs:", ContinuousClock.now - clock)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        print("archive size:", size, "bytes")
        #expect(headlines.count == 1000)
    }
}
