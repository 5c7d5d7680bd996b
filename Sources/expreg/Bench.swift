import ArgumentParser
import ExpRegCore
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the GD step and building H(W) + its eigenvalues on synthetic sphere data.",
            discussion: "GFLOP/s counts 4·n·d·m floating-point operations per GD step (the two GEMMs).")

        @Option(name: .long, help: "Number of points n.")
        var n: Int = 1024
        @Option(name: .long, help: "Input dimension d.")
        var d: Int = 64
        @Option(name: .long, help: "Width m.")
        var width: Int = 16384
        @Option(name: .long, help: "Timed GD steps (after one warm-up step).")
        var steps: Int = 20
        @Option(name: .long, help: "exp or relu.")
        var activation: String = "exp"
        @Flag(name: .long, help: "Print one JSON object per size.")
        var json = false

        func validate() throws {
            guard n >= 1, d >= 2, width >= 1, steps >= 1 else {
                throw ValidationError("--n, --width and --steps must be at least 1, --d at least 2")
            }
            guard Activation(rawValue: activation) != nil else { throw ValidationError("--activation must be exp or relu") }
        }

        func run() throws {
            try withExitStatus {
                let config = BenchmarkConfig(n: n, d: d, width: width, steps: steps,
                                             activation: Activation(rawValue: activation) ?? .exp)
                let result = try Benchmark.run(config)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
                } else {
                    print(result.summaryLine)
                }
                return .success
            }
        }
    }
}
