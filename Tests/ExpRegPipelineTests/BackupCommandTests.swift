import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `expreg backup` with the real binary and real archive files, including a copy taken while a
/// real `expreg run` process writes to the archive.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct BackupCommandTests {
    /// (batch id, status, runs) of every batch in an archive file.
    static func batches(_ path: String) throws -> [String: (status: String, runs: Int)] {
        let queue = try DatabaseQueue(path: path, configuration: readerConfiguration)
        return try queue.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT b.id, b.status, (SELECT COUNT(*) FROM runs r WHERE r.batch_id = b.id) AS runs FROM batches b
                    """)
            return Dictionary(
                uniqueKeysWithValues: rows.map {
                    ($0["id"] as String, (status: $0["status"] as String, runs: $0["runs"] as Int))
                })
        }
    }

    @Test func backupDuringARunHoldsEveryFinishedBatchAndPassesIntegrityCheck() throws {
        let dir = TemporaryDirectory()
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let tiny = try writeManifest(RunCommandTests.tinyManifest, named: "tiny.yaml", in: dir.url)
        let first = try ExpRegProcess.run(["run", tiny, "--output", "out", "--db", db, "--quiet"], in: dir.url)
        #expect(first.status == 0, "stderr: \(first.stderr)")

        // A second batch is being written by a real process while the backup runs; its stop is announced.
        let hook = try LocalHTTPServer()
        defer { hook.stop() }
        let slow = try writeManifest(
            ArchiveSafetyTests.slowManifest + "\nnotify:\n  - url: \(hook.url())\n",
            named: "slow.yaml", in: dir.url)
        let running = try ExpRegProcess.start(
            ["run", slow, "--output", "out", "--db", db, "--parallel", "1"], in: dir.url)
        defer {
            if running.process.isRunning { kill(running.pid, SIGKILL) }
            _ = running.wait(timeout: 30)
        }
        let writing = try eventually(timeout: 240) { try ArchiveSafetyTests.archivedRuns(db).count >= 6 + 1 }
        #expect(writing, "the slow batch archived no run in time: \(running.stderrSoFar)")
        let before = try Self.batches(db)

        let backup = try ExpRegProcess.run(["backup", "copy.sqlite", "--db", db], in: dir.url)
        #expect(backup.status == 0, "stderr: \(backup.stderr)")
        #expect(backup.stdout.contains("integrity ok"), "stdout: \(backup.stdout)")
        #expect(
            running.process.isRunning, "the run was disturbed by the backup (or finished too early to prove anything)")

        let copy = dir.url.appendingPathComponent("copy.sqlite").path
        #expect(try scalar(String.self, copy, "PRAGMA integrity_check") == "ok")
        let copied = try Self.batches(copy)
        #expect(copied.count == 2)
        for (id, batch) in before {
            let inCopy = try #require(copied[id], "batch \(id) missing from the backup")
            if batch.status == "completed" {
                #expect(
                    inCopy.status == "completed" && inCopy.runs == batch.runs,
                    "finished batch \(id) incomplete in the backup")
            } else {
                #expect(inCopy.runs >= batch.runs, "runs committed before the backup are missing from it")
            }
        }
        // No temporary file is left beside the copy.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")

        kill(running.pid, SIGTERM)
        let stopped = running.wait(timeout: 120)
        #expect(stopped.status == 143, "stderr: \(stopped.stderr)")
        #expect(hook.requests.count == 1, "an interrupted night is a failure: one post")
        let notice = try JSONValue.parse(try #require(hook.requests.first).body)
        #expect(notice["exit_code"] == .number(143) && notice["status"] == .string("partial"))
        #expect(notice["report"] == .null && notice["text"]?.string?.contains("interrupted") == true)

        // The copy is a working archive: the commands read it as they read the original.
        let history = try ExpRegProcess.run(["history", "--db", copy, "--json"], in: dir.url)
        #expect(history.status == 0, "stderr: \(history.stderr)")
        #expect(try JSONValue.parse(Data(history.stdout.utf8)).array?.count == 2)
    }

    @Test func existingDestinationIsKeptUnlessForced() throws {
        let dir = TemporaryDirectory()
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let tiny = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        #expect(
            try ExpRegProcess.run(["run", tiny, "--output", "out", "--db", db, "--quiet"], in: dir.url).status == 0)
        let existing = dir.url.appendingPathComponent("copy.sqlite")
        try Data("not a backup".utf8).write(to: existing)

        let refused = try ExpRegProcess.run(["backup", "copy.sqlite", "--db", db], in: dir.url)
        #expect(refused.status == 2, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("--force"))
        #expect(try Data(contentsOf: existing) == Data("not a backup".utf8), "an existing file was overwritten")

        let forced = try ExpRegProcess.run(["backup", "copy.sqlite", "--db", db, "--force"], in: dir.url)
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(try scalar(Int.self, existing.path, "SELECT COUNT(*) FROM batches") == 1)
        #expect(try scalar(String.self, existing.path, "PRAGMA integrity_check") == "ok")

        let noArchive = try ExpRegProcess.run(["backup", "other.sqlite", "--db", "missing.sqlite"], in: dir.url)
        #expect(noArchive.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("other.sqlite").path))
        let ontoItself = try ExpRegProcess.run(["backup", db, "--db", db, "--force"], in: dir.url)
        #expect(ontoItself.status == 2)
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
    }
}
