import ExpRegPipeline
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `expreg prune` with the real binary: folders go, the archive keeps the batches, and a pruned
/// report comes back byte-identically from `expreg report`.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct PruneCommandTests {
    /// Every file below a batch folder, by relative path.
    static func files(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let walker = try #require(
            FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in walker
        where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            result[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
        }
        return result
    }

    /// Three batches of the tiny manifest in `out/`, oldest first.
    static func threeBatches(in dir: TemporaryDirectory) throws -> [String] {
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        var ids: [String] = []
        for _ in 0..<3 {
            let run = try ExpRegProcess.run(
                ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let id = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("batch: ") }?.dropFirst(7))
            ids.append(String(id))
        }
        return ids
    }

    @Test func keepsTheNewestFoldersAndTheArchiveRebuildsAPrunedReportByteIdentically() throws {
        let dir = TemporaryDirectory()
        let ids = try Self.threeBatches(in: dir)
        let out = dir.url.appendingPathComponent("out")
        let db = out.appendingPathComponent("a.sqlite").path
        let oldest = out.appendingPathComponent(ids[0])
        let original = try Self.files(oldest)
        #expect(original.keys.contains("report.html") && original.keys.contains { $0.hasPrefix("plots/") })

        let dry = try ExpRegProcess.run(
            ["prune", "--keep-reports", "2", "--db", db, "--output", "out", "--dry-run"], in: dir.url)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stdout.contains("would remove \(oldest.path)"), "stdout: \(dry.stdout)")
        #expect(FileManager.default.fileExists(atPath: oldest.path), "--dry-run removed a folder")

        let pruned = try ExpRegProcess.run(
            ["prune", "--keep-reports", "2", "--db", db, "--output", "out"], in: dir.url)
        #expect(pruned.status == 0, "stderr: \(pruned.stderr)")
        #expect(
            pruned.stdout.contains("removed \(oldest.path)") && pruned.stdout.contains("freed"),
            "stdout: \(pruned.stdout)")
        #expect(!FileManager.default.fileExists(atPath: oldest.path))
        for id in ids.dropFirst() {
            #expect(
                FileManager.default.fileExists(atPath: out.appendingPathComponent("\(id)/report.html").path),
                "\(id) pruned")
        }
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 3, "the archive lost batches")
        // The front page is rewritten: the pruned batch is listed as rebuildable, the others link their reports.
        #expect(pruned.stdout.contains("front page: "), "stdout: \(pruned.stdout)")
        let front = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(front.contains("<code>expreg report --batch \(ids[0])</code> で再生成できます"))
        #expect(!front.contains("href=\"\(ids[0])/report.html\"") && front.contains("href=\"\(ids[2])/report.html\""))
        let session = try ArchiveQueries.openExisting(db)
        defer { session.close() }
        let archive = session.archive
        #expect(try ReportPruner.rebuildableBatchIDs(archive: archive, layout: OutputLayout(root: out)) == [ids[0]])

        let rebuilt = try ExpRegProcess.run(["report", "--db", db, "--output", "out", "--batch", ids[0]], in: dir.url)
        #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")
        let again = try Self.files(oldest)
        #expect(Set(again.keys) == Set(original.keys))
        for (path, data) in original {
            #expect(again[path] == data, "\(path) differs after the rebuild")
        }
        #expect(try ReportPruner.rebuildableBatchIDs(archive: archive, layout: OutputLayout(root: out)).isEmpty)
        #expect(out.appendingPathComponent("latest").resolvingSymlinksInPath().lastPathComponent == ids[2])

        // --older-than 0 selects every batch; the latest is still kept.
        let all = try ExpRegProcess.run(["prune", "--older-than", "0", "--db", db, "--output", "out"], in: dir.url)
        #expect(all.status == 0, "stderr: \(all.stderr)")
        #expect(all.stdout.contains("kept \(ids[2])"), "stdout: \(all.stdout)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(ids[2])/report.html").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(ids[1]).path))
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 3)
    }

    @Test func archivePruningNeedsConfirmationThenDeletesRowsAndVacuums() throws {
        let dir = TemporaryDirectory()
        let ids = try Self.threeBatches(in: dir)
        let db = dir.url.appendingPathComponent("out/a.sqlite").path

        let unconfirmed = try ExpRegProcess.run(
            ["prune", "--keep-reports", "1", "--archive", "--db", db, "--output", "out"], in: dir.url)
        #expect(unconfirmed.status == 2 && unconfirmed.stderr.contains("--yes"), "stderr: \(unconfirmed.stderr)")
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches") == 3)
        let both = try ExpRegProcess.run(
            ["prune", "--keep-reports", "1", "--older-than", "2", "--db", db], in: dir.url)
        #expect(both.status == 2)

        let confirmed = try ExpRegProcess.run(
            ["prune", "--keep-reports", "1", "--archive", "--yes", "--db", db, "--output", "out"], in: dir.url)
        #expect(confirmed.status == 0, "stderr: \(confirmed.stderr)")
        #expect(
            confirmed.stdout.contains("deleted 2 batches") && confirmed.stdout.contains("VACUUM"),
            "stdout: \(confirmed.stdout)")
        #expect(try scalar(String.self, db, "SELECT group_concat(id) FROM batches") == ids[2])
        // The foreign keys cascade: no row of a deleted batch is left in any table.
        for table in ["runs", "metrics", "spectra", "diagnostics", "gates", "artifacts", "notifications"] {
            #expect(
                try scalar(Int.self, db, "SELECT COUNT(*) FROM \(table) WHERE batch_id <> '\(ids[2])'") == 0,
                "\(table) kept rows")
        }
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM runs") == 6)
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
        #expect(try scalar(String.self, db, "PRAGMA foreign_key_check") == nil)
    }
}
