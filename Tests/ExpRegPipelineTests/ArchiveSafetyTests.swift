import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// Crash, resume, lock and signal behaviour of `expreg run`, with real processes.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct ArchiveSafetyTests {
    /// Twelve runs long enough (a second or more each in a debug build) to be interrupted in the middle.
    static let slowManifest = """
        name: slow
        defaults:
          data: {source: sphere, n: 32, d: 8, labels: random, seed: 5}
          model: {activation: exp, width: 512, init_scale: 0.5}
          train: {steps: 6000, learning_rate: auto, target_loss: 0.0, log_every: 50, spectrum_every: 0}
        experiments:
          - name: seeds
            sweep:
              seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        """

    /// (run_key, started_at) of the archived runs, via the real SQLite file.
    static func archivedRuns(_ path: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let db = try DatabaseQueue(path: path, configuration: readerConfiguration)
        return try db.read { db in
            guard try db.tableExists("runs") else { return [:] }
            let rows = try Row.fetchAll(db, sql: "SELECT run_key, started_at FROM runs")
            return Dictionary(
                uniqueKeysWithValues: rows.map { (($0["run_key"] as String), "\($0["started_at"] as DatabaseValue)") })
        }
    }

    @Test func killDashNineMidBatchThenResumeCompletesWithoutRetraining() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.slowManifest, in: dir.url)
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let running = try ExpRegProcess.start(
            ["run", manifest, "--output", "out", "--db", db, "--parallel", "1"], in: dir.url)
        let someFinished = try eventually(timeout: 240) { try Self.archivedRuns(db).count >= 2 }
        #expect(someFinished, "no run finished in time: \(running.stderrSoFar)")
        kill(running.pid, SIGKILL)
        let killed = running.wait(timeout: 30)
        #expect(killed.status != 0)

        let before = try Self.archivedRuns(db)
        #expect(before.count >= 2 && before.count < 12, "killed too late or too early: \(before.count) runs")
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")

        let resumed = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", db, "--resume"], in: dir.url)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming batch"))
        let after = try Self.archivedRuns(db)
        #expect(after.count == 12)
        for (key, startedAt) in before {
            #expect(after[key] == startedAt, "run \(key.prefix(8)) was trained again")
        }
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 1)
    }

    @Test func secondConcurrentRunExits4AtOnceNamingTheHolder() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.slowManifest, in: dir.url)
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let first = try ExpRegProcess.start(["run", manifest, "--output", "out", "--db", db], in: dir.url)
        defer {
            kill(first.pid, SIGKILL)
            _ = first.wait(timeout: 30)
        }
        let started = eventually(timeout: 60) { first.stderrSoFar.contains("batch ") }
        #expect(started, "first run did not start: \(first.stderrSoFar)")

        let clock = ContinuousClock()
        let t0 = clock.now
        let second = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", db], in: dir.url, timeout: 60)
        let elapsed = clock.now - t0
        #expect(second.status == 4, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("\(first.pid)"), "message names the holder's pid: \(second.stderr)")
        #expect(elapsed < .seconds(30), "the second run waited instead of failing at once")
        #expect(first.process.isRunning, "the first run was disturbed")
    }

    @Test func sigintFinishesTheTransactionAndRecordsPartial() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.slowManifest, in: dir.url)
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let running = try ExpRegProcess.start(
            ["run", manifest, "--output", "out", "--db", db, "--parallel", "1"], in: dir.url)
        let oneFinished = try eventually(timeout: 240) { try Self.archivedRuns(db).count >= 1 }
        #expect(oneFinished)
        kill(running.pid, SIGINT)
        let result = running.wait(timeout: 120)
        #expect(result.status == 130, "stderr: \(result.stderr)")
        #expect(try scalar(String.self, db, "SELECT status FROM batches") == "partial")
        // results.json of the partial batch is written; `latest` still points at no half batch.
        let id = try #require(try scalar(String.self, db, "SELECT id FROM batches"))
        let results = try JSONValue.parse(Data(contentsOf: dir.url.appendingPathComponent("out/\(id)/results.json")))
        try ResultsContract.validate(results)
        #expect(results["batch"]?["status"] == .string("partial"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/latest").path))
        #expect(try scalar(Int.self, db, "SELECT exit_code FROM batches") == 130)
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
        // The front page lists the partial batch, with no link to reports that were not written.
        let index = try String(contentsOf: dir.url.appendingPathComponent("out/index.html"), encoding: .utf8)
        #expect(index.contains("id=\"batch-\(id)\""))
        #expect(!index.contains("href=\"\(id)/report.html\""))
    }
}

/// One value of a query against a real archive file.
func scalar<T: DatabaseValueConvertible & StatementColumnConvertible>(_ type: T.Type, _ path: String, _ sql: String)
    throws -> T?
{
    let queue = try DatabaseQueue(path: path, configuration: readerConfiguration)
    return try queue.read { db in try T.fetchOne(db, sql: sql) }
}

/// A read-only connection that waits for a writer (the archive may be mid-transaction).
let readerConfiguration: Configuration = {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(10)
    return configuration
}()
