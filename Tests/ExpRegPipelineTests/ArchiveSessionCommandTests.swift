import ExpRegStore
import ExpRegTestSupport
import Foundation
import Testing

/// Every command that touches an archive goes through one session: `index` and `prune` honour the
/// output root's owner marker like `run`, `report` and `merge`; `report` beside a running writer
/// only reads.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct ArchiveSessionCommandTests {
    /// Every file below `folder` (relative path → bytes).
    static func tree(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            files[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func indexAndPruneRefuseAnotherArchivesOutputRoot() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        for (db, out) in [("out/a.sqlite", "out"), ("other/b.sqlite", "out-b")] {
            let run = try ExpRegProcess.run(["run", manifest, "--output", out, "--db", db], in: dir.url)
            #expect(run.status == 0, "stderr: \(run.stderr)")
        }
        let out = dir.url.appendingPathComponent("out")
        let before = try Self.tree(out)
        let index = try ExpRegProcess.run(["index", "--db", "other/b.sqlite", "--output", "out"], in: dir.url)
        #expect(index.status == 2, "stderr: \(index.stderr)")
        #expect(index.stderr.contains("holds the batches of another archive"), "stderr: \(index.stderr)")
        for arguments in [["--keep-reports", "1"], ["--older-than", "0", "--archive", "--yes"]] {
            let prune = try ExpRegProcess.run(
                ["prune", "--db", "other/b.sqlite", "--output", "out"] + arguments, in: dir.url)
            #expect(prune.status == 2, "\(arguments): \(prune.stderr)")
        }
        #expect(try Self.tree(out) == before, "nothing below the other archive's output root changed")
        let own = try ExpRegProcess.run(["index", "--db", "other/b.sqlite", "--output", "out-b"], in: dir.url)
        #expect(own.status == 0, "stderr: \(own.stderr)")
    }

    @Test func reportBesideARunningWriterOnlyReadsAndPruneArchiveWaitsItsTurn() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let run = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", "out/a.sqlite"], in: dir.url)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        // This process writes the archive (as an `expreg run` would) while the commands run.
        let writer = try ArchiveSession(
            path: dir.url.appendingPathComponent("out/a.sqlite").path, access: .write)
        defer { writer.close() }
        let report = try ExpRegProcess.run(["report", "--db", "out/a.sqlite", "--output", "out"], in: dir.url)
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(report.stdout.contains("opened read-only"), "stdout: \(report.stdout)")
        let prune = try ExpRegProcess.run(
            ["prune", "--db", "out/a.sqlite", "--output", "out", "--older-than", "0", "--archive", "--yes"],
            in: dir.url)
        #expect(prune.status == 4, "stderr: \(prune.stderr)")
    }
}
