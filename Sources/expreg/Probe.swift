import ArgumentParser
import ExpRegCore
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the width condition ‖H_m(W0) − H*‖ ≤ λ*/4 for each distinct probe of a manifest.",
            discussion: """
                For each distinct (data, activation, init_scale, seed) among the manifest's runs, H_m(W0) is \
                accumulated over neurons in blocks (memory O(n²), independent of the width) and compared with H* \
                at the widths 16·2^(k/4); the crossing m_c is the smallest of them from which the condition holds \
                at every later one. Fits m_c ≈ c·n^e over data.n. Nothing is archived. EXPREG_KERNELS selects the \
                kernel path as for `run`; on one path the numbers are bitwise the same for any --threads.
                """)

        @Argument(help: "The experiment manifest (YAML).")
        var manifest: String

        @Option(
            name: .customLong("set"),
            help: ArgumentHelp("Override a dotted key in every run (repeatable).", valueName: "KEY=VALUE"))
        var overrides: [String] = []

        @Option(name: .customLong("max-width"), help: "The largest width probed (a probe stops there at the latest).")
        var maxWidth: Int = ProbeOptions.defaultMaxWidth

        @Option(
            name: .long,
            help: "Octaves over which the condition must hold at every checkpoint before a probe stops.")
        var margin: Int = ProbeOptions.defaultMarginOctaves

        @Option(name: .long, help: "Threads (default: every core).")
        var threads: Int?

        @Flag(name: .long, help: "Print one JSON document on stdout instead of the table.")
        var json = false

        @Flag(name: .customLong("dry-run"), help: "Estimate every probe's time and memory; probe nothing.")
        var dryRun = false

        @Flag(name: .long, help: "No progress on stderr.")
        var quiet = false

        func validate() throws {
            if maxWidth < ProbeGrid.smallestWidth {
                throw ValidationError(
                    "--max-width must be at least \(ProbeGrid.smallestWidth) (the probe grid's first width)")
            }
            if margin < 0 { throw ValidationError("--margin must be at least 0") }
            if margin > 20 { throw ValidationError("--margin must be at most 20 octaves") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let progress = ProgressReporter.automatic(quiet: quiet)
            // swift-format-ignore: OnlyOneTrailingClosureArgument
            try withExitStatus(report: { progress.error($0) }) {
                let flag = CancellationFlag()
                let watcher = SignalWatcher(flag: flag)
                defer { withExtendedLifetime(watcher) {} }
                let options = ProbeCommand.Options(
                    manifestPath: manifest, overrides: overrides,
                    probe: ProbeOptions(
                        maxWidth: maxWidth, marginOctaves: margin,
                        threads: threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount),
                        kernels: try KernelSelection.resolve()),
                    json: json, dryRun: dryRun)
                try ProbeCommand.run(options, progress: progress, cancellation: flag) { print($0, terminator: "") }
                return .success
            }
        }
    }
}
