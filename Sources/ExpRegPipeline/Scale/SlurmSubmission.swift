import ExpRegFiles
import ExpRegManifest
import Foundation

/// Options of `expreg submit slurm`.
public struct SlurmSubmitOptions: Sendable {
    public var manifestPath: String
    /// N: array tasks, one shard each.
    public var shards: Int
    public var cpusPerTask: Int?
    /// Slurm time limit of each array task (`--time`), e.g. `02:00:00`.
    public var time: String?
    public var partition: String?
    /// Extra `#SBATCH` lines for both jobs, e.g. `--account=proj`.
    public var sbatchArguments: [String]
    /// Array throttle: at most K tasks at once (`--array=0-(N-1)%K`).
    public var maxParallel: Int?
    /// The main archive; the shards go beside it (``ShardLayout``).
    public var databasePath: String
    public var outputRoot: String
    /// `--batch-id`; nil = `<UTC now>-<manifest name>`.
    public var batchID: String?
    /// The `expreg` the jobs run (absolute).
    public var executable: String
    public var environment: [String: String]

    public init(
        manifestPath: String, shards: Int, cpusPerTask: Int? = nil, time: String? = nil, partition: String? = nil,
        sbatchArguments: [String] = [], maxParallel: Int? = nil, databasePath: String = RunOptions.defaultDatabasePath,
        outputRoot: String = RunOptions.defaultOutputRoot, batchID: String? = nil, executable: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.manifestPath = manifestPath
        self.shards = shards
        self.cpusPerTask = cpusPerTask
        self.time = time
        self.partition = partition
        self.sbatchArguments = sbatchArguments
        self.maxParallel = maxParallel
        self.databasePath = databasePath
        self.outputRoot = outputRoot
        self.batchID = batchID
        self.executable = executable
        self.environment = environment
    }
}

/// The two job scripts of a submission and where they go.
public struct SlurmScripts: Sendable {
    public var batchID: String
    public var layout: ShardLayout
    public var array: String
    public var merge: String
}

/// `expreg submit slurm`: a job array of N shards plus a merge job that runs after it (`afterany`).
///
/// Returns at once (login nodes forbid long processes: the merge job does the waiting). Each array
/// task runs `expreg run --shard ${SLURM_ARRAY_TASK_ID}/N --resume` into its own archive, with
/// `--requeue` and `--signal=B:TERM@60`: on preemption or 60 s before the time limit `expreg` gets
/// SIGTERM and records its shard as partial; a requeued (preempted) task, or the same index
/// submitted again after a time limit, continues it without retraining. The merge job
/// runs `expreg merge` over the shard archives present and writes its exit code to `merge.exit`
/// (what `--wait` reads; Slurm forgets finished jobs after `MinJobAge`).
public struct SlurmSubmission {
    public var options: SlurmSubmitOptions

    public init(options: SlurmSubmitOptions) { self.options = options }

    /// Validates the manifest and the options, then renders both scripts (nothing written).
    /// - Throws: ``PipelineError`` (exit 2) for an invalid manifest or option.
    public func scripts(now: Date = Date()) throws -> SlurmScripts {
        guard options.shards >= 1 else { throw PipelineError.invalid("--shards must be at least 1") }
        if let k = options.maxParallel, k < 1 { throw PipelineError.invalid("--max-parallel must be at least 1") }
        if let c = options.cpusPerTask, c < 1 { throw PipelineError.invalid("--cpus-per-task must be at least 1") }
        let loaded: LoadedManifest
        do {
            loaded = try ManifestLoader.load(path: options.manifestPath, overrides: [])
        } catch {
            throw PipelineError(.invalidInput, error.description, isDiagnosticList: true)
        }
        let batchID = options.batchID ?? makeBatchID(startedAt: now, manifestName: loaded.plan.name)
        try ShardSpec.validateBatchID(batchID)
        let database = Self.absolute(options.databasePath)
        let layout = ShardLayout(mainArchive: database, batchID: batchID)
        let folder = layout.folder.path
        let expreg = Self.absolute(options.executable)
        let manifest = Self.absolute(options.manifestPath)
        let output = Self.absolute(options.outputRoot)
        let n = options.shards

        var common: [String] = []
        if let partition = options.partition { common.append("#SBATCH --partition=\(partition)") }
        common += options.sbatchArguments.map { "#SBATCH \($0)" }
        var environment: [String] = []
        if let templates = options.environment["EXPREG_TEMPLATES"] {
            environment.append("export EXPREG_TEMPLATES=\(Self.quoted(templates))")
        }

        var array = [
            "#!/bin/bash",
            "# expreg shard array of batch \(batchID): task I trains the runs with plan index % \(n) == I.",
            "#SBATCH --job-name=expreg-\(loaded.plan.name)",
            "#SBATCH --array=0-\(n - 1)" + (options.maxParallel.map { "%\($0)" } ?? ""),
            "#SBATCH --output=\(layout.logs.path)/shard-%a.out",
            "#SBATCH --requeue",
            "#SBATCH --signal=B:TERM@60",
        ]
        if let c = options.cpusPerTask { array.append("#SBATCH --cpus-per-task=\(c)") }
        if let t = options.time { array.append("#SBATCH --time=\(t)") }
        array += common + environment
        array += [
            "db=\(Self.quoted(folder))/shard-\"${SLURM_ARRAY_TASK_ID}\".sqlite",
            "# A requeued or preempted task's previous run may still be stopping and holds the lock on",
            "# its shard archive (an flock on the file): wait for it (up to 2 minutes) instead of exit 4.",
            "if [ -e \"$db\" ]; then flock -w 120 \"$db\" true || true; fi",
            "# A requeued task continues its shard (--resume) instead of starting over.",
            "exec \(Self.quoted(expreg)) run \(Self.quoted(manifest)) --shard \"${SLURM_ARRAY_TASK_ID}/\(n)\" \\",
            "    --batch-id \(Self.quoted(batchID)) --db \"$db\" --resume",
            "",
        ]

        var merge = [
            "#!/bin/bash",
            "# expreg merge of batch \(batchID): runs after every array task ended (afterany).",
            "#SBATCH --job-name=expreg-merge-\(loaded.plan.name)",
            "#SBATCH --output=\(layout.logs.path)/merge.out",
        ]
        merge += common + environment
        merge += [
            "shopt -s nullglob",
            "shards=(\(Self.quoted(folder))/shard-*.sqlite)",
            "\(Self.quoted(expreg)) merge \"${shards[@]}\" --db \(Self.quoted(database)) --output \(Self.quoted(output))",
            "status=$?",
            "echo \"$status\" > \(Self.quoted(layout.mergeExitFile.path))",
            "exit \"$status\"",
            "",
        ]
        return SlurmScripts(
            batchID: batchID, layout: layout, array: array.joined(separator: "\n"),
            merge: merge.joined(separator: "\n"))
    }

    /// What ``submit(_:)`` started.
    public struct Submitted: Sendable {
        public var arrayJobID: String
        public var mergeJobID: String
    }

    /// Writes the scripts under the batch's shard folder, submits the array, then the merge job
    /// with `--dependency=afterany:<array job>`.
    /// - Throws: ``PipelineError`` (exit 1) when a file cannot be written or `sbatch` fails.
    public func submit(_ scripts: SlurmScripts) throws -> Submitted {
        let layout = scripts.layout
        do {
            try FileManager.default.createDirectory(at: layout.logs, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.io("cannot create \(layout.logs.path): \(error.localizedDescription)")
        }
        try AtomicFile.write(scripts.array, to: layout.arrayScript)
        try AtomicFile.write(scripts.merge, to: layout.mergeScript)
        try? FileManager.default.removeItem(at: layout.mergeExitFile)
        let arrayJob = try Self.sbatch(["--parsable", layout.arrayScript.path], environment: options.environment)
        let mergeJob = try Self.sbatch(
            [
                "--parsable", "--dependency=afterany:\(arrayJob)", "--kill-on-invalid-dep=no",
                layout.mergeScript.path,
            ], environment: options.environment)
        try AtomicFile.write(
            "array \(arrayJob)\nmerge \(mergeJob)\n", to: layout.folder.appendingPathComponent("jobs.txt"))
        return Submitted(arrayJobID: arrayJob, mergeJobID: mergeJob)
    }

    /// Waits until the merge job has left the queue, then returns the exit code it wrote.
    ///
    /// A job Slurm no longer lists (or an `squeue` that fails) is given `patience` more polls for
    /// its `merge.exit` to appear (a shared file system may show it late, a controller may be
    /// restarting) before this gives up.
    /// - Parameter poll: seconds between `squeue` calls.
    /// - Throws: ``PipelineError`` (exit 1) when the job ended without writing its code (cancelled).
    public func waitForMerge(_ submitted: Submitted, layout: ShardLayout, poll: Double = 2, patience: Int = 10) throws
        -> Int32
    {
        let active = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED"]
        var misses = 0
        while true {
            let state =
                ((try? Self.run(
                    "squeue", ["-h", "-j", submitted.mergeJobID, "-o", "%T"], environment: options.environment)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !state.isEmpty, active.contains(where: state.hasPrefix) {
                misses = 0
            } else if let text = try? String(contentsOf: layout.mergeExitFile, encoding: .utf8),
                let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return code
            } else {
                misses += 1
                if misses > patience {
                    throw PipelineError.io(
                        "merge job \(submitted.mergeJobID) ended without writing \(layout.mergeExitFile.path) "
                            + "(cancelled, or it could not start); see \(layout.logs.path)/merge.out")
                }
            }
            usleep(UInt32(poll * 1_000_000))
        }
    }

    /// `sbatch ARGS`; returns the job id (`--parsable` prints `id` or `id;cluster`).
    static func sbatch(_ arguments: [String], environment: [String: String]) throws -> String {
        let out: String
        do {
            out = try run("sbatch", arguments, environment: environment)
        } catch {
            throw PipelineError.io("sbatch failed: \(error)")
        }
        let id = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw PipelineError.io("sbatch printed no job id: \(out)") }
        return id
    }

    /// Runs a program found on PATH; returns its stdout; throws its stderr when it fails.
    static func run(_ program: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let result = try ChildProcess.run(program, arguments, environment: environment)
        guard result.status == 0 else {
            throw PipelineError.io(
                "\(program) exited \(result.status): "
                    + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.stdout
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Single-quoted for bash.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
