import ExpRegTestSupport
import Foundation
import Testing

/// `expreg submit slurm` and `expreg merge` against a real Slurm (a throw-away cluster on loopback,
/// ``SlurmTestCluster``). Skipped, with the reason printed, only when the Slurm binaries are absent.
@Suite(.serialized)
struct SlurmTests {
    static let manifest = """
        name: quad
        defaults:
          data: {source: sphere, n: 8, d: 3, labels: teacher, seed: 4}
          model: {activation: exp, width: 16, init_scale: 0.7}
          train: {steps: 30, learning_rate: auto, log_every: 5, spectrum_every: 15}
        experiments:
          - name: w
            sweep:
              model.width: [16, 32, 48, 64]
        gates:
          max_diverged: 0
        """

    static func jobIDs(_ stdout: String) -> (array: String, merge: String)? {
        var array: String?
        var merge: String?
        for line in stdout.split(separator: "\n") {
            if line.hasPrefix("array job: ") { array = String(line.dropFirst("array job: ".count)) }
            if line.hasPrefix("merge job: ") { merge = String(line.dropFirst("merge job: ".count)) }
        }
        guard let array, let merge else { return nil }
        return (array, merge)
    }

    func skipUnlessSlurm() -> Bool {
        if let reason = SlurmTestCluster.unavailableReason {
            print(reason)
            return true
        }
        return false
    }

    @Test func submitWaitRunsAFourTaskArrayAndMergeEqualToASingleMachineRun() throws {
        if skipUnlessSlurm() { return }
        let cluster = try SlurmTestCluster()
        defer { cluster.stop() }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let single = try ExpRegProcess.run(["run", manifest, "--output", "single", "--db", "single/a.sqlite", "--quiet"], in: dir.url)
        #expect(single.status == 0, "stderr: \(single.stderr)")
        let singleBatch = try #require(try scalar(String.self, dir.url.appendingPathComponent("single/a.sqlite").path,
                                                  "SELECT id FROM batches"))

        let submitted = try ExpRegProcess.run(["submit", "slurm", manifest, "--shards", "4", "--batch-id", "quad-4",
                                               "--db", "arch/a.sqlite", "--output", "out", "--wait"],
                                              in: dir.url, timeout: 240, extraEnvironment: cluster.environment)
        let logs = dir.url.appendingPathComponent("arch/shards/quad-4/logs")
        let mergeLog = (try? String(contentsOf: logs.appendingPathComponent("merge.out"), encoding: .utf8)) ?? ""
        #expect(submitted.status == 0, "stderr: \(submitted.stderr)\nmerge: \(mergeLog)")
        #expect(Self.jobIDs(submitted.stdout) != nil, "stdout: \(submitted.stdout)")
        for index in 0..<4 {
            #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("arch/shards/quad-4/shard-\(index).sqlite").path))
        }

        let merged = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        #expect(merged.lastPathComponent == "quad-4")
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("report.html").path))
        let reference = dir.url.appendingPathComponent("single/latest").resolvingSymlinksInPath()
        #expect(try ShardMergeTests.runEntries(merged) == (try ShardMergeTests.runEntries(reference)))
        let a = dir.url.appendingPathComponent("single/a.sqlite").path
        let b = dir.url.appendingPathComponent("arch/a.sqlite").path
        for table in ["runs", "metrics", "spectra", "diagnostics", "gates"] {
            #expect(try ShardMergeTests.differingRows(table, a, batchA: singleBatch, b, batchB: "quad-4") == 0, "\(table) differs")
        }
        #expect(try scalar(String.self, b, "PRAGMA integrity_check") == "ok")
        #expect(try scalar(String.self, b, "SELECT status FROM batches WHERE id = 'quad-4'") == "completed")
    }

    @Test func aCancelledArrayTaskGivesExit5AndResubmittingItCompletesTheBatch() throws {
        if skipUnlessSlurm() { return }
        let cluster = try SlurmTestCluster()
        defer { cluster.stop() }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        // Held, so that task 2 is cancelled before it can run, whatever the machine's speed.
        let submitted = try ExpRegProcess.run(["submit", "slurm", manifest, "--shards", "4", "--batch-id", "quad-gap",
                                               "--db", "arch/a.sqlite", "--output", "out", "--sbatch-arg=--hold"],
                                              in: dir.url, timeout: 60, extraEnvironment: cluster.environment)
        #expect(submitted.status == 0, "stderr: \(submitted.stderr)")
        let jobs = try #require(Self.jobIDs(submitted.stdout), "stdout: \(submitted.stdout)")
        let folder = dir.url.appendingPathComponent("arch/shards/quad-gap")
        try cluster.command("scancel", ["\(jobs.array)_2"])
        try cluster.command("scontrol", ["release", jobs.array])
        try cluster.command("scontrol", ["release", jobs.merge])
        #expect(cluster.waitUntilGone(jobs.merge), "merge job still queued")
        let exitFile = folder.appendingPathComponent("merge.exit")
        #expect(try String(contentsOf: exitFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "5",
                "merge log: \((try? String(contentsOf: folder.appendingPathComponent("logs/merge.out"), encoding: .utf8)) ?? "")")
        let mergeLog = try String(contentsOf: folder.appendingPathComponent("logs/merge.out"), encoding: .utf8)
        #expect(mergeLog.contains("missing shards: 2"), "merge log: \(mergeLog)")
        let db = dir.url.appendingPathComponent("arch/a.sqlite").path
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'quad-gap'") == "partial")
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM runs") == 3)

        // Resubmit index 2 with the same script, then the merge script after it.
        let again = try cluster.command("sbatch", ["--parsable", "--array=2", folder.appendingPathComponent("array.sh").path])
            .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        try cluster.command("scontrol", ["release", again])
        let merge = try cluster.command("sbatch", ["--parsable", "--dependency=afterany:\(again)",
                                                   folder.appendingPathComponent("merge.sh").path])
            .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        try cluster.command("scontrol", ["release", merge])
        #expect(cluster.waitUntilGone(merge), "second merge job still queued")
        #expect(try String(contentsOf: exitFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                "merge log: \((try? String(contentsOf: folder.appendingPathComponent("logs/merge.out"), encoding: .utf8)) ?? "")")
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'quad-gap'") == "completed")
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM runs") == 4)
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/latest/report.html").path))
    }
}
