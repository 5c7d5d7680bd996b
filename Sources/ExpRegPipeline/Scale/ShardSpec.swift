import ExpRegCore
import Foundation

/// Shard I of N of a batch: it trains the plan's runs whose plan index `i` has `i % count == index`.
///
/// Written `I/N` on the command line (`--shard 3/8`), or `auto`, which reads the scheduler's
/// environment ``resolve(_:environment:)``.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// - Throws: ``PipelineError`` (exit 2) when `count` < 1 or `index` is outside `0..<count`.
    public init(index: Int, count: Int) throws(PipelineError) {
        guard count >= 1 else {
            throw PipelineError.invalid("--shard \(index)/\(count): the shard count N must be at least 1")
        }
        guard index >= 0, index < count else {
            throw PipelineError.invalid(
                "--shard \(index)/\(count): the shard index I must be in 0…\(count - 1) (0-based, I < N)")
        }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the run at `planIndex` belongs to this shard.
    public func owns(planIndex: Int) -> Bool { Self.index(ofPlanIndex: planIndex, count: count) == index }

    /// The runs of `plan` this shard trains, in plan order.
    public func runs(of plan: Plan) -> [RunSpec] { plan.runs.filter { owns(planIndex: $0.index) } }

    /// The shard, of `count`, that trains the run at `planIndex` (the rule of ``owns(planIndex:)``).
    public static func index(ofPlanIndex planIndex: Int, count: Int) -> Int { planIndex % count }

    /// Parses `I/N` or `auto` (see ``fromEnvironment(_:)``).
    /// - Throws: ``PipelineError`` (exit 2) with the reason.
    public static func resolve(_ text: String, environment: [String: String]) throws(PipelineError) -> ShardSpec {
        if text == "auto" { return try fromEnvironment(environment) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw PipelineError.invalid("--shard '\(text)': expected I/N (e.g. 0/4: the first of 4 shards) or auto")
        }
        return try ShardSpec(index: index, count: count)
    }

    /// `--shard auto`: Slurm's job array variables, else a Kubernetes Indexed Job's.
    ///
    /// - Slurm: I = `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`, N = `SLURM_ARRAY_TASK_COUNT`
    ///   or `SLURM_ARRAY_TASK_MAX` − `SLURM_ARRAY_TASK_MIN` + 1 (both must agree when both are set:
    ///   the array must be contiguous, `--array=0-7`, not `0-7:2`).
    /// - Kubernetes: I = `JOB_COMPLETION_INDEX`, N = `EXPREG_SHARD_COUNT` (set it to the Job's
    ///   `completions`).
    /// - Throws: ``PipelineError`` (exit 2) naming the missing or malformed variable.
    public static func fromEnvironment(_ environment: [String: String]) throws(PipelineError) -> ShardSpec {
        func integer(_ name: String) throws(PipelineError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw PipelineError.invalid("--shard auto: \(name)='\(text)' is not an integer")
            }
            return value
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            guard let minimum = try integer("SLURM_ARRAY_TASK_MIN") else {
                throw PipelineError.invalid("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not")
            }
            let byCount = try integer("SLURM_ARRAY_TASK_COUNT")
            let byMax = try integer("SLURM_ARRAY_TASK_MAX").map { $0 - minimum + 1 }
            if let byCount, let byMax, byCount != byMax {
                throw PipelineError.invalid(
                    "--shard auto: the job array is not contiguous (SLURM_ARRAY_TASK_COUNT=\(byCount), "
                        + "MAX−MIN+1=\(byMax)); submit --array=0-\(byCount - 1) or pass --shard I/N")
            }
            guard let count = byCount ?? byMax else {
                throw PipelineError.invalid(
                    "--shard auto: neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is set")
            }
            return try ShardSpec(index: task - minimum, count: count)
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let count = try integer("EXPREG_SHARD_COUNT") else {
                throw PipelineError.invalid(
                    "--shard auto: JOB_COMPLETION_INDEX is set but EXPREG_SHARD_COUNT is not "
                        + "(set it to the Indexed Job's completions)")
            }
            return try ShardSpec(index: index, count: count)
        }
        throw PipelineError.invalid(
            "--shard auto: not in a Slurm job array (SLURM_ARRAY_TASK_ID unset) nor a Kubernetes "
                + "Indexed Job (JOB_COMPLETION_INDEX unset); pass --shard I/N")
    }

    /// The batch id every shard of one submission agrees on: `--batch-id`, else `EXPREG_BATCH_ID`,
    /// else `slurm-<SLURM_ARRAY_JOB_ID>-<manifest name>` in a Slurm array; nil when none applies.
    public static func batchID(explicit: String?, manifestName: String, environment: [String: String]) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let id = environment["EXPREG_BATCH_ID"], !id.isEmpty { return id }
        if let job = environment["SLURM_ARRAY_JOB_ID"], !job.isEmpty { return "slurm-\(job)-\(manifestName)" }
        return nil
    }

    /// Checks a batch id given by the user: it names a folder, so no `/`, no leading `.`, not empty.
    public static func validateBatchID(_ id: String) throws(PipelineError) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.:+"))
        guard !id.isEmpty, !id.hasPrefix("."), id.unicodeScalars.allSatisfy(allowed.contains) else {
            throw PipelineError.invalid(
                "--batch-id '\(id)': use letters, digits and - _ . : + only (it names a folder)")
        }
    }

    /// The default shard archive: `<folder of the main archive>/shards/<batch id>/shard-<I>.sqlite`.
    package func defaultArchivePath(mainArchive: String, batchID: String) -> String {
        ShardLayout(mainArchive: mainArchive, batchID: batchID).shardArchive(index).path
    }
}

/// Where the shards of a batch live: beside the main archive, on the file system every node shares.
///
/// ```
/// <archive folder>/expreg.sqlite                     the main archive (--db)
/// <archive folder>/shards/<batch id>/shard-<I>.sqlite one archive per shard
/// <archive folder>/shards/<batch id>/array.sh, merge.sh, logs/   (expreg submit slurm)
/// ```
public struct ShardLayout: Sendable {
    public var folder: URL

    public init(mainArchive: String, batchID: String) {
        folder = URL(fileURLWithPath: mainArchive).deletingLastPathComponent()
            .appendingPathComponent("shards", isDirectory: true).appendingPathComponent(batchID, isDirectory: true)
    }

    public func shardArchive(_ index: Int) -> URL { folder.appendingPathComponent("shard-\(index).sqlite") }
    public var arrayScript: URL { folder.appendingPathComponent("array.sh") }
    public var mergeScript: URL { folder.appendingPathComponent("merge.sh") }
    public var logs: URL { folder.appendingPathComponent("logs", isDirectory: true) }
    public var mergeExitFile: URL { folder.appendingPathComponent("merge.exit") }
}
