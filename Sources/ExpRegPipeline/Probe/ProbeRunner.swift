import ExpRegCore
import ExpRegReport
import Foundation

/// Runs the probes of a ``ProbePlan`` one after another (each on every thread it is given), with
/// progress on stderr: on a terminal a live line with the width reached, ‖H_m − H*‖ against λ*/4
/// and an ETA; one line per finished probe otherwise (as `expreg run` reports runs).
public final class ProbeRunner {
    public let plan: ProbePlan
    public let options: ProbeOptions
    private let progress: ProgressReporter
    private let cancellation: CancellationFlag

    public init(plan: ProbePlan, options: ProbeOptions, progress: ProgressReporter, cancellation: CancellationFlag) {
        self.plan = plan
        self.options = options
        self.progress = progress
        self.cancellation = cancellation
    }

    /// The probes' records in plan order (a repeated computation is copied, not rerun).
    /// - Throws: ``PipelineError`` with status 130/143 when SIGINT/SIGTERM stopped it.
    public func execute() throws -> [ProbeRecord] {
        var finished: [Int: ProbeRecord] = [:]
        var records: [ProbeRecord] = []
        for (index, target) in plan.targets.enumerated() {
            var record: ProbeRecord
            if let earlier = finished[target.computation] {
                record = earlier
                record.experiment = target.experiment
            } else {
                record = try probe(target, position: index + 1)
                finished[target.computation] = record
                progress.note(Self.summary(record, position: index + 1, total: plan.targets.count))
            }
            records.append(record)
        }
        return records
    }

    private func probe(_ target: ProbePlan.Target, position: Int) throws -> ProbeRecord {
        let clock = ContinuousClock()
        let start = clock.now
        var phaseTimes: [ProbePhase: Double] = [:]
        var current: (phase: ProbePhase, since: ContinuousClock.Instant)?
        let enter = { (phase: ProbePhase) in
            let now = clock.now
            if let current { phaseTimes[current.phase, default: 0] += (now - current.since).seconds }
            current = (phase, now)
        }
        let label = Self.label(target, position: position, total: plan.targets.count)
        var record = ProbeRecord(
            experiment: target.experiment, activation: target.activation, sigma: target.sigma, seed: target.seed,
            data: target.run.config.data, n: target.dataset.n, d: target.dataset.d, result: nil, error: nil)
        do {
            record.result = try ConditionProbe.measure(
                dataset: target.dataset, activation: target.activation, sigma: target.sigma, seed: target.seed,
                options: options,
                progress: { [self] state in
                    progress.status(label + "  " + eta(state, target: target, elapsed: (clock.now - start).seconds))
                    return !cancellation.isCancelled
                }, phases: enter)
        } catch .cancelled {
            let status: ExitStatus = cancellation.signal == SIGTERM ? .terminated : .interrupted
            throw PipelineError(status, "interrupted during \(label); nothing was written")
        } catch {
            record.error = error.description
        }
        if let current { phaseTimes[current.phase, default: 0] += (clock.now - current.since).seconds }
        record.seconds = (clock.now - start).seconds
        record.accumulationSeconds = phaseTimes[.accumulation] ?? 0
        record.checkpointSeconds = phaseTimes[.checkpoint] ?? 0
        return record
    }

    /// `width 1,048,576  ‖H−H*‖ 1.50e-02 > λ*/4 1.31e-02  ETA 0:12 (to ~4,194,304)`: the ETA to the
    /// projected stop at the rate (flops per second by ``ProbeFlops``) of this probe so far.
    private func eta(_ state: ProbeProgress, target: ProbePlan.Target, elapsed: Double) -> String {
        let (n, d) = (target.dataset.n, target.dataset.d)
        let checkpoint = ProbeFlops.checkpoint(n: n, d: d)
        let done =
            ProbeFlops.accumulation(n: n, d: d, m: state.neurons)
            + Double(ProbeGrid.widths(upTo: state.latest?.width ?? 0).count) * checkpoint
        let toStop =
            ProbeFlops.accumulation(n: n, d: d, m: state.projectedStopWidth)
            + Double(ProbeGrid.widths(upTo: state.projectedStopWidth).count) * checkpoint
        let seconds = max(0, toStop - done) / max(done / max(elapsed, 1e-9), 1)
        var text = "width \(ReportFormat.width(state.neurons))"
        if let latest = state.latest {
            text +=
                "  ‖H−H*‖ \(formatScientific(latest.gramDistance, digits: 2)) at \(ReportFormat.width(latest.width))"
        }
        return text + "  ETA \(ReportFormat.duration(seconds)) (to ~\(ReportFormat.width(state.projectedStopWidth)))"
    }

    /// `[3/12] condition-n exp n=128 d=16 σ=1.0 seed=2`.
    static func label(_ target: ProbePlan.Target, position: Int, total: Int) -> String {
        "[\(position)/\(total)] \(target.experiment) \(target.activation.rawValue) n=\(target.dataset.n) "
            + "d=\(target.dataset.d) σ=\(target.sigma) seed=\(target.seed)"
    }

    /// The line for a finished probe.
    static func summary(_ record: ProbeRecord, position: Int, total: Int) -> String {
        var line =
            "[\(position)/\(total)] \(record.experiment) \(record.activation.rawValue) n=\(record.n) d=\(record.d) "
            + "σ=\(record.sigma) seed=\(record.seed): "
        if let result = record.result {
            let threshold = formatScientific(result.threshold, digits: 2)
            if let crossing = result.crossing.width {
                line +=
                    "crossing at width \(ReportFormat.width(crossing)) (‖H−H*‖ ≤ λ*/4 = \(threshold) from there to "
                    + "\(ReportFormat.width(result.widthReached)))"
                if result.crossing.crossingsBack > 0 { line += ", crossed back \(result.crossing.crossingsBack)×" }
            } else if result.stop == .notFinite {
                line += "H_m(W0) or its eigenvalues not finite after width \(ReportFormat.width(result.widthReached))"
            } else {
                let last = result.curve.last.map { formatScientific($0.gramDistance, digits: 2) } ?? "?"
                line +=
                    "not reached by width \(ReportFormat.width(result.widthReached)) (‖H−H*‖ \(last) > λ*/4 = \(threshold))"
            }
        } else {
            line += "not probed: \(record.error ?? "unknown error")"
        }
        if let seconds = record.seconds { line += String(format: ", %.2f s", seconds) }
        return line
    }
}
