import ArgumentParser
import ExpRegBenchmark
import ExpRegCore
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the GD step and building H(W) + its eigenvalues on synthetic sphere data.",
            discussion: """
                Without --n/--d/--width it times both standard sizes, (256, 32, 4096) and
                (1024, 64, 16384). GFLOP/s counts 4·n·d·m floating-point operations per GD step
                (the two GEMMs). `make bench` runs this beside NumPy (and JAX) via bench/compare.sh.
                """)

        @Option(name: .long, help: "Number of points n.")
        var n: Int?
        @Option(name: .long, help: "Input dimension d.")
        var d: Int?
        @Option(name: .long, help: "Width m.")
        var width: Int?
        @Option(name: .long, help: "Timed GD steps (after a warm-up step).")
        var steps: Int?
        @Option(name: .long, help: "exp or relu.")
        var activation: String = "exp"
        @Option(name: .long, help: "Threads (default: every core).")
        var threads: Int?
        @Option(
            name: .long, help: "Timed builds of H(W), each with its eigenvalues; the medians are printed. (default: 3)")
        var gramRepeats: Int?
        @Flag(name: .long, help: "Skip timing H(W) and its eigenvalues.")
        var noGram = false
        @Option(
            name: .long,
            help:
                "How the step holds the activations: materializing, lean, or auto (lean when 8·n·m bytes exceed EXPREG_ACTIVATION_BUDGET, default 1 GiB)."
        )
        var path: String = "auto"
        @Flag(
            name: .long,
            help:
                "Time the materializing and the lean step of each size in one process, alternately from the same weights, and print both with their ratio (no H(W)); --path is ignored."
        )
        var comparePaths = false
        @Flag(name: .long, help: "Print one JSON object per size.")
        var json = false

        func validate() throws {
            guard Activation(rawValue: activation) != nil else {
                throw ValidationError("--activation must be exp or relu")
            }
            guard path == "auto" || TrainingPath(rawValue: path) != nil else {
                throw ValidationError("--path must be auto, materializing or lean")
            }
            for (name, value) in [
                ("--n", n), ("--d", d), ("--width", width), ("--steps", steps), ("--threads", threads),
                ("--gram-repeats", gramRepeats),
            ] {
                if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
            }
        }

        /// The sizes to time: the standard pair, or one size from the options, with the CLI's
        /// thread count and Gram switch applied.
        func configurations() -> [BenchmarkConfig] {
            BenchmarkConfig.configurations(
                n: n, d: d, width: width, steps: steps,
                activation: Activation(rawValue: activation) ?? .exp,
                gramRepeats: gramRepeats
            ).map { size in
                var config = size
                config.threads = threads
                config.includeGram = !noGram
                config.trainingPath = TrainingPath(rawValue: path)
                return config
            }
        }

        func run() throws {
            try withExitStatus {
                let kernels = try KernelSelection.resolve()
                let budget = try ActivationBudget.resolve()
                for var config in configurations() {
                    config.kernels = kernels
                    config.activationBudgetBytes = budget
                    if comparePaths {
                        let comparison = try measure { () throws(BenchmarkError) in try PathComparison.run(config) }
                        print(json ? comparison.jsonLine() : comparison.summary)
                        continue
                    }
                    let result = try measure { () throws(BenchmarkError) in try Benchmark.run(config) }
                    print(json ? result.jsonLine() : result.summary)
                }
                return .success
            }
        }

        /// Runs a benchmark, mapping its errors to the CLI's exit statuses (bad sizes: invalid input).
        private func measure<T>(_ body: () throws(BenchmarkError) -> T) throws -> T {
            do {
                return try body()
            } catch BenchmarkError.invalidConfiguration(let message) {
                throw PipelineError(.invalidInput, "\(BenchmarkError.invalidConfiguration(message))")
            } catch {
                throw PipelineError(.failure, "\(error)")
            }
        }
    }
}
