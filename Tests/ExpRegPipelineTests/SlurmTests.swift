import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `expreg submit slurm` and `expreg merge` against a real Slurm (a throw-away cluster on loopback,
/// ``SlurmTestCluster``). Reported as skipped, with the reason, only when the Slurm binaries are absent.
///
/// Bitwise comparisons are of one computation path with itself: the same binary on the same machine
/// with the same thread settings (the cluster sets no CPU affinity, so every task sees every core
/// and trains with as many threads as the single-machine run).
@Suite(.serialized, .tags(.slow), .skippedWhenFast, .skipped(because: SlurmTestCluster.unavailableReason))
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

    @Test func submitWaitRunsAFourTaskArrayAndMergeEqualToASingleMachineRun() throws {
        let cluster = try SlurmTestCluster()
        defer { cluster.stop() }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let single = try ExpRegProcess.run(
            ["run", manifest, "--output", "single", "--db", "single/a.sqlite", "--quiet"], in: dir.url)
        #expect(single.status == 0, "stderr: \(single.stderr)")
        let singleBatch = try #require(
            try scalar(
                String.self, dir.url.appendingPathComponent("single/a.sqlite").path,
                "SELECT id FROM batches"))

        let submitted = try ExpRegProcess.run(
            [
                "submit", "slurm", manifest, "--shards", "4", "--batch-id", "quad-4",
                "--db", "arch/a.sqlite", "--output", "out", "--wait",
            ],
            in: dir.url, timeout: 240, extraEnvironment: cluster.environment)
        let logs = dir.url.appendingPathComponent("arch/shards/quad-4/logs")
        let mergeLog = (try? String(contentsOf: logs.appendingPathComponent("merge.out"), encoding: .utf8)) ?? ""
        #expect(submitted.status == 0, "stderr: \(submitted.stderr)\nmerge: \(mergeLog)")
        #expect(Self.jobIDs(submitted.stdout) != nil, "stdout: \(submitted.stdout)")
        for index in 0..<4 {
            #expect(
                FileManager.default.fileExists(
                    atPath: dir.url.appendingPathComponent("arch/shards/quad-4/shard-\(index).sqlite").path))
        }

        let merged = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        #expect(merged.lastPathComponent == "quad-4")
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("report.html").path))
        let reference = dir.url.appendingPathComponent("single/latest").resolvingSymlinksInPath()
        #expect(try ShardMergeTests.runEntries(merged) == (try ShardMergeTests.runEntries(reference)))
        let a = dir.url.appendingPathComponent("single/a.sqlite").path
        let b = dir.url.appendingPathComponent("arch/a.sqlite").path
        for table in ["runs", "metrics", "spectra", "diagnostics", "gates"] {
            #expect(
                try ShardMergeTests.differingRows(table, a, batchA: singleBatch, b, batchB: "quad-4") == 0,
                "\(table) differs")
        }
        #expect(try scalar(String.self, b, "PRAGMA integrity_check") == "ok")
        #expect(try scalar(String.self, b, "SELECT status FROM batches WHERE id = 'quad-4'") == "completed")
    }

    @Test func aCancelledArrayTaskGivesExit5AndResubmittingItCompletesTheBatch() throws {
        let cluster = try SlurmTestCluster()
        defer { cluster.stop() }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        // Held, so that task 2 is cancelled before it can run, whatever the machine's speed.
        let submitted = try ExpRegProcess.run(
            [
                "submit", "slurm", manifest, "--shards", "4", "--batch-id", "quad-gap",
                "--db", "arch/a.sqlite", "--output", "out", "--sbatch-arg=--hold",
            ],
            in: dir.url, timeout: 60, extraEnvironment: cluster.environment)
        #expect(submitted.status == 0, "stderr: \(submitted.stderr)")
        let jobs = try #require(Self.jobIDs(submitted.stdout), "stdout: \(submitted.stdout)")
        let folder = dir.url.appendingPathComponent("arch/shards/quad-gap")
        try cluster.command("scancel", ["\(jobs.array)_2"])
        try cluster.command("scontrol", ["release", jobs.array])
        try cluster.command("scontrol", ["release", jobs.merge])
        #expect(cluster.waitUntilGone(jobs.merge), "merge job still queued")
        let exitFile = folder.appendingPathComponent("merge.exit")
        #expect(
            try String(contentsOf: exitFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "5",
            "merge log: \((try? String(contentsOf: folder.appendingPathComponent("logs/merge.out"), encoding: .utf8)) ?? "")"
        )
        let mergeLog = try String(contentsOf: folder.appendingPathComponent("logs/merge.out"), encoding: .utf8)
        #expect(mergeLog.contains("missing shards: 2"), "merge log: \(mergeLog)")
        let db = dir.url.appendingPathComponent("arch/a.sqlite").path
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'quad-gap'") == "partial")
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM runs") == 3)

        // Resubmit index 2 with the same script, then the merge script after it.
        let again =
            try cluster.command("sbatch", ["--parsable", "--array=2", folder.appendingPathComponent("array.sh").path])
            .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        try cluster.command("scontrol", ["release", again])
        let merge =
            try cluster.command(
                "sbatch",
                [
                    "--parsable", "--dependency=afterany:\(again)",
                    folder.appendingPathComponent("merge.sh").path,
                ]
            )
            .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        try cluster.command("scontrol", ["release", merge])
        #expect(cluster.waitUntilGone(merge), "second merge job still queued")
        #expect(
            try String(contentsOf: exitFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0",
            "merge log: \((try? String(contentsOf: folder.appendingPathComponent("logs/merge.out"), encoding: .utf8)) ?? "")"
        )
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'quad-gap'") == "completed")
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM runs") == 4)
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/latest/report.html").path))
    }

    /// Eight runs of about a second each: long enough to requeue a task between two runs.
    static let slowManifest = """
        name: slow
        defaults:
          data: {source: sphere, n: 16, d: 4, labels: teacher, seed: 4}
          model: {activation: exp, width: 256, init_scale: 0.7}
          train: {steps: 6000, learning_rate: auto, target_loss: 1.0e-30, log_every: 200, spectrum_every: 0}
        experiments:
          - name: w
            sweep:
              seed: [0, 1, 2, 3, 4, 5, 6, 7]
        """

    /// Preemption: `scontrol requeue` stops a running task (SIGTERM, like a preemption); it records
    /// its shard as partial, and the requeued task (`--resume`) keeps what it archived.
    @Test func aRequeuedTaskResumesItsShardWithoutRetraining() throws {
        let cluster = try SlurmTestCluster()
        defer { cluster.stop() }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.slowManifest, in: dir.url)
        let submitted = try ExpRegProcess.run(
            [
                "submit", "slurm", manifest, "--shards", "2", "--batch-id", "slow-rq",
                "--db", "arch/a.sqlite", "--output", "out",
            ],
            in: dir.url, timeout: 60, extraEnvironment: cluster.environment)
        #expect(submitted.status == 0, "stderr: \(submitted.stderr)")
        let jobs = try #require(Self.jobIDs(submitted.stdout), "stdout: \(submitted.stdout)")
        // The merge waits (afterany) for the array, but a requeued task's old run has ended: hold
        // the merge until the requeued task has finished (below).
        try cluster.command("scontrol", ["hold", "\(jobs.merge)"])
        let folder = dir.url.appendingPathComponent("arch/shards/slow-rq")
        let shard = folder.appendingPathComponent("shard-0.sqlite").path
        func archivedRuns() -> Int { ((try? scalar(Int.self, shard, "SELECT count(*) FROM runs")) ?? nil) ?? 0 }
        #expect(eventually(timeout: 120) { archivedRuns() >= 1 }, "shard 0 archived nothing")
        try cluster.command("scontrol", ["requeue", "\(jobs.array)_0"])

        // The task got SIGTERM: its shard is partial (exit 143), with at most 3 of its 4 runs.
        #expect(
            eventually(timeout: 60) {
                ((try? scalar(String.self, shard, "SELECT status || ':' || exit_code FROM batches")) ?? nil)
                    == "partial:143"
            }, "the requeued task did not record its shard as partial")
        let before = try DatabaseQueueReader.rows(shard, "SELECT run_key, started_at FROM runs")
        #expect(!before.isEmpty && before.count < 4)
        // A requeued task waits until its old credential has expired: `cred_expire=10` in the test
        // cluster (120 s by default), so it starts again about 11 s after the requeue. Starting it
        // earlier (`scontrol update StartTime=now`) races with that: slurmctld kills it as
        // "non-startable: Job credential revoked" and the task never runs again.
        // The merge is released only once the requeued task has archived its shard's four runs:
        // Slurm 22.05 can count a requeued array task as ended for `afterany` (the merge then exits
        // 5, and a later merge completes the batch, as the cancelled-task test shows); this test is
        // about the resume.
        #expect(
            eventually(timeout: 150) {
                archivedRuns() == 4
            },
            """
            the requeued task did not finish its shard
            squeue: \((try? cluster.command("squeue", ["-h", "-o", "%i %T %r %S"])) ?? "-")
            sinfo: \((try? cluster.command("sinfo", ["-h", "-N", "-o", "%N %T %E"])) ?? "-")
            slurmctld.log (end): \(cluster.log("log/slurmctld.log").split(separator: "\n").suffix(30).joined(separator: "\n"))
            """)
        try cluster.command("scontrol", ["release", "\(jobs.merge)"])

        #expect(cluster.waitUntilGone(jobs.merge), "merge job still queued")
        func log(_ name: String) -> String {
            (try? String(contentsOf: folder.appendingPathComponent("logs/\(name)"), encoding: .utf8)) ?? ""
        }
        let code = try? String(contentsOf: folder.appendingPathComponent("merge.exit"), encoding: .utf8)
        #expect(
            code?.trimmingCharacters(in: .whitespacesAndNewlines) == "0",
            "merge log: \(log("merge.out"))\nshard 0 log: \(log("shard-0.out"))"
        )
        let after = Dictionary(
            uniqueKeysWithValues: try DatabaseQueueReader.rows(shard, "SELECT run_key, started_at FROM runs")
                .map { ($0.0, $0.1) })
        #expect(after.count == 4)
        for (runKey, startedAt) in before {
            #expect(after[runKey] == startedAt, "run \(runKey.prefix(12)) was trained again after the requeue")
        }
        let db = dir.url.appendingPathComponent("arch/a.sqlite").path
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'slow-rq'") == "completed")
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM runs") == 8)
    }
}

/// (run_key, started_at) pairs read through a read-only connection.
enum DatabaseQueueReader {
    static func rows(_ path: String, _ sql: String) throws -> [(String, Double)] {
        let queue = try DatabaseQueue(path: path, configuration: readerConfiguration)
        return try queue.read { db in
            try Row.fetchAll(db, sql: sql).map { ($0[0] as String, $0[1] as Double) }
        }
    }
}
