import ExpRegCore
import Foundation

extension LoadedManifest {
    /// Estimated work of one run in floating-point operations: steps · 4·n·d·m (the GD step's cost
    /// as `expreg bench` counts it; an upper bound, since a run may stop early at its target loss).
    package static func estimatedFLOPs(of run: RunSpec) -> Double {
        let c = run.config
        return Double(c.train.steps) * 4 * Double(c.data.n) * Double(c.data.d) * Double(c.model.width)
    }

    /// The plan as plain English text for `expreg validate` (stdout): the manifest, runs per
    /// experiment with their sweep and estimated work, the total, the estimated peak memory, the
    /// overrides, then one line per run with its index, experiment, swept values, run_key and
    /// estimated working set (``TrainingMemory``).
    ///
    /// Example:
    /// ```
    /// Manifest nightly-exp (manifests/nightly.yaml, sha256 3f2a…)
    /// Experiments:
    ///   width-sweep  9 runs  sweep model.width × seed (3 × 3)  ~1.2 GFLOP
    /// Total: 9 runs, 9 distinct run keys, estimated work 1.2 GFLOP (Σ steps·4·n·d·m, upper bound)
    /// Memory: estimated peak per run up to 2 MiB (run #8: n=64, d=16, width=4096); batch peak 258 MiB …
    /// Runs:
    ///   #0  width-sweep  model.width=256 seed=0  7c1e…  ~1 MiB
    /// ```
    /// Runs whose n × m activations exceed `activationBudgetBytes` are estimated on the lean path.
    public func summary(activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes) -> String {
        var lines: [String] = []
        var header = "Manifest \(plan.name) (\(path), sha256 \(sha256.prefix(12)))"
        if let title = plan.title { header += ": \(title)" }
        lines.append(header)
        lines.append("Experiments:")
        let names = plan.experimentNames
        let width = names.map(\.count).max() ?? 0
        for name in names {
            let runs = plan.runs.filter { $0.experiment == name }
            let work = runs.reduce(0) { $0 + Self.estimatedFLOPs(of: $1) }
            var line =
                "  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(runs.count) run\(runs.count == 1 ? "" : "s")"
            if let first = runs.first, !first.sweptKeys.isEmpty {
                let sizes = first.sweptKeys.map { key in Set(runs.compactMap { $0.param(key) }).count }
                line +=
                    "  sweep \(first.sweptKeys.joined(separator: " × ")) (\(sizes.map(String.init).joined(separator: " × ")))"
            }
            line += "  ~\(Self.gigaflops(work)) GFLOP"
            lines.append(line)
        }
        let total = plan.runs.reduce(0) { $0 + Self.estimatedFLOPs(of: $1) }
        let distinct = Set(plan.runs.map(\.runKey)).count
        lines.append(
            "Total: \(plan.runs.count) run\(plan.runs.count == 1 ? "" : "s"), \(distinct) distinct run key\(distinct == 1 ? "" : "s"), estimated work \(Self.gigaflops(total)) GFLOP (Σ steps·4·n·d·m, upper bound)"
        )
        lines.append(contentsOf: memoryLines(activationBudgetBytes: activationBudgetBytes))
        if !plan.overrides.isEmpty {
            lines.append("Overrides (--set, applied to every run): \(plan.overrides.joined(separator: ", "))")
        }
        var gates: [String] = []
        if let v = plan.gates.maxFinalLoss { gates.append("max_final_loss \(v)") }
        if let v = plan.gates.maxDiverged { gates.append("max_diverged \(v)") }
        if let v = plan.gates.maxRegression { gates.append("max_regression \(v)") }
        lines.append(
            "Gates: \(gates.isEmpty ? "none" : gates.joined(separator: ", ")); compare with: \(plan.compareWith.rawValue)"
        )
        if !notify.isEmpty {
            lines.append("Notify: " + notify.map { "\($0.redacted) when \($0.when.rawValue)" }.joined(separator: ", "))
        }
        lines.append("Runs:")
        let indexWidth = String(max(plan.runs.count - 1, 0)).count + 1
        for run in plan.runs {
            let swept = run.sweptKeys.compactMap { key in run.param(key).map { "\(key)=\($0)" } }.joined(separator: " ")
            let index = "#\(run.index)".padding(toLength: indexWidth, withPad: " ", startingAt: 0)
            var line = "  \(index)  \(run.experiment.padding(toLength: width, withPad: " ", startingAt: 0))  "
            if !swept.isEmpty { line += "\(swept)  " }
            line += run.runKey
            line +=
                "  ~\(ByteFormat.mebibytes(Self.estimatedMemoryBytes(of: run, activationBudgetBytes: activationBudgetBytes)))"
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Peak working-set bytes of one run (``TrainingMemory/bytes(n:d:m:path:)``, the estimate `run` checks).
    public static func estimatedMemoryBytes(
        of run: RunSpec,
        activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes
    ) -> Int {
        TrainingMemory.bytes(
            n: run.config.data.n, d: run.config.data.d, m: run.config.model.width,
            activationBudgetBytes: activationBudgetBytes)
    }

    /// `Memory: peak per run up to … MiB (…); batch peak … MiB one run at a time; sum over runs … MiB`.
    func memoryLines(activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes) -> [String] {
        let estimate = { (run: RunSpec) in
            Self.estimatedMemoryBytes(of: run, activationBudgetBytes: activationBudgetBytes)
        }
        guard let largest = plan.runs.max(by: { estimate($0) < estimate($1) }) else { return [] }
        let peak = estimate(largest)
        let sum = plan.runs.reduce(0) { $0 &+ estimate($1) }
        let c = largest.config
        return [
            "Memory: estimated peak per run up to \(ByteFormat.mebibytes(peak)) (run #\(largest.index): n=\(c.data.n), "
                + "d=\(c.data.d), width=\(c.model.width)); batch peak \(ByteFormat.mebibytes(peak + TrainingMemory.processOverheadBytes)) "
                + "with the process overhead, one run at a time (--parallel N: up to N runs at once); "
                + "sum over runs \(ByteFormat.mebibytes(sum))"
        ]
    }

    /// FLOPs as GFLOP with three significant digits.
    static func gigaflops(_ flops: Double) -> String {
        let g = flops / 1e9
        if g >= 100 { return String(format: "%.0f", g) }
        if g >= 10 { return String(format: "%.1f", g) }
        if g >= 1 { return String(format: "%.2f", g) }
        return String(format: "%.3g", g)
    }
}
