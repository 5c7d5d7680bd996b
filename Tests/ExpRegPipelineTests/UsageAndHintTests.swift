import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// Usage mistakes exit 2 with a clear message; printed recovery hints work as printed; progress and
/// history tell the truth about a resumed or partial batch.
@Suite(.serialized)
struct UsageAndHintTests {
    /// Three runs long enough in a debug build to interrupt the batch after the first.
    static let threeSlowRuns = """
        name: three
        defaults:
          data: {source: sphere, n: 32, d: 8, labels: random, seed: 5}
          model: {activation: exp, width: 512, init_scale: 0.5}
          train: {steps: 6000, learning_rate: auto, target_loss: 0.0, log_every: 50, spectrum_every: 0}
        experiments:
          - name: seeds
            sweep:
              seed: [0, 1, 2]
        gates:
          max_diverged: 0
        """

    @Test func usageMistakesExit2ForEveryCommand() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let folder = dir.url.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = dir.url.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let cases: [([String], String)] = [
            (["run", manifest, "--db", ""], "--db is empty"),
            (["history", "--db", ""], "--db is empty"),
            (["export", "--db", "", "--format", "csv"], "--db is empty"),
            (["report", "--db", ""], "--db is empty"),
            (["run", manifest, "--db", folder.path, "--output", "o"], "is a folder"),
            (["history", "--db", folder.path], "is a folder"),
            (["export", "--db", folder.path, "--format", "json"], "is a folder"),
            (["report", "--db", folder.path, "--output", "o"], "is a folder"),
            (["run", manifest, "--db", file.path + "/x.sqlite", "--output", "o"], "is a file"),
            (["report", "--db", "o/x.sqlite", "--output", file.path], "is a file"),
            (["report", "--db", "o/x.sqlite", "--output", ""], "--output is empty"),
            (["run", manifest, "--db", "o/x.sqlite", "--output", file.path], file.path),
        ]
        for (arguments, message) in cases {
            let result = try ExpRegProcess.run(arguments, in: dir.url)
            #expect(result.status == 2, "\(arguments): stderr: \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(FileManager.default.contents(atPath: file.path) == Data("x".utf8))
    }

    @Test(.tags(.slow), .skippedWhenFast) func theInterruptedRunsHintWorksAsPrintedAndProgressStaysWithinTheTotal()
        throws
    {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.threeSlowRuns, in: dir.url)
        let db = "archive/three.sqlite"
        let dbPath = dir.url.appendingPathComponent(db).path
        let arguments = ["run", manifest, "--db", db, "--output", "reports", "--set", "model.init_scale=0.6"]
        let running = try ExpRegProcess.start(arguments, in: dir.url)
        let oneFinished = try eventually(timeout: 240) { try ArchiveSafetyTests.archivedRuns(dbPath).count >= 1 }
        kill(running.pid, SIGINT)
        let interrupted = running.wait(timeout: 120)
        #expect(oneFinished)
        #expect(interrupted.status == 130, "stderr: \(interrupted.stderr)")
        let hintLine = try #require(
            interrupted.stderr.split(separator: "\n").first { $0.contains("continue it with: ") })
        let hint = String(hintLine[hintLine.range(of: "continue it with: ")!.upperBound...])
        #expect(
            hint == "expreg run \(manifest) --db \(db) --output reports --set model.init_scale=0.6 --resume",
            "hint: \(hint)")

        // history: the partial batch's gates were never evaluated: not "pass".
        let table = try ExpRegProcess.run(["history", "--db", db], in: dir.url)
        #expect(table.status == 0, "stderr: \(table.stderr)")
        let row = try #require(table.stdout.split(separator: "\n").first { $0.contains("partial") })
        #expect(!row.contains("pass"), "history row: \(row)")
        let json = try ExpRegProcess.run(["history", "--db", db, "--json"], in: dir.url)
        #expect(json.stdout.contains("\"gates_evaluated\" : false"), "\(json.stdout)")
        #expect(json.stdout.contains("\"gates_passed\" : false"), "\(json.stdout)")

        // A report of the partial batch is written, but `latest` is not moved to it.
        let report = try ExpRegProcess.run(["report", "--db", db, "--output", "reports"], in: dir.url)
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(report.stdout.contains("not moved"), "\(report.stdout)")
        var info = stat()
        #expect(
            lstat(dir.url.appendingPathComponent("reports/latest").path, &info) != 0, "latest points at a partial batch"
        )

        // The hint, run as printed (its words have no spaces to quote).
        let words = hint.split(separator: " ").map(String.init)
        #expect(words.first == "expreg")
        let resumed = try ExpRegProcess.run(Array(words.dropFirst()), in: dir.url)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming batch"))
        let counters = resumed.stderr.matches(of: /\[(\d+)\/(\d+)\]/).map { (Int($0.1)!, Int($0.2)!) }
        #expect(!counters.isEmpty, "no progress lines: \(resumed.stderr)")
        for (position, total) in counters { #expect(position <= total, "progress [\(position)/\(total)]") }
        #expect(try scalar(String.self, dbPath, "SELECT status FROM batches") == "completed")
        let after = try ExpRegProcess.run(["history", "--db", db], in: dir.url)
        #expect(
            after.stdout.split(separator: "\n").contains { $0.contains("completed") && $0.contains("pass") },
            "\(after.stdout)")
        #expect(
            FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("reports/latest/report.html").path))
    }
}

/// A full disk during training: the run fails with exit 1, keeps what was committed, and prints a
/// resume command that, once there is space, finishes the batch as printed.
@Suite(.serialized)
struct DiskFullHintTests {
    static let manyPoints = """
        name: fill
        defaults:
          data: {source: sphere, n: 12, d: 4, labels: random, seed: 2}
          model: {activation: exp, width: 32, init_scale: 0.5}
          train: {steps: 3000, learning_rate: auto, target_loss: 0.0, log_every: 1, spectrum_every: 10}
        experiments:
          - name: seeds
            sweep:
              seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
        """

    @Test(.tags(.slow), .skippedWhenFast, .skipped(because: HostCapabilities.mountUnavailable))
    func diskFullDuringTrainingPrintsAResumeCommandThatWorks() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manyPoints, in: dir.url)
        let small = dir.url.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        try #require(
            ForeignAndReadOnlyArchiveTests.shell("mount -t tmpfs -o size=768k tmpfs '\(small.path)'") == 0,
            "mounting a small tmpfs failed")
        defer { _ = ForeignAndReadOnlyArchiveTests.shell("umount '\(small.path)'") }
        let db = "small/fill.sqlite"
        let full = try ExpRegProcess.run(["run", manifest, "--db", db, "--output", "reports"], in: dir.url)
        #expect(full.status == 1, "stderr: \(full.stderr)")
        #expect(full.stderr.contains("disk full") || full.stderr.contains("full"), "stderr: \(full.stderr)")
        #expect(!full.stderr.contains("Fatal error"))
        let hintLine = try #require(
            full.stderr.split(separator: "\n").first { $0.contains("continue it with: ") },
            "no resume hint: \(full.stderr)")
        let hint = String(hintLine[hintLine.range(of: "continue it with: ")!.upperBound...])
        #expect(hint == "expreg run \(manifest) --db \(db) --output reports --resume", "hint: \(hint)")

        #expect(ForeignAndReadOnlyArchiveTests.shell("mount -o remount,size=64m '\(small.path)'") == 0)
        let words = hint.split(separator: " ").map(String.init)
        let resumed = try ExpRegProcess.run(Array(words.dropFirst()), in: dir.url)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        let path = dir.url.appendingPathComponent(db).path
        #expect(try scalar(Int.self, path, "SELECT COUNT(*) FROM runs") == 16)
        #expect(try scalar(Int.self, path, "SELECT COUNT(*) FROM batches") == 1)
        #expect(try scalar(String.self, path, "PRAGMA integrity_check") == "ok")
    }
}
