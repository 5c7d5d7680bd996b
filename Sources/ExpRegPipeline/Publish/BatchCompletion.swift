import ExpRegCore
import ExpRegStore
import Foundation

/// The end of a batch whose planned runs are all archived: gates, final status, then plots and
/// reports from the archive. Shared by `expreg run` (after training) and `expreg merge` (after the
/// last shard arrived), so a merged batch is published exactly as a single-machine one.
struct BatchCompletion {
    var layout: OutputLayout
    var templatesDirectory: URL
    var progress: ProgressReporter

    /// Evaluates the plan's gates on the archived runs, records them and the `completed` status
    /// (exit 0, or 3 when a gate failed; the archive judges the batch in the same transaction),
    /// publishes, and returns that status and what was published.
    /// - Parameter retryCommand: the command, printed as is, that rebuilds the reports when publishing fails.
    func finish(batchID: String, plan: Plan, archive: Archive, retryCommand: String) throws
        -> (ExitStatus, PublishedBatch)
    {
        guard let trained = try archive.snapshot(batchID: batchID) else {
            throw PipelineError.io("batch \(batchID) vanished from the archive")
        }
        let publisher = BatchPublisher(layout: layout, templatesDirectory: templatesDirectory)
        let previous = try publisher.previousSnapshot(of: trained, archive: archive)
        let gates = Gates.evaluate(plan.gates, runs: trained.runs, previous: previous?.runs ?? [])
        try archive.recordGates(gates, batchID: batchID)
        let status: ExitStatus = gates.allSatisfy(\.passed) ? .success : .gateFailed
        try archive.finishBatch(id: batchID, status: .completed, finishedAt: Date(), exitCode: Int(status.rawValue))
        for gate in gates where !gate.passed {
            progress.alert("gate failed: \(gate.name): \(gate.detail)")
        }

        do {
            // Reread: the gates, the final status and the judgement are in the archive now.
            guard let finished = try archive.snapshot(batchID: batchID) else {
                throw PipelineError.io("batch \(batchID) vanished from the archive")
            }
            let published = try publisher.publish(finished, previous: previous, archive: archive)
            return (status, published)
        } catch {
            try? archive.finishBatch(
                id: batchID, status: .completed, finishedAt: Date(),
                exitCode: Int(ExitStatus.failure.rawValue))
            throw PipelineError.io(
                "training finished and is archived, but writing the report failed: \(error)\n"
                    + "retry with: \(retryCommand)")
        }
    }
}
