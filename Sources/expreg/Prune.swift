import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete old batch folders under the output root (the archive keeps every batch).",
            discussion: """
                Never removes the newest batch, the one `latest` points at, or a running batch.
                A pruned report is rebuilt byte-identically by `expreg report --batch ID`.
                With --archive the selected batches are also deleted from the archive (then VACUUM);
                that cannot be undone, so it needs --yes (or try it with --dry-run first).
                """)

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Output root holding the batch folders.")
        var output: String = RunOptions.defaultOutputRoot

        @Option(
            name: .customLong("keep-reports"), help: ArgumentHelp("Keep the newest N batches' folders.", valueName: "N")
        )
        var keepReports: Int?

        @Option(
            name: .customLong("older-than"),
            help: ArgumentHelp("Remove the folders of batches started more than DAYS days ago.", valueName: "DAYS"))
        var olderThan: Int?

        @Flag(name: .customLong("dry-run"), help: "Say what would be removed; remove nothing.")
        var dryRun = false

        @Flag(name: .customLong("archive"), help: "Also delete those batches from the archive (needs --yes).")
        var deleteFromArchive = false

        @Flag(name: .long, help: "Confirm --archive.")
        var yes = false

        func validate() throws {
            switch (keepReports, olderThan) {
            case (nil, nil), (.some, .some):
                throw ValidationError("give exactly one of --keep-reports N and --older-than DAYS")
            default:
                break
            }
            if let keepReports, keepReports < 1 { throw ValidationError("--keep-reports must be at least 1") }
            if let olderThan, olderThan < 0 { throw ValidationError("--older-than must be 0 or more days") }
            if deleteFromArchive && !yes && !dryRun {
                throw ValidationError(
                    "--archive deletes batches from the archive for good: add --yes to confirm, or try --dry-run first")
            }
        }

        func run() throws {
            try withExitStatus {
                let rule: PruneRule = keepReports.map { .keepNewest($0) } ?? .olderThan(days: olderThan ?? 0)
                let summary = try ReportPruner.run(
                    PruneOptions(
                        archivePath: archive.db, outputRoot: output, rule: rule, dryRun: dryRun,
                        deleteFromArchive: deleteFromArchive))
                print(PruneReport.text(summary, archivePath: archive.db), terminator: "")
                return .success
            }
        }
    }
}
