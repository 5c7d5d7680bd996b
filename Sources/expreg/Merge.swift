import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the shard archives of one batch into the archive; publish it when complete.",
            discussion: """
                Every input must be a shard (`expreg run --shard I/N`) of the same batch id, manifest and
                plan. Runs are united by run_key; merging the same shard again adds nothing. When every
                planned run is present the batch is gated and published as `expreg run` does (exit 0 or
                3); otherwise it is recorded partial, its report lists the missing runs (`latest` is not
                moved), and the exit code is 5. Merge again once the missing shards have run.
                """)

        @Argument(help: ArgumentHelp("Shard archives of one batch.", valueName: "shard.sqlite"))
        var shards: [String] = []

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Output root: one folder per batch, plus `latest`.")
        var output: String = RunOptions.defaultOutputRoot

        @Flag(name: .long, help: "No progress on stderr.")
        var quiet = false

        func validate() throws {
            if shards.isEmpty { throw ValidationError("give at least one shard archive") }
        }

        func run() throws {
            try withExitStatus {
                let merger = ShardMerger(
                    options: MergeOptions(shardPaths: shards, databasePath: archive.db, outputRoot: output),
                    progress: .automatic(quiet: quiet))
                let summary = try merger.execute()
                print("batch: \(summary.batchID)")
                if summary.status == .incomplete {
                    printError(
                        "expreg: incomplete: \(summary.missingRuns.count) planned runs are in no shard; missing shards: "
                            + summary.missingShards.map(String.init).joined(separator: " "))
                    if let page = summary.report { print("report (partial): \(page.path)") }
                } else if let report = summary.report {
                    let latest = URL(fileURLWithPath: output).appendingPathComponent("latest/report.html")
                    let same = latest.resolvingSymlinksInPath().path == report.resolvingSymlinksInPath().path
                    print("report: \(same ? latest.path : report.path)")
                }
                return summary.status
            }
        }
    }
}
