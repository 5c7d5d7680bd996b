import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `expreg run --shard` + `expreg merge` end to end: the real binary, real archives and templates.
///
/// Shards and the single-machine reference run on the same machine with the same thread settings
/// (one run at a time on every core), so their numbers are compared bitwise.
@Suite(.serialized)
struct ShardMergeTests {
    static let manifest = RunCommandTests.tinyManifest

    static let twoRuns = """
        name: pair
        defaults:
          data: {source: sphere, n: 8, d: 3, labels: teacher, seed: 1}
          model: {activation: exp, width: 16, init_scale: 0.7}
          train: {steps: 20, learning_rate: auto, log_every: 5, spectrum_every: 0}
        experiments:
          - name: w
            sweep:
              model.width: [16, 32]
        """

    /// Starts the shards as separate processes at once, waits for all; returns their results.
    static func runShards(
        _ indices: [Int], of count: Int, batch: String, manifest: String, in dir: URL,
        extra: [String] = []
    ) throws -> [ExpRegProcess.Result] {
        let started = try indices.map { index in
            try ExpRegProcess.start(
                [
                    "run", manifest, "--shard", "\(index)/\(count)", "--batch-id", batch,
                    "--db", "shards/s\(index).sqlite", "--quiet",
                ] + extra, in: dir)
        }
        return started.map { $0.wait(timeout: 300) }
    }

    static func shardPaths(_ indices: [Int]) -> [String] { indices.map { "shards/s\($0).sqlite" } }

    /// results.json run entries without the timing field.
    static func runEntries(_ folder: URL) throws -> [JSONValue] {
        let json = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("results.json")))
        return (json["runs"]?.array ?? []).map { run in
            guard case .object(var fields) = run else { return run }
            for timing in ResultsContract.timingFields { fields[timing] = nil }
            return .object(fields)
        }
    }

    /// Rows of a table of one batch that differ between two archives (timing and batch id ignored).
    static func differingRows(_ table: String, _ a: String, batchA: String, _ b: String, batchB: String) throws -> Int {
        let queue = try DatabaseQueue()
        return try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS a", arguments: [a])
            try db.execute(sql: "ATTACH DATABASE ? AS b", arguments: [b])
            let columns = try Row.fetchAll(db, sql: "PRAGMA a.table_info(\(table))").map { $0["name"] as String }
                .filter {
                    !["batch_id", "started_at", "wall_seconds", "training_seconds", "spectra_seconds"].contains($0)
                }.joined(separator: ", ")
            let one =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM (SELECT \(columns) FROM a.\(table) WHERE batch_id = ? "
                        + "EXCEPT SELECT \(columns) FROM b.\(table) WHERE batch_id = ?)", arguments: [batchA, batchB])
                ?? -1
            let other =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM (SELECT \(columns) FROM b.\(table) WHERE batch_id = ? "
                        + "EXCEPT SELECT \(columns) FROM a.\(table) WHERE batch_id = ?)", arguments: [batchB, batchA])
                ?? -1
            let countA =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM a.\(table) WHERE batch_id = ?", arguments: [batchA])
                ?? -1
            let countB =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM b.\(table) WHERE batch_id = ?", arguments: [batchB])
                ?? -2
            return one + other + abs(countA - countB)
        }
    }

    static func rowCounts(_ path: String) throws -> [Int] {
        try ["batches", "runs", "metrics", "spectra", "diagnostics", "gates", "artifacts"].map {
            try scalar(Int.self, path, "SELECT count(*) FROM \($0)") ?? -1
        }
    }

    @Test(.tags(.slow), .skippedWhenFast) func shardsMergedEqualASingleMachineRunBitwise() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let single = try ExpRegProcess.run(
            ["run", manifest, "--output", "single", "--db", "single/a.sqlite", "--quiet"], in: dir.url)
        #expect(single.status == 0, "stderr: \(single.stderr)")
        let singleBatch = try #require(
            try scalar(
                String.self, dir.url.appendingPathComponent("single/a.sqlite").path,
                "SELECT id FROM batches"))

        for shard in try Self.runShards([0, 1, 2], of: 3, batch: "b-tiny", manifest: manifest, in: dir.url) {
            #expect(shard.status == 0, "stderr: \(shard.stderr)")
            #expect(shard.stdout.contains("batch: b-tiny"))
        }
        #expect(
            !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("output").path),
            "a shard wrote output")
        let merge = try ExpRegProcess.run(
            ["merge"] + Self.shardPaths([0, 1, 2]) + ["--db", "out/a.sqlite", "--output", "out"],
            in: dir.url)
        #expect(merge.status == 0, "stderr: \(merge.stderr)")
        #expect(merge.stdout.contains("report: "))

        let merged = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        #expect(merged.lastPathComponent == "b-tiny")
        for file in ["results.json", "report.md", "report.html", "summary.ja.md"] {
            #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent(file).path), "\(file) missing")
        }
        let reference = dir.url.appendingPathComponent("single/latest").resolvingSymlinksInPath()
        let mergedRuns = try Self.runEntries(merged)
        #expect(mergedRuns.count == 6)
        #expect(mergedRuns == (try Self.runEntries(reference)))
        let json = try JSONValue.parse(Data(contentsOf: merged.appendingPathComponent("results.json")))
        try ResultsContract.validate(json)
        #expect(json["batch"]?["status"] == .string("completed"))
        #expect(json["gates"]?.array?.isEmpty == false)

        let a = dir.url.appendingPathComponent("single/a.sqlite").path
        let b = dir.url.appendingPathComponent("out/a.sqlite").path
        for table in ["runs", "metrics", "spectra", "diagnostics", "gates"] {
            #expect(try Self.differingRows(table, a, batchA: singleBatch, b, batchB: "b-tiny") == 0, "\(table) differs")
        }

        // Merging again adds nothing and keeps the archive sound.
        let before = try Self.rowCounts(b)
        let again = try ExpRegProcess.run(
            ["merge"] + Self.shardPaths([2, 0, 1]) + ["--db", "out/a.sqlite", "--output", "out"],
            in: dir.url)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try Self.rowCounts(b) == before)
        #expect(try scalar(String.self, b, "PRAGMA integrity_check") == "ok")
        #expect(try scalar(Int.self, b, "SELECT shard_count FROM batches WHERE id = 'b-tiny'") == 3)
        #expect(try scalar(Int.self, b, "SELECT count(*) FROM batches WHERE shard_index IS NOT NULL") == 0)
    }

    @Test(.tags(.slow), .skippedWhenFast) func aMissingShardExits5AsPartialAndALaterMergeCompletesIt() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        for shard in try Self.runShards([0, 2], of: 3, batch: "b-gap", manifest: manifest, in: dir.url) {
            #expect(shard.status == 0, "stderr: \(shard.stderr)")
        }
        let partial = try ExpRegProcess.run(
            ["merge"] + Self.shardPaths([0, 2]) + ["--db", "out/a.sqlite", "--output", "out"],
            in: dir.url)
        #expect(partial.status == 5, "stderr: \(partial.stderr)")
        #expect(partial.stderr.contains("missing shards: 1"), "stderr: \(partial.stderr)")
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'b-gap'") == "partial")
        #expect(try scalar(Int.self, db, "SELECT exit_code FROM batches WHERE id = 'b-gap'") == 5)
        let report = try String(contentsOf: dir.url.appendingPathComponent("out/b-gap/report.md"), encoding: .utf8)
        #expect(report.contains("未着のラン") && report.contains("未着のシャード: 1"), "\(report)")
        #expect(report.contains("| 1 | 1 | `exp-width` |") && report.contains("| 4 | 1 | `relu` |"), "\(report)")
        #expect(!report.contains("| 0 | 0 |"))
        let html = try String(contentsOf: dir.url.appendingPathComponent("out/b-gap/report.html"), encoding: .utf8)
        #expect(html.contains("<h2>未着のラン"))
        #expect(
            !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/latest").path),
            "latest must not point at a partial batch")
        let partialJSON = try JSONValue.parse(
            Data(contentsOf: dir.url.appendingPathComponent("out/b-gap/results.json")))
        #expect(partialJSON["batch"]?["status"] == .string("partial"))
        #expect(partialJSON["runs"]?.array?.count == 4)

        let late = try Self.runShards([1], of: 3, batch: "b-gap", manifest: manifest, in: dir.url)
        #expect(late[0].status == 0, "stderr: \(late[0].stderr)")
        let complete = try ExpRegProcess.run(
            ["merge"] + Self.shardPaths([0, 1, 2]) + ["--db", "out/a.sqlite", "--output", "out"],
            in: dir.url)
        #expect(complete.status == 0, "stderr: \(complete.stderr)")
        #expect(try scalar(String.self, db, "SELECT status FROM batches WHERE id = 'b-gap'") == "completed")
        let completeReport = try String(
            contentsOf: dir.url.appendingPathComponent("out/b-gap/report.md"), encoding: .utf8)
        #expect(!completeReport.contains("未着のラン"))
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/latest/report.html").path))
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM runs") == 6)
    }

    @Test(.tags(.slow), .skippedWhenFast) func mergeRefusesInputsThatAreNotShardsOfTheSameBatch() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.twoRuns, in: dir.url)
        #expect(try Self.runShards([0], of: 2, batch: "first", manifest: manifest, in: dir.url)[0].status == 0)
        let other = try ExpRegProcess.run(
            [
                "run", manifest, "--shard", "1/2", "--batch-id", "second", "--db", "shards/x.sqlite",
                "--quiet",
            ], in: dir.url)
        #expect(other.status == 0, "stderr: \(other.stderr)")
        let mixed = try ExpRegProcess.run(
            ["merge", "shards/s0.sqlite", "shards/x.sqlite", "--db", "out/a.sqlite", "--output", "out"],
            in: dir.url)
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("shards/x.sqlite is not a shard of the same batch"), "stderr: \(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/a.sqlite").path))

        let whole = try ExpRegProcess.run(
            ["run", manifest, "--db", "whole.sqlite", "--output", "whole", "--quiet"], in: dir.url)
        #expect(whole.status == 0, "stderr: \(whole.stderr)")
        let notShard = try ExpRegProcess.run(
            ["merge", "whole.sqlite", "--db", "out/a.sqlite", "--output", "out"], in: dir.url)
        #expect(notShard.status == 2)
        #expect(notShard.stderr.contains("whole.sqlite is not a shard archive"), "stderr: \(notShard.stderr)")
        let absent = try ExpRegProcess.run(
            ["merge", "nope.sqlite", "--db", "out/a.sqlite", "--output", "out"], in: dir.url)
        #expect(absent.status == 2 && absent.stderr.contains("nope.sqlite: no such shard archive"))
    }

    @Test func shardAutoReadsSlurmAndKubernetesVariables() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.twoRuns, in: dir.url)
        let slurm = try ExpRegProcess.run(
            ["run", manifest, "--shard", "auto", "--quiet"], in: dir.url,
            extraEnvironment: [
                "SLURM_ARRAY_JOB_ID": "77", "SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4",
                "SLURM_ARRAY_TASK_MAX": "5",
            ])
        #expect(slurm.status == 0, "stderr: \(slurm.stderr)")
        #expect(slurm.stdout.contains("batch: slurm-77-pair"))
        #expect(slurm.stdout.contains("shard: 1/2"))
        let path = dir.url.appendingPathComponent("output/shards/slurm-77-pair/shard-1.sqlite").path
        #expect(try scalar(Int.self, path, "SELECT plan_index FROM runs") == 1)
        #expect(try scalar(Int.self, path, "SELECT shard_index FROM batches") == 1)
        #expect(try scalar(Int.self, path, "SELECT shard_count FROM batches") == 2)

        let kubernetes = try ExpRegProcess.run(
            ["run", manifest, "--shard", "auto", "--db", "k0.sqlite", "--quiet"], in: dir.url,
            extraEnvironment: [
                "JOB_COMPLETION_INDEX": "0", "EXPREG_SHARD_COUNT": "2",
                "EXPREG_BATCH_ID": "k8s-pair",
            ])
        #expect(kubernetes.status == 0, "stderr: \(kubernetes.stderr)")
        #expect(kubernetes.stdout.contains("batch: k8s-pair") && kubernetes.stdout.contains("shard: 0/2"))
        #expect(
            try scalar(Int.self, dir.url.appendingPathComponent("k0.sqlite").path, "SELECT plan_index FROM runs") == 0)
    }

    @Test(.tags(.slow), .skippedWhenFast) func resumeContinuesAShardWithoutRetraining() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.twoRuns, in: dir.url)
        let args = ["run", manifest, "--shard", "0/1", "--batch-id", "r", "--db", "s.sqlite", "--resume"]
        let first = try ExpRegProcess.run(args, in: dir.url)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let again = try ExpRegProcess.run(args, in: dir.url)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stderr.contains("2 runs already archived"), "stderr: \(again.stderr)")
        #expect(try scalar(Int.self, dir.url.appendingPathComponent("s.sqlite").path, "SELECT count(*) FROM runs") == 2)
        let withoutResume = try ExpRegProcess.run(Array(args.dropLast()), in: dir.url)
        #expect(
            withoutResume.status == 2 && withoutResume.stderr.contains("--resume"), "stderr: \(withoutResume.stderr)")
        let otherShard = try ExpRegProcess.run(
            ["run", manifest, "--shard", "1/2", "--batch-id", "r", "--db", "s.sqlite", "--resume"],
            in: dir.url)
        #expect(otherShard.status == 2 && otherShard.stderr.contains("holds shard 0/1"), "stderr: \(otherShard.stderr)")
    }

    @Test func badShardSpecsExit2WithAClearMessage() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.twoRuns, in: dir.url)
        let cases: [([String], [String: String], String)] = [
            (["--shard", "3/3", "--batch-id", "x"], [:], "I must be in 0…2"),
            (["--shard", "0/0", "--batch-id", "x"], [:], "N must be at least 1"),
            (["--shard", "one/two", "--batch-id", "x"], [:], "expected I/N"),
            (["--shard", "auto", "--batch-id", "x"], [:], "not in a Slurm job array"),
            (["--shard", "auto"], ["SLURM_ARRAY_TASK_ID": "1"], "SLURM_ARRAY_TASK_MIN is not"),
            (["--shard", "auto", "--batch-id", "x"], ["JOB_COMPLETION_INDEX": "0"], "EXPREG_SHARD_COUNT is not"),
            (["--shard", "0/2"], [:], "pass --batch-id"),
            (["--shard", "0/2", "--batch-id", "../up"], [:], "--batch-id '../up'"),
            (["--batch-id", "x"], [:], "--batch-id needs --shard"),
        ]
        for (arguments, environment, message) in cases {
            var env = environment
            for name in ["SLURM_ARRAY_JOB_ID", "EXPREG_BATCH_ID"] where env[name] == nil { env[name] = "" }
            let result = try ExpRegProcess.run(
                ["run", manifest, "--db", "s.sqlite"] + arguments, in: dir.url, extraEnvironment: env)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("s.sqlite").path))
    }

    @Test func submitSlurmDryRunPrintsTheScriptsAndSubmitsNothing() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.twoRuns, in: dir.url)
        let result = try ExpRegProcess.run(
            [
                "submit", "slurm", manifest, "--shards", "4", "--max-parallel", "2",
                "--cpus-per-task", "8", "--time", "01:00:00", "--partition", "gpu",
                "--sbatch-arg", "--account=proj", "--batch-id", "dry", "--db", "arch/a.sqlite",
                "--dry-run",
            ], in: dir.url, extraEnvironment: ["PATH": "/nonexistent"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for line in [
            "#SBATCH --array=0-3%2", "#SBATCH --cpus-per-task=8", "#SBATCH --time=01:00:00", "#SBATCH --partition=gpu",
            "#SBATCH --account=proj", "#SBATCH --requeue", "#SBATCH --signal=B:TERM@60",
            "--shard \"${SLURM_ARRAY_TASK_ID}/4\"", "--batch-id 'dry'", "--resume", "afterany",
            "/arch/shards/dry'/shard-*.sqlite", " merge ",
        ] {
            #expect(result.stdout.contains(line), "dry run lacks \(line)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("arch").path))
        let bad = try ExpRegProcess.run(["submit", "slurm", manifest, "--shards", "0", "--dry-run"], in: dir.url)
        #expect(bad.status == 2)
    }

    @Test func helpDocumentsTheScaleOutCommandsAndExitCode5() throws {
        let dir = TemporaryDirectory()
        let help = try ExpRegProcess.run(["--help"], in: dir.url)
        #expect(help.status == 0)
        for word in ["merge", "submit", "5    `expreg merge`"] {
            #expect(help.stdout.contains(word), "help lacks \(word)")
        }
        let run = try ExpRegProcess.run(["help", "run"], in: dir.url)
        #expect(run.stdout.contains("--shard") && run.stdout.contains("--batch-id"))
        let submit = try ExpRegProcess.run(["submit", "slurm", "--help"], in: dir.url)
        for option in [
            "--shards", "--cpus-per-task", "--time", "--partition", "--sbatch-arg", "--max-parallel", "--dry-run",
            "--wait",
        ] {
            #expect(submit.stdout.contains(option), "submit slurm --help lacks \(option)")
        }
    }

    @Test func theSameRunWithOtherNumbersInTwoShardFilesIsRefusedNamingBoth() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.twoRuns, in: dir.url)
        #expect(
            try Self.runShards([0, 1], of: 2, batch: "c", manifest: manifest, in: dir.url).allSatisfy { $0.status == 0 }
        )
        // A second copy of shard 1 whose numbers differ (as from another build).
        let copy = dir.url.appendingPathComponent("shards/s1-other.sqlite")
        try FileManager.default.copyItem(at: dir.url.appendingPathComponent("shards/s1.sqlite"), to: copy)
        let queue = try DatabaseQueue(path: copy.path)
        try queue.write { db in
            try db.execute(sql: "UPDATE metrics SET value = value * 2 WHERE kind = 'loss' AND seq = 1")
        }
        try queue.close()
        let merge = try ExpRegProcess.run(
            [
                "merge", "shards/s0.sqlite", "shards/s1.sqlite", "shards/s1-other.sqlite",
                "--db", "out/a.sqlite", "--output", "out",
            ], in: dir.url)
        #expect(merge.status == 2, "stderr: \(merge.stderr)")
        #expect(
            merge.stderr.contains("shards/s1-other.sqlite") && merge.stderr.contains("shards/s1.sqlite"),
            "stderr: \(merge.stderr)")
        #expect(
            try scalar(Int.self, dir.url.appendingPathComponent("out/a.sqlite").path, "SELECT count(*) FROM runs") == 0)
    }
}
