import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

/// `expreg run`: manifest → plan → runs → archive → plots → report, in four steps, each in its own
/// file:
/// 1. **Preflight** (`BatchRunner+Preflight.swift`): everything that can be checked before the
///    archive is touched (manifest, data files, memory, output folder, templates, `--db`, shard id);
///    a problem exits 2 with nothing created.
/// 2. **Start or resume** (`BatchRunner+Start.swift`): the archive session (lock, claim, open; exit 4
///    while another writer holds it), batches left by a dead process marked partial and their
///    cut-short publications finished, then a new batch or the interrupted one continued.
/// 3. **Train** (``RunExecutor``): each finished run committed in its own transaction, so a crash
///    loses at most the run in flight and `--resume` never re-trains a finished run.
/// 4. **Finish** (`BatchRunner+Finish.swift`): interrupted, shard done, or completed and published,
///    then the webhooks.
public final class BatchRunner {
    public let options: RunOptions
    let progress: ProgressReporter
    let cancellation: CancellationFlag

    public init(options: RunOptions, progress: ProgressReporter, cancellation: CancellationFlag) {
        self.options = options
        self.progress = progress
        self.cancellation = cancellation
    }

    public func execute() throws -> RunSummary {
        let checked = try preflight()
        // The one writer's session (a shard writes nothing into the output root: `expreg merge`
        // publishes there); closed, then unlocked, however this ends.
        let session = try ArchiveAccess.session(
            checked.databasePath, access: .write, output: options.shard == nil ? .claim(checked.layout) : nil)
        defer { session.close() }
        let archive = session.archive
        switch try startOrResume(checked, archive: archive) {
        case .alreadyDone(let summary):
            return summary
        case .batch(let batch):
            let counts = try train(batch, checked: checked, archive: archive)
            return try finish(batch, counts: counts, checked: checked, archive: archive)
        }
    }

    /// Trains what is left of `batch` (this process's runs), archiving as it goes.
    /// - Throws: the training error, with the command that continues the batch.
    func train(_ batch: StartedBatch, checked: Preflight, archive: Archive) throws -> RunExecutor.Counts {
        var assigned = batch.plan
        if let shard = options.shard { assigned.runs = shard.runs(of: batch.plan) }
        let runner = RunExecutor(
            plan: assigned, loaded: checked.loaded, archive: archive, batchID: batch.id,
            progress: progress, cancellation: cancellation,
            parallelRuns: options.parallelRuns, kernels: options.kernels)
        runner.activationBudgetBytes = options.activationBudgetBytes
        do {
            return try runner.trainRemaining(skipping: batch.finishedRunKeys)
        } catch {
            // The batch is recorded and stays `running` (`partial` at the next run): say how to go on.
            let status = (error as? PipelineError)?.status ?? .failure
            throw PipelineError(
                status,
                "\((error as? PipelineError)?.message ?? "\(error)")\n"
                    + "batch \(batch.id) keeps its archived runs; continue it with: \(options.resumeCommand)")
        }
    }
}
