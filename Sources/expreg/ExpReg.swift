import ArgumentParser
import ExpRegPipeline
import Foundation

/// `expreg`: nightly checks of over-parameterized exponential regression (arXiv 2303.16504).
@main
struct ExpReg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expreg",
        abstract: "Train, archive and report nightly checks of over-parameterized exponential regression.",
        discussion: """
            Exit codes:
              0    all runs finished and all gates passed
              1    internal or I/O failure
              2    invalid input (manifest, data file, usage): nothing trained
              3    a gate failed (reports are still written)
              4    another `expreg run` holds the archive's lock
              5    `expreg merge`: some planned runs are in no shard yet; the batch is
                   recorded as partial; merge again when the missing shards have run
              130  interrupted by SIGINT, 143 by SIGTERM: the batch is recorded as
                   partial; continue it with `expreg run MANIFEST --resume`
            """,
        version: Provenance.toolVersion,
        subcommands: [
            Run.self, Validate.self, Report.self, History.self, Export.self, Bench.self, Index.self,
            Backup.self, Prune.self, Merge.self, Submit.self, Probe.self,
        ]
    )

    /// Parses and runs; command-line usage errors exit 2 (the documented "invalid input" code),
    /// not ArgumentParser's default 64.
    static func main() {
        MemoryPolicy.returnLargeBuffersToTheSystem()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
