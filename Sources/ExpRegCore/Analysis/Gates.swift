/// Evaluates a manifest's gates on a batch.
public enum Gates {
    /// Gate results in a fixed order (`max_final_loss`, `max_diverged`, `max_regression`), one per set gate.
    ///
    /// - `max_final_loss`: every run's final loss <= threshold; a run without a final loss
    ///   (diverged, failed) breaches it.
    /// - `max_diverged`: number of `diverged` + `failed` runs <= threshold.
    /// - `max_regression`: for every run whose run_key also finished in `previous`, the ratio
    ///   loss_final(now) / loss_final(then) <= threshold. Runs new in this batch are not compared.
    /// - Parameters:
    ///   - runs: this batch's runs.
    ///   - previous: the previous batch's runs of the same manifest name (empty when none).
    public static func evaluate(_ config: GateConfig, runs: [RunRecord], previous: [RunRecord]) -> [GateResult] {
        var results: [GateResult] = []
        if let limit = config.maxFinalLoss {
            let bad = runs.filter { run in
                guard let loss = run.outcome.lossFinal, loss.isFinite else { return true }
                return loss > limit
            }
            results.append(
                GateResult(
                    name: .maxFinalLoss, passed: bad.isEmpty,
                    detail: "\(bad.count) of \(runs.count) runs above \(formatScientific(limit))",
                    offendingRunKeys: bad.map(\.spec.runKey)))
        }
        if let limit = config.maxDiverged {
            let bad = runs.filter(\.status.isBroken)
            results.append(
                GateResult(
                    name: .maxDiverged, passed: bad.count <= limit,
                    detail: "\(bad.count) diverged or failed (limit \(limit))",
                    offendingRunKeys: bad.map(\.spec.runKey)))
        }
        if let limit = config.maxRegression {
            let comparisons = RegressionComparison.compare(current: runs, previous: previous)
            let bad = comparisons.filter { ($0.ratio ?? .infinity) > limit }
            let detail =
                previous.isEmpty
                ? "no previous batch to compare with"
                : "\(bad.count) of \(comparisons.count) comparable runs regressed beyond x\(formatFixed(limit, digits: 2))"
            results.append(
                GateResult(
                    name: .maxRegression, passed: bad.isEmpty, detail: detail,
                    offendingRunKeys: bad.map(\.runKey)))
        }
        return results
    }
}

/// Final loss of a run now and in the previous batch (same run_key).
public struct RegressionComparison: Sendable, Equatable, Codable {
    public var runKey: String
    public var experiment: String
    public var lossBefore: Double?
    public var lossNow: Double?
    /// lossNow / lossBefore; nil when either is missing; +inf when now is missing but before was not.
    public var ratio: Double?

    /// Pairs runs by run_key, in the current batch's order; runs absent from `previous` are left out.
    public static func compare(current: [RunRecord], previous: [RunRecord]) -> [RegressionComparison] {
        var before: [String: RunRecord] = [:]
        for run in previous { before[run.spec.runKey] = run }
        return current.compactMap { run in
            guard let old = before[run.spec.runKey] else { return nil }
            let then = finite(old.outcome.lossFinal)
            let now = finite(run.outcome.lossFinal)
            var ratio: Double?
            if let then, let now {
                ratio = then > 0 ? now / then : (now > 0 ? .infinity : 1)
            } else if then != nil, now == nil {
                ratio = .infinity
            }
            return RegressionComparison(
                runKey: run.spec.runKey, experiment: run.spec.experiment,
                lossBefore: then, lossNow: now, ratio: ratio)
        }
    }
}
