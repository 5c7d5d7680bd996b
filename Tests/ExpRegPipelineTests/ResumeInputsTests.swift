import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `--resume` continues a batch only with the batch's own inputs: the same csv bytes and the same
/// `--set` overrides; anything else exits 2 naming what changed, with the archive unchanged.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct ResumeInputsTests {
    /// Four csv runs, each long enough in a debug build to stop the batch after the first one.
    static let csvManifest = """
        name: resume-csv
        defaults:
          data: {source: csv, path: train.csv}
          model: {activation: exp, width: 512, init_scale: 0.5}
          train: {steps: 6000, learning_rate: auto, target_loss: 0.0, log_every: 50, spectrum_every: 0}
        experiments:
          - name: seeds
            sweep:
              seed: [0, 1, 2, 3]
        """

    /// 24 points in 6 dimensions with distinct directions (x2 / x1 grows with the row), label last.
    static func csvText(labelShift: Double = 0) -> String {
        var lines = ["x1,x2,x3,x4,x5,x6,y"]
        for i in 0..<24 {
            var fields = ["1.0", "\(0.37 * Double(i))"]
            for j in 2..<6 {
                let value: Double = Double((i * j) % 5) * 0.25 - 0.5
                fields.append("\(value)")
            }
            let label: Double = Double(i % 5) - 2.0 + labelShift
            fields.append("\(label)")
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func changedDataFileOrOverridesRefuseTheResumeNamingWhatChanged() throws {
        let dir = TemporaryDirectory()
        let csv = dir.url.appendingPathComponent("train.csv")
        try Self.csvText().write(to: csv, atomically: true, encoding: .utf8)
        let manifest = try writeManifest(Self.csvManifest, in: dir.url)
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let first = try ExpRegProcess.start(
            ["run", manifest, "--output", "out", "--db", db, "--set", "model.init_scale=0.6"],
            in: dir.url)
        let oneFinished = try eventually(timeout: 240) { try ArchiveSafetyTests.archivedRuns(db).count >= 1 }
        kill(first.pid, SIGKILL)
        _ = first.wait(timeout: 30)
        #expect(oneFinished)
        let archived = try ArchiveSafetyTests.archivedRuns(db)
        #expect(archived.count >= 1 && archived.count < 4, "killed too late: \(archived.count) runs")

        // 1. Same manifest and overrides, other csv bytes.
        try Self.csvText(labelShift: 0.5).write(to: csv, atomically: true, encoding: .utf8)
        let changedData = try ExpRegProcess.run(
            [
                "run", manifest, "--output", "out", "--db", db, "--resume",
                "--set", "model.init_scale=0.6",
            ], in: dir.url)
        #expect(changedData.status == 2, "stderr: \(changedData.stderr)")
        #expect(changedData.stderr.contains("train.csv"), "names the data file: \(changedData.stderr)")
        #expect(changedData.stderr.contains("changed"))
        #expect(try ArchiveSafetyTests.archivedRuns(db) == archived)

        // 2. Same csv, overrides missing or different.
        try Self.csvText().write(to: csv, atomically: true, encoding: .utf8)
        for overrides in [
            [String](), ["--set", "model.init_scale=0.7"],
            ["--set", "model.init_scale=0.6", "--set", "train.steps=10"],
        ] {
            let changed = try ExpRegProcess.run(
                ["run", manifest, "--output", "out", "--db", db, "--resume"] + overrides,
                in: dir.url)
            #expect(changed.status == 2, "\(overrides): stderr: \(changed.stderr)")
            #expect(
                changed.stderr.contains("--set model.init_scale=0.6"), "names the batch's overrides: \(changed.stderr)")
            #expect(changed.stderr.contains("overrides"))
            #expect(try ArchiveSafetyTests.archivedRuns(db) == archived)
        }
        #expect(try scalar(String.self, db, "SELECT status FROM batches") == "partial")

        // 3. The batch's own inputs: it resumes and completes without re-training.
        let resumed = try ExpRegProcess.run(
            [
                "run", manifest, "--output", "out", "--db", db, "--resume",
                "--set", "model.init_scale=0.6",
            ], in: dir.url)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        let after = try ArchiveSafetyTests.archivedRuns(db)
        #expect(after.count == 4)
        for (key, startedAt) in archived { #expect(after[key] == startedAt) }
    }
}
