import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a batch to a cluster scheduler as shards plus a merge job.",
            subcommands: [Slurm.self])

        struct Slurm: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Submit a Slurm job array (one shard per task) and a merge job that runs after it.",
                discussion: """
                    Writes array.sh and merge.sh under <archive folder>/shards/<batch id>/ (a file system
                    every node shares), submits the array and the merge job (--dependency=afterany), prints
                    both job ids and returns. With --wait it waits for the merge job and exits with its code
                    (0, 3, or 5 when shards are missing). --dry-run prints the scripts and submits nothing.
                    """)

            @Argument(help: "The experiment manifest (YAML).")
            var manifest: String

            @Option(name: .long, help: "Array tasks: shard I of N trains the runs with plan index % N == I.")
            var shards: Int

            @Option(name: .customLong("cpus-per-task"), help: "Slurm --cpus-per-task of each array task.")
            var cpusPerTask: Int?

            @Option(name: .long, help: "Slurm --time of each array task, e.g. 02:00:00.")
            var time: String?

            @Option(name: .long, help: "Slurm partition.")
            var partition: String?

            @Option(
                name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue,
                help: ArgumentHelp(
                    "Extra #SBATCH line for both jobs (repeatable).",
                    valueName: "ARG"))
            var sbatchArguments: [String] = []

            @Option(name: .customLong("max-parallel"), help: "At most K array tasks at once (--array=0-(N-1)%K).")
            var maxParallel: Int?

            @Option(name: .customLong("batch-id"), help: "The batch id (default <UTC now>-<manifest name>).")
            var batchID: String?

            @OptionGroup var archive: ArchiveOptions

            @Option(name: .long, help: "Output root of the published batch.")
            var output: String = RunOptions.defaultOutputRoot

            @Flag(name: .customLong("dry-run"), help: "Print the scripts; write and submit nothing.")
            var dryRun = false

            @Flag(name: .long, help: "Wait for the merge job and exit with its exit code.")
            var wait = false

            func validate() throws {
                if shards < 1 { throw ValidationError("--shards must be at least 1") }
                if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1") }
                if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
                if dryRun && wait { throw ValidationError("--dry-run and --wait exclude each other") }
            }

            func run() throws {
                try withExitStatus {
                    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
                    let submission = SlurmSubmission(
                        options: SlurmSubmitOptions(
                            manifestPath: manifest, shards: shards, cpusPerTask: cpusPerTask, time: time,
                            partition: partition,
                            sbatchArguments: sbatchArguments, maxParallel: maxParallel, databasePath: archive.db,
                            outputRoot: output, batchID: batchID, executable: executable))
                    let scripts = try submission.scripts()
                    if dryRun {
                        print("# batch: \(scripts.batchID)")
                        print("# \(scripts.layout.arrayScript.path)")
                        print(scripts.array)
                        print("# \(scripts.layout.mergeScript.path)  (sbatch --dependency=afterany:<array job>)")
                        print(scripts.merge)
                        return .success
                    }
                    let submitted = try submission.submit(scripts)
                    print("batch: \(scripts.batchID)")
                    print("array job: \(submitted.arrayJobID)")
                    print("merge job: \(submitted.mergeJobID)")
                    guard wait else { return .success }
                    let code = try submission.waitForMerge(submitted, layout: scripts.layout)
                    return ExitStatus(rawValue: code) ?? .failure
                }
            }
        }
    }
}
