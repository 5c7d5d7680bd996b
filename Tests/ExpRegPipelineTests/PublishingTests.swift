import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// Publishing is part of a batch's story: `latest` only moves to a completed, published batch; a
/// publication cut short is finished by the next run; a signal while publishing is not swallowed.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct PublishingTests {
    /// Files whose name marks them temporary (`.<name>.tmp-<pid>…`) anywhere below `folder`.
    static func temporaryFiles(below folder: URL) -> [String] {
        let walker = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let path = walker?.nextObject() as? String {
            if URL(fileURLWithPath: path).lastPathComponent.contains(".tmp-") { found.append(path) }
        }
        return found
    }

    static func publishedAt(_ db: String, _ id: String) throws -> Double? {
        try scalar(Double.self, db, "SELECT published_at FROM batches WHERE id = '\(id)'")
    }

    static func latestTarget(_ out: URL) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("latest").path)
    }

    /// A pid that is not running (for a stale temporary file's name).
    static let deadPID: Int32 = {
        var pid: Int32 = 4_000_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }()

    @Test func aPublicationCutShortIsFinishedByTheNextRun() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let out = dir.url.appendingPathComponent("out")
        let db = out.appendingPathComponent("a.sqlite").path
        let first = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", db], in: dir.url)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let id = try #require(try scalar(String.self, db, "SELECT id FROM batches"))
        #expect(try Self.publishedAt(db, id) != nil)
        let folder = out.appendingPathComponent(id)
        let reportBefore = try Data(contentsOf: folder.appendingPathComponent("report.html"))
        let plot = try #require(
            try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("plots").path).first)

        // The state a kill -9 while writing the reports leaves: no publication recorded, files
        // missing, temporary files, `latest` not moved yet.
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in try db.execute(sql: "UPDATE batches SET published_at = NULL") }
        try queue.close()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("report.html"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("plots/\(plot)"))
        try Data("half".utf8).write(to: folder.appendingPathComponent(".report.html.tmp-\(Self.deadPID)"))
        try Data("half".utf8).write(to: folder.appendingPathComponent("plots/.\(plot).tmp-\(Self.deadPID)-abcd1234"))
        try FileManager.default.createSymbolicLink(
            atPath: out.appendingPathComponent(".latest.tmp-\(Self.deadPID)").path,
            withDestinationPath: id)
        try FileManager.default.removeItem(at: out.appendingPathComponent("latest"))

        let history = try ExpRegProcess.run(["history", "--db", db], in: dir.url)
        #expect(history.stdout.contains("unpublished"), "history: \(history.stdout)")
        let json = try ExpRegProcess.run(["history", "--db", db, "--json"], in: dir.url)
        #expect(json.stdout.contains("\"published\" : false"), "\(json.stdout)")

        let resumed = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", db, "--resume"], in: dir.url)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("writing them now"), "stderr: \(resumed.stderr)")
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.html")) == reportBefore)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("plots/\(plot)").path))
        #expect(Self.latestTarget(out) == id)
        #expect(try Self.publishedAt(db, id) != nil)
        #expect(Self.temporaryFiles(below: out) == [], "temporary files left: \(Self.temporaryFiles(below: out))")
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 1, "no new batch for a publish-only resume")
        let after = try ExpRegProcess.run(["history", "--db", db], in: dir.url)
        #expect(!after.stdout.contains("unpublished") && after.stdout.contains("completed"), "\(after.stdout)")
    }

    /// Starts the tiny manifest and waits until its batch is `completed` (reports being written).
    static func startAndWaitForPublishing(_ dir: TemporaryDirectory, db: String) throws -> (RunningProcess, String?) {
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let running = try ExpRegProcess.start(["run", manifest, "--output", "out", "--db", db], in: dir.url)
        var id: String?
        _ = eventually(timeout: 120) {
            guard FileManager.default.fileExists(atPath: db),
                (try? scalar(String.self, db, "SELECT status FROM batches")) == "completed"
            else { return !running.process.isRunning }
            id = try? scalar(String.self, db, "SELECT id FROM batches")
            return true
        }
        return (running, id)
    }

    @Test func killDashNineWhilePublishingLeavesAStateTheNextRunFinishes() throws {
        let dir = TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        let db = out.appendingPathComponent("a.sqlite").path
        let (running, found) = try Self.startAndWaitForPublishing(dir, db: db)
        kill(running.pid, SIGKILL)
        _ = running.wait(timeout: 30)
        let id = try #require(found, "the batch never reached publishing")
        let published = try Self.publishedAt(db, id) != nil
        if !published {
            #expect(Self.latestTarget(out) != id, "latest points at an unpublished batch")
            let history = try ExpRegProcess.run(["history", "--db", db], in: dir.url)
            #expect(history.stdout.contains("unpublished"), "\(history.stdout)")
            let next = try ExpRegProcess.run(
                [
                    "run", dir.url.appendingPathComponent("manifest.yaml").path, "--output", "out",
                    "--db", db, "--resume",
                ], in: dir.url)
            #expect(next.status == 0, "stderr: \(next.stderr)")
            #expect(try Self.publishedAt(db, id) != nil)
        } else {
            print("kill -9 landed after the publication was recorded; checking that state")
        }
        #expect(Self.latestTarget(out) == id || !published)
        let artifacts = try DatabaseQueue(path: db, configuration: readerConfiguration).read { db in
            try String.fetchAll(db, sql: "SELECT path FROM artifacts WHERE batch_id = ?", arguments: [id])
        }
        if try Self.publishedAt(db, id) != nil {
            #expect(!artifacts.isEmpty)
            for path in artifacts {
                #expect(
                    FileManager.default.fileExists(atPath: out.appendingPathComponent("\(id)/\(path)").path),
                    "\(path) missing")
            }
        }
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalWhilePublishingIsNotSwallowed(signal: Int32) throws {
        let dir = TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        let db = out.appendingPathComponent("a.sqlite").path
        let (running, found) = try Self.startAndWaitForPublishing(dir, db: db)
        kill(running.pid, signal)
        let result = running.wait(timeout: 120)
        let id = try #require(found, "the batch never reached publishing")
        let expected: Int32 = signal == SIGTERM ? 143 : 130
        #expect(result.status == expected || result.status == 0, "status \(result.status), stderr: \(result.stderr)")
        if result.status == expected {
            #expect(result.stderr.contains("were finished"), "says what happened: \(result.stderr)")
        } else {
            print("the signal arrived after the run had finished publishing (exit 0)")
        }
        #expect(try Self.publishedAt(db, id) != nil)
        #expect(Self.latestTarget(out) == id)
        #expect(Self.temporaryFiles(below: out) == [])
    }
}
