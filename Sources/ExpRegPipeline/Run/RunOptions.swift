import ExpRegCore
import ExpRegLinAlg
import Foundation

/// Options of `expreg run` (docs/cli.md "expreg run").
public struct RunOptions: Sendable {
    public var manifestPath: String
    /// The archive (default `output/expreg.sqlite`).
    public var databasePath: String
    /// The output root (default `output`).
    public var outputRoot: String
    /// `--set KEY=VALUE` overrides, in order.
    public var overrides: [String]
    /// Continue the newest `partial` batch of the same manifest.
    public var resume: Bool
    /// Report templates; nil = ``TemplateLocator/locate(environment:executablePath:)``.
    public var templatesDirectory: URL?
    /// Runs trained at once (each with cores/N threads); nil = 1, one run at a time on every core.
    public var parallelRuns: Int?
    /// `--shard I/N`: train only the plan's runs with index % N == I into a shard archive, no report.
    public var shard: ShardSpec?
    /// `--batch-id`: the batch id all shards share (with `--shard`).
    public var batchID: String?
    /// With `--shard`: the shard archive (`--db`); nil = ``ShardSpec/defaultArchivePath(mainArchive:batchID:)``
    /// beside ``databasePath``.
    public var shardDatabasePath: String?
    /// The process environment (`--shard auto`, `EXPREG_BATCH_ID`, `SLURM_ARRAY_JOB_ID`).
    public var environment: [String: String]

    /// The kernel path every run uses (the CLI resolves `EXPREG_KERNELS`, see ``KernelSelection``).
    public var kernels: KernelPath
    /// Largest n × m activation matrix a run materialises; wider runs train memory-lean (the CLI
    /// resolves `EXPREG_ACTIVATION_BUDGET`, see ``ActivationBudget``).
    public var activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes
    /// The thresholds a new batch is recorded with and judged by (``JudgementRules/current``; tests
    /// change them to show that an archived batch keeps its own).
    package var judgementRules: JudgementRules = .current

    public init(
        manifestPath: String, databasePath: String = RunOptions.defaultDatabasePath,
        outputRoot: String = RunOptions.defaultOutputRoot,
        overrides: [String] = [], resume: Bool = false, templatesDirectory: URL? = nil,
        parallelRuns: Int? = nil, shard: ShardSpec? = nil, batchID: String? = nil,
        shardDatabasePath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        kernels: KernelPath = .best
    ) {
        self.manifestPath = manifestPath
        self.databasePath = databasePath
        self.outputRoot = outputRoot
        self.overrides = overrides
        self.resume = resume
        self.templatesDirectory = templatesDirectory
        self.parallelRuns = parallelRuns
        self.shard = shard
        self.batchID = batchID
        self.shardDatabasePath = shardDatabasePath
        self.environment = environment
        self.kernels = kernels
    }
}

/// What `expreg run` did.
public struct RunSummary: Sendable {
    public var status: ExitStatus
    public var batchID: String
    /// The batch's report.html (nil when interrupted before publishing).
    public var reportHTML: URL?
    public var trained: Int
    public var skipped: Int
    /// The archive written (the shard archive with `--shard`).
    public var archivePath: String
}

extension RunOptions {
    /// The `expreg run … --resume` command that continues this run's batch, as the user can paste
    /// it: the same manifest, `--db` / `--output` when they are not the defaults, the same `--set`
    /// overrides (a resume refuses others), each argument shell-quoted when needed.
    public var resumeCommand: String {
        var arguments = ["expreg", "run", manifestPath]
        if databasePath != RunOptions.defaultDatabasePath { arguments += ["--db", databasePath] }
        if outputRoot != RunOptions.defaultOutputRoot { arguments += ["--output", outputRoot] }
        for override in overrides { arguments += ["--set", override] }
        arguments.append("--resume")
        return arguments.map(shellQuoted).joined(separator: " ")
    }

    /// `expreg report` of `batchID` with this run's `--db` and `--output` (when not the defaults).
    public func reportCommand(batchID: String) -> String {
        Self.reportCommand(batchID: batchID, databasePath: databasePath, outputRoot: outputRoot)
    }

    /// `expreg report --batch batchID` with `--db` and `--output` when they are not the defaults, as a
    /// shell command (`run` and `merge` print it to rebuild a batch's reports).
    static func reportCommand(batchID: String, databasePath: String, outputRoot: String) -> String {
        var arguments = ["expreg", "report"]
        if databasePath != defaultDatabasePath { arguments += ["--db", databasePath] }
        if outputRoot != defaultOutputRoot { arguments += ["--output", outputRoot] }
        arguments += ["--batch", batchID]
        return arguments.map(shellQuoted).joined(separator: " ")
    }

    public static let defaultDatabasePath = "output/expreg.sqlite"
    public static let defaultOutputRoot = "output"
}

/// `text` as one POSIX shell word: unchanged when it has only safe characters, else in single quotes.
func shellQuoted(_ text: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
    if !text.isEmpty, text.unicodeScalars.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
