import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// One writer per archive file, whatever path reaches it: a live `expreg run` and a second one
/// through a symlink, a hard link, a `..` path, or after the lock text file was deleted.
@Suite(.serialized)
struct ArchiveLockIdentityTests {
    /// Starts the slow manifest and waits until its batch is recorded as `running`.
    static func startLiveRun(in dir: TemporaryDirectory, db: String) throws -> RunningProcess {
        let manifest = try writeManifest(ArchiveSafetyTests.slowManifest, in: dir.url)
        let live = try ExpRegProcess.start(
            ["run", manifest, "--output", "out", "--db", db, "--parallel", "1"], in: dir.url)
        let started = try eventually(timeout: 120) {
            FileManager.default.fileExists(atPath: db)
                && (try? scalar(String.self, db, "SELECT status FROM batches")) == "running"
        }
        #expect(started, "the live run did not start: \(live.stderrSoFar)")
        return live
    }

    @Test func secondRunThroughAnotherPathExits4AndLeavesTheLiveBatchRunning() throws {
        let dir = TemporaryDirectory()
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let live = try Self.startLiveRun(in: dir, db: db)
        defer {
            kill(live.pid, SIGKILL)
            _ = live.wait(timeout: 30)
        }
        let batchID = try #require(try scalar(String.self, db, "SELECT id FROM batches"))

        try FileManager.default.createSymbolicLink(
            atPath: dir.url.appendingPathComponent("link.sqlite").path,
            withDestinationPath: db)
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("other"), withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: db, toPath: dir.url.appendingPathComponent("other/hard.sqlite").path)
        let manifest = dir.url.appendingPathComponent("manifest.yaml").path
        let aliases = ["link.sqlite", "other/hard.sqlite", "out/../out/a.sqlite", dir.url.path + "/./out/a.sqlite"]
        for alias in aliases {
            let second = try ExpRegProcess.run(
                ["run", manifest, "--output", "out2", "--db", alias], in: dir.url, timeout: 60)
            #expect(second.status == 4, "--db \(alias): stderr: \(second.stderr)")
            #expect(second.stderr.contains("pid=\(live.pid)"), "--db \(alias) names the holder: \(second.stderr)")
            #expect(live.process.isRunning, "the live run was disturbed by --db \(alias)")
            #expect(
                try scalar(String.self, db, "SELECT status FROM batches WHERE id = '\(batchID)'") == "running",
                "--db \(alias) flipped the live batch")
            #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 1)
        }

        // Deleting the holder-text file does not open the archive: the pid comes from /proc/locks.
        let lockText = URL(fileURLWithPath: db).resolvingSymlinksInPath().path + ".lock"
        #expect(FileManager.default.fileExists(atPath: lockText))
        try FileManager.default.removeItem(atPath: lockText)
        let afterDelete = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", db], in: dir.url, timeout: 60)
        #expect(afterDelete.status == 4, "stderr: \(afterDelete.stderr)")
        #expect(afterDelete.stderr.contains("pid=\(live.pid)"), "holder named from /proc/locks: \(afterDelete.stderr)")
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = '\(batchID)'") == "running")
        #expect(live.process.isRunning)
    }

    @Test func aDeadHoldersLockIsFreeAndItsBatchBecomesPartialThroughASymlink() throws {
        let dir = TemporaryDirectory()
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let live = try Self.startLiveRun(in: dir, db: db)
        kill(live.pid, SIGKILL)
        _ = live.wait(timeout: 30)
        try FileManager.default.createSymbolicLink(
            atPath: dir.url.appendingPathComponent("link.sqlite").path,
            withDestinationPath: db)
        // A run whose manifest is invalid stops before the lock; a valid one through the link takes
        // the free lock and marks the dead batch partial. Use `--resume` so nothing long is trained:
        // the resumed batch then belongs to this run; stop it right after it resumed.
        let manifest = dir.url.appendingPathComponent("manifest.yaml").path
        let resumed = try ExpRegProcess.start(
            ["run", manifest, "--output", "out", "--db", "link.sqlite", "--resume"], in: dir.url)
        let resumedIt = eventually(timeout: 120) { resumed.stderrSoFar.contains("resuming batch") }
        kill(resumed.pid, SIGKILL)
        let result = resumed.wait(timeout: 30)
        #expect(resumedIt, "stderr: \(result.stderr)")
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 1)
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
    }
}
