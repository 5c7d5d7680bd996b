import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// The batch folder is ours alone, and an output root belongs to one archive.
@Suite(.serialized)
struct OutputFolderTests {
    @Test func aNewBatchNeverWritesIntoOrThroughAnythingAtItsFolderPath() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let out = dir.url.appendingPathComponent("out")
        let victim = dir.url.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        // Occupy the folder paths of every batch id of the next 40 seconds: a file, a folder with
        // someone's file in it, a symlink to a folder outside, a dangling symlink, in turn.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var occupied: [String] = []
        let now = Date()
        for second in 0..<40 {
            let id = formatter.string(from: now.addingTimeInterval(Double(second))) + "-tiny"
            let path = out.appendingPathComponent(id)
            switch second % 4 {
            case 0: try Data("not yours\n".utf8).write(to: path)
            case 1:
                try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
                try Data("keep\n".utf8).write(to: path.appendingPathComponent("notes.txt"))
            case 2: try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: victim.path)
            default:
                try FileManager.default.createSymbolicLink(
                    atPath: path.path, withDestinationPath: "/nonexistent/expreg")
            }
            occupied.append(id)
        }
        let result = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", "out/a.sqlite"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let id = try #require(
            try scalar(String.self, out.appendingPathComponent("a.sqlite").path, "SELECT id FROM batches"))
        #expect(!occupied.contains(id), "the batch took an occupied path: \(id)")
        #expect(id.hasSuffix("-tiny-2"), "the taken id gets a suffix: \(id)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(id)/report.html").path))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty,
            "something was written through a symlink")
        for (index, occupant) in occupied.enumerated() {
            let path = out.appendingPathComponent(occupant).path
            switch index % 4 {
            case 0: #expect(FileManager.default.contents(atPath: path) == Data("not yours\n".utf8))
            case 1: #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["notes.txt"])
            default: #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path).isEmpty == false)
            }
        }
    }

    @Test(.tags(.slow), .skippedWhenFast) func twoArchivesCannotShareAnOutputFolder() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let first = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", "out/a.sqlite"], in: dir.url)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let latestBefore = try FileManager.default.destinationOfSymbolicLink(
            atPath: dir.url.appendingPathComponent("out/latest").path)

        let second = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", "other/b.sqlite"], in: dir.url)
        #expect(second.status == 2, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("a.sqlite"), "names the owner: \(second.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("other/b.sqlite").path),
            "nothing is created for the refused archive")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: dir.url.appendingPathComponent("out/latest").path)
                == latestBefore)

        // The same archive through a symlink is the same owner; another output root is fine.
        try FileManager.default.createSymbolicLink(
            atPath: dir.url.appendingPathComponent("link.sqlite").path,
            withDestinationPath: dir.url.appendingPathComponent("out/a.sqlite").path)
        let again = try ExpRegProcess.run(["report", "--output", "out", "--db", "link.sqlite"], in: dir.url)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let elsewhere = try ExpRegProcess.run(
            ["run", manifest, "--output", "out-b", "--db", "other/b.sqlite"], in: dir.url)
        #expect(elsewhere.status == 0, "stderr: \(elsewhere.stderr)")
        // A report of b into a's folder is refused too.
        let crossReport = try ExpRegProcess.run(["report", "--output", "out", "--db", "other/b.sqlite"], in: dir.url)
        #expect(crossReport.status == 2, "stderr: \(crossReport.stderr)")
    }

    @Test func aResumeNeverWritesThroughABatchFolderReplacedByASymlink() throws {
        let dir = TemporaryDirectory()
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let live = try ArchiveLockIdentityTests.startLiveRun(in: dir, db: db)
        kill(live.pid, SIGKILL)
        _ = live.wait(timeout: 30)
        let id = try #require(try scalar(String.self, db, "SELECT id FROM batches"))
        let folder = dir.url.appendingPathComponent("out/\(id)")
        let victim = dir.url.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createSymbolicLink(atPath: folder.path, withDestinationPath: victim.path)
        let runsBefore = try ArchiveSafetyTests.archivedRuns(db)
        let resumed = try ExpRegProcess.run(
            [
                "run", dir.url.appendingPathComponent("manifest.yaml").path, "--output", "out",
                "--db", db, "--resume",
            ], in: dir.url)
        #expect(resumed.status == 2, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("is not a folder"), "stderr: \(resumed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)
        #expect(try ArchiveSafetyTests.archivedRuns(db) == runsBefore, "nothing trained")
    }
}
