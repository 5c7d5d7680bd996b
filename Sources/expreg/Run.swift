import ArgumentParser
import ExpRegPipeline
import Foundation

extension LogFormat: ExpressibleByArgument {}

extension ExpReg {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a manifest, train every run, archive, plot and report.",
            discussion: "EXPREG_KERNELS=auto|avx512|avx2|generic forces the kernel path (default auto: the "
                + "fastest this CPU runs; a path the CPU lacks exits 2). On one path, results are bitwise "
                + "the same for any --parallel and core count.")

        @Argument(help: "The experiment manifest (YAML).")
        var manifest: String

        @Option(
            name: .long,
            help: ArgumentHelp(
                "The SQLite archive (default output/expreg.sqlite). With --shard: the shard's own archive "
                    + "(default <archive folder>/shards/<batch id>/shard-<I>.sqlite).", valueName: "path"))
        var db: String?

        @Option(name: .long, help: "Output root: one folder per batch, plus `latest`.")
        var output: String = RunOptions.defaultOutputRoot

        @Option(
            name: .customLong("set"),
            help: ArgumentHelp("Override a dotted key in every run (repeatable).", valueName: "KEY=VALUE"))
        var overrides: [String] = []

        @Flag(name: .long, help: "Continue the newest partial batch of this manifest, skipping finished runs.")
        var resume = false

        @Flag(name: .long, help: "No progress on stderr.")
        var quiet = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Train only the plan's runs with index % N == I into a shard archive (no report; `expreg merge` "
                    + "publishes). `auto`: I and N from a Slurm job array or a Kubernetes Indexed Job "
                    + "(JOB_COMPLETION_INDEX + EXPREG_SHARD_COUNT).", valueName: "I/N|auto"))
        var shard: String?

        @Option(
            name: .customLong("batch-id"),
            help: ArgumentHelp(
                "With --shard: the batch id every shard shares (default EXPREG_BATCH_ID, or "
                    + "slurm-<SLURM_ARRAY_JOB_ID>-<name> in a Slurm job array).", valueName: "ID"))
        var batchID: String?

        @Option(
            name: .long,
            help: "Runs trained at once, each with cores/N threads (default 1: one run at a time on every core).")
        var parallel: Int?

        @Option(
            name: .customLong("log-file"),
            help: ArgumentHelp(
                "Also append every progress line and message, with a UTC timestamp, to this file (even with --quiet).",
                valueName: "PATH"))
        var logFile: String?

        @Option(
            name: .customLong("log-format"),
            help: "Lines on stderr (and in --log-file): text, or json (one object per line).")
        var logFormat: LogFormat = .text

        /// What an exit status means, for the final log line.
        static func meaning(_ status: ExitStatus) -> String {
            switch status {
            case .success: return "all runs finished, all gates passed"
            case .gateFailed: return "a gate failed; reports written"
            case .interrupted, .terminated: return "interrupted; the batch is partial, continue it with --resume"
            case .failure: return "internal or I/O failure"
            case .invalidInput: return "invalid input"
            case .locked: return "the archive is held by another run"
            case .incomplete: return "runs of the plan are missing; the batch is partial"
            }
        }

        func validate() throws {
            if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        }

        func run() throws {
            let log: EventLog
            do {
                log = try EventLog(format: logFormat, filePath: logFile)
            } catch let error as PipelineError {
                printError("expreg: error: \(error.message)")
                throw ExitCode(error.status.rawValue)
            }
            let progress = ProgressReporter.automatic(quiet: quiet, log: log)
            // swift-format-ignore: OnlyOneTrailingClosureArgument
            try withExitStatus(report: { progress.error($0) }) {
                let flag = CancellationFlag()
                let watcher = SignalWatcher(flag: flag)
                defer { withExtendedLifetime(watcher) {} }
                let environment = ProcessInfo.processInfo.environment
                let shardSpec = try shard.map { text throws(PipelineError) in
                    try ShardSpec.resolve(text, environment: environment)
                }
                var options = RunOptions(
                    manifestPath: manifest,
                    databasePath: shardSpec == nil
                        ? (db ?? RunOptions.defaultDatabasePath) : RunOptions.defaultDatabasePath,
                    outputRoot: output, overrides: overrides, resume: resume, parallelRuns: parallel,
                    shard: shardSpec, batchID: batchID, shardDatabasePath: shardSpec == nil ? nil : db,
                    environment: environment, kernels: try KernelSelection.resolve())
                options.activationBudgetBytes = try ActivationBudget.resolve(environment: environment)
                let runner = BatchRunner(options: options, progress: progress, cancellation: flag)
                let summary = try runner.execute()
                let finished =
                    "batch \(summary.batchID) finished: exit \(summary.status.rawValue) (\(Self.meaning(summary.status)))"
                if summary.status == .success { progress.note(finished) } else { progress.alert(finished) }
                print("batch: \(summary.batchID)")
                if let shardSpec {
                    print("shard: \(shardSpec) archive: \(summary.archivePath)")
                }
                if let report = summary.reportHTML {
                    // Prefer the stable `latest` path when it points at this batch.
                    let latest = URL(fileURLWithPath: output).appendingPathComponent("latest/report.html")
                    let same = latest.resolvingSymlinksInPath().path == report.resolvingSymlinksInPath().path
                    print("report: \(same ? latest.path : report.path)")
                }
                return summary.status
            }
        }
    }
}
