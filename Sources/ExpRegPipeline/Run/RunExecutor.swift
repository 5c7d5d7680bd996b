import Dispatch
import ExpRegCore
import ExpRegLinAlg
import ExpRegManifest
import ExpRegStore
import Foundation

/// Trains the runs of a plan that are not archived yet and archives each as it finishes.
///
/// Scheduling on a small machine: threads per run × concurrent runs never exceed the core count.
/// By default runs train one at a time and each GD step uses every core (the trainer splits the
/// neurons among its own workers). Measured on the nightly manifest (2 cores): one run at a time
/// with 2 threads took 14 s, two runs at a time with 1 thread each 24 s, because every BLAS call
/// goes through one process-wide gate. `--parallel N` still trains N runs at once (cores/N threads
/// each); the archive keeps each run's plan index, so reports and results.json stay in plan order.
/// The thread count and kernel path reach the trainer explicitly (``TrainingOptions``); for one
/// kernel path every run's numbers are bitwise the same whatever the thread count.
final class RunExecutor: @unchecked Sendable {
    let plan: Plan
    let loaded: LoadedManifest
    let archive: Archive
    let batchID: String
    let progress: ProgressReporter
    let cancellation: CancellationFlag
    let parallelRuns: Int?
    let kernels: KernelPath
    /// Runs whose n × m activations exceed this train memory-lean (``TrainingOptions/activationBudgetBytes``).
    var activationBudgetBytes = TrainingOptions.defaultActivationBudgetBytes
    private let archiveLock = NSLock()

    init(
        plan: Plan, loaded: LoadedManifest, archive: Archive, batchID: String, progress: ProgressReporter,
        cancellation: CancellationFlag, parallelRuns: Int?, kernels: KernelPath
    ) {
        self.plan = plan
        self.loaded = loaded
        self.archive = archive
        self.batchID = batchID
        self.progress = progress
        self.cancellation = cancellation
        self.parallelRuns = parallelRuns
        self.kernels = kernels
    }

    struct Counts {
        var trained = 0
        var skipped = 0
    }

    /// Trains every run whose run_key is not in `finished` (each run_key at most once).
    func trainRemaining(skipping finished: Set<String>) throws -> Counts {
        var seen = finished
        var todo: [RunSpec] = []
        var counts = Counts()
        for spec in plan.runs {
            if seen.insert(spec.runKey).inserted {
                todo.append(spec)
            } else {
                counts.skipped += 1
            }
        }
        let total = plan.runs.count
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let workers = max(1, min(parallelRuns ?? 1, todo.count))
        let options = TrainingOptions(
            threads: max(1, cores / workers), kernels: kernels,
            activationBudgetBytes: activationBudgetBytes)

        let next = NSLock()
        var cursor = 0
        var firstError: (any Error)?
        var trained = 0
        let body = { [self] in
            while true {
                let item: (Int, RunSpec)? = next.withLock {
                    guard cursor < todo.count, firstError == nil, !cancellation.isCancelled else { return nil }
                    defer { cursor += 1 }
                    return (cursor, todo[cursor])
                }
                guard let (offset, spec) = item else { return }
                // Runs already archived (or repeated keys) come first: position ≤ total.
                let position = counts.skipped + offset + 1
                do {
                    if try trainAndArchive(spec, options: options, position: position, total: total) {
                        next.withLock { trained += 1 }
                    }
                } catch {
                    next.withLock { if firstError == nil { firstError = error } }
                }
            }
        }
        if workers == 1 {
            body()
        } else {
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in box.value() }
        }
        if let firstError { throw firstError }
        counts.trained = trained
        return counts
    }

    /// Trains one run and commits it; returns false when cancelled before it finished.
    private func trainAndArchive(_ spec: RunSpec, options: TrainingOptions, position: Int, total: Int) throws -> Bool {
        progress.runStarted(spec, position: position, total: total)
        let startedAt = Date()
        let clock = ContinuousClock()
        let start = clock.now
        var outcome: RunOutcome
        let phases = PhaseClock()
        do {
            let dataset = try dataset(for: spec)
            let testSet = try heldOutDataset(for: spec)
            outcome = try Trainer.train(
                spec.config, on: dataset, heldOut: testSet, options: options,
                progress: { [progress, cancellation] step in
                    progress.runProgressed(spec, position: position, total: total, progress: step)
                    return !cancellation.isCancelled
                }, phases: phases.enter)
            phases.stop()
        } catch TrainingError.cancelled {
            return false
        } catch {
            outcome = RunOutcome(status: .failed, reason: "\(error)")
        }
        let elapsed = clock.now - start
        let seconds = elapsed.seconds
        let record = RunRecord(
            spec: spec, outcome: outcome, startedAt: startedAt, wallSeconds: seconds,
            trainingSeconds: phases.seconds[.training], spectraSeconds: phases.seconds[.spectra])
        try archiveLock.withLock {
            do {
                try archive.recordRun(record, batchID: batchID)
            } catch {
                throw PipelineError.io("cannot archive run \(spec.runKey.prefix(12)): \(error)")
            }
        }
        progress.runFinished(record, position: position, total: total)
        return true
    }

    /// The run's data: generated sphere points, or the csv file the manifest loader validated.
    private func dataset(for spec: RunSpec) throws -> Dataset {
        guard let dataset = loaded.trainingDataset(for: spec) else {
            throw PipelineError.invalid("csv data \(spec.config.data.path ?? "?") was not loaded with the manifest")
        }
        return dataset
    }
}

extension RunExecutor {
    /// The run's held-out data: `test_n` points of the sphere's jumped stream, the csv
    /// `test_path` file the manifest loader validated, or nil without a test set.
    func heldOutDataset(for spec: RunSpec) throws -> Dataset? {
        let data = spec.config.data
        switch data.source {
        case .sphere:
            guard let testN = data.testN else { return nil }
            return SphereData.heldOut(
                testCount: testN, trainingCount: data.n, d: data.d, labels: data.labels,
                seed: data.seed)
        case .csv:
            guard let path = data.testPath else { return nil }
            guard let dataset = loaded.csvTestDataset(for: spec) else {
                throw PipelineError.invalid("csv test data \(path) was not loaded with the manifest")
            }
            return dataset
        }
    }
}

/// Lets a non-Sendable closure cross into `concurrentPerform`; the closure synchronises itself.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Splits a run's wall time by ``TrainingPhase``: the time from one phase change to the next is
/// added to the phase that was running.
private final class PhaseClock {
    private let clock = ContinuousClock()
    private var current: (phase: TrainingPhase, since: ContinuousClock.Instant)?
    private(set) var seconds: [TrainingPhase: Double] = [:]

    func enter(_ phase: TrainingPhase) {
        let now = clock.now
        if let current {
            let elapsed = now - current.since
            seconds[current.phase, default: 0] += elapsed.seconds
        }
        current = (phase, now)
    }

    func stop() {
        guard let phase = current?.phase else { return }
        enter(phase)
        current = nil
    }
}
