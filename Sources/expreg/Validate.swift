import ArgumentParser
import ExpRegManifest
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse and validate a manifest and print the expanded plan; trains nothing.")

        @Argument(help: "The experiment manifest (YAML).")
        var manifest: String

        @Option(
            name: .customLong("set"),
            help: ArgumentHelp("Override a dotted key in every run (repeatable).", valueName: "KEY=VALUE"))
        var overrides: [String] = []

        func run() throws {
            try withExitStatus {
                do {
                    let loaded = try ManifestLoader.load(path: manifest, overrides: overrides)
                    let budget = try ActivationBudget.resolve()
                    print(loaded.summary(activationBudgetBytes: budget), terminator: "")
                    print(
                        try ProbeEstimate.validateLine(
                            for: loaded, threads: max(1, ProcessInfo.processInfo.activeProcessorCount)))
                    print(try MemoryFit.line(for: loaded.plan, activationBudgetBytes: budget))
                    return .success
                } catch {
                    throw PipelineError(.invalidInput, "\(error)", isDiagnosticList: true)
                }
            }
        }
    }
}
