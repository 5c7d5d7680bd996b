import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

extension BatchRunner {
    /// Ends the batch after training, in one of three ways, then posts its outcome to the webhooks:
    /// - interrupted (SIGINT/SIGTERM): recorded `partial` (exit 130 / 143); the whole batch gets its
    ///   results.json and the front page, a shard only its archive;
    /// - a shard whose runs are all archived: recorded `completed` (exit 0); `expreg merge`
    ///   evaluates the gates and publishes the whole batch;
    /// - a whole batch: gates, `completed`, plots and reports (``BatchCompletion``); a signal while
    ///   publishing lets it finish and then exits 130 / 143.
    func finish(_ batch: StartedBatch, counts: RunExecutor.Counts, checked: Preflight, archive: Archive) throws
        -> RunSummary
    {
        var summary = RunSummary(
            status: .success, batchID: batch.id, reportHTML: nil, trained: counts.trained, skipped: counts.skipped,
            archivePath: checked.databasePath)
        if let signal = cancellation.signal {
            summary.status = signal == SIGTERM ? .terminated : .interrupted
            try archive.finishBatch(
                id: batch.id, status: .partial, finishedAt: Date(), exitCode: Int(summary.status.rawValue))
            if let shard = options.shard {
                progress.note(
                    "interrupted: shard \(shard) of batch \(batch.id) recorded as partial in \(checked.databasePath); "
                        + "continue it with --resume")
                return summary
            }
            let results = try BatchPublisher(layout: checked.layout, templatesDirectory: checked.templates)
                .writeResults(batchID: batch.id, archive: archive)
            progress.note(
                "interrupted: batch \(batch.id) recorded as partial (\(results.path)); "
                    + "continue it with: \(options.resumeCommand)")
            do {
                try ArchiveFrontPage.write(
                    archive: archive, layout: checked.layout, templatesDirectory: checked.templates)
            } catch {
                progress.note("the archive's front page was not rewritten: \(error)")
            }
            announce(batch.id, exitCode: summary.status, conclusion: nil, checked: checked, archive: archive)
            return summary
        }

        if let shard = options.shard {
            try archive.finishBatch(id: batch.id, status: .completed, finishedAt: Date(), exitCode: 0)
            let mine = shard.runs(of: batch.plan).count
            progress.note(
                "shard \(shard) of batch \(batch.id): \(mine) of \(batch.plan.runs.count) runs in \(checked.databasePath)"
            )
            return summary
        }

        let published: PublishedBatch
        do {
            (summary.status, published) = try BatchCompletion(
                layout: checked.layout, templatesDirectory: checked.templates, progress: progress
            )
            .finish(
                batchID: batch.id, plan: batch.plan, archive: archive,
                retryCommand: options.reportCommand(batchID: batch.id))
        } catch {
            announce(batch.id, exitCode: .failure, conclusion: nil, checked: checked, archive: archive)
            throw error
        }
        summary.reportHTML = published.reportHTML
        let exitCode = summary.status
        if let signal = cancellation.signal {
            // Publishing is not cut in half: the batch was published completely, then we stop.
            progress.note(
                "received \(signal == SIGTERM ? "SIGTERM" : "SIGINT") while writing the reports; they were "
                    + "finished and batch \(batch.id) is completed and published (a second signal stops at once; "
                    + "the next `expreg run` then finishes the reports)")
            summary.status = signal == SIGTERM ? .terminated : .interrupted
        }
        announce(batch.id, exitCode: exitCode, conclusion: published.conclusion, checked: checked, archive: archive)
        return summary
    }

    /// Posts the batch's outcome to the manifest's webhooks (never throws, never changes the exit
    /// code); failures are printed even with `--quiet`.
    func announce(
        _ batchID: String, exitCode: ExitStatus, conclusion: String?, checked: Preflight, archive: Archive
    ) {
        guard !checked.loaded.notify.isEmpty else { return }
        BatchNotifier.notify(
            batchID: batchID, event: .run, exitCode: exitCode.rawValue, conclusion: conclusion,
            webhooks: checked.loaded.notify,
            archive: archive, layout: checked.layout, environment: options.environment, log: { progress.alert($0) })
    }
}
