import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a manifest, train every run, archive, plot and report.",
            discussion: "EXPREG_KERNELS=auto|avx512|avx2|generic forces the kernel path (default auto: the "
                + "fastest this CPU runs; a path the CPU lacks exits 2). On one path, results are bitwise "
                + "the same for any --parallel and core count.")

        @Argument(help: "The experiment manifest (YAML).")
        var manifest: String

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Output root: one folder per batch, plus `latest`.")
        var output: String = "output"

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a dotted key in every run (repeatable).", valueName: "KEY=VALUE"))
        var overrides: [String] = []

        @Flag(name: .long, help: "Continue the newest partial batch of this manifest, skipping finished runs.")
        var resume = false

        @Flag(name: .long, help: "No progress on stderr.")
        var quiet = false

        @Option(name: .long, help: "Runs trained at once, each with cores/N threads (default 1: one run at a time on every core).")
        var parallel: Int?

        func validate() throws {
            if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        }

        func run() throws {
            try withExitStatus {
                let flag = CancellationFlag()
                let watcher = SignalWatcher(flag: flag)
                defer { withExtendedLifetime(watcher) {} }
                let options = RunOptions(manifestPath: manifest, databasePath: archive.db, outputRoot: output,
                                         overrides: overrides, resume: resume, parallelRuns: parallel,
                                         kernels: try KernelSelection.resolve())
                let runner = BatchRunner(options: options, progress: .automatic(quiet: quiet), cancellation: flag)
                let summary = try runner.execute()
                print("batch: \(summary.batchID)")
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
