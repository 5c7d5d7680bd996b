import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

/// `expreg run`: manifest → plan → runs → archive → plots → report.
///
/// Everything that can be checked before training is checked first (manifest, data files, output
/// folder, templates, archive lock); a problem there exits 2 (or 4 for the lock) with the archive
/// untouched. Each finished run is committed in its own transaction, so a crash loses at most the
/// run in flight, and `--resume` continues an interrupted batch without re-training finished runs.
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
        // 1. Validate everything before touching the archive.
        let loaded: LoadedManifest
        do {
            loaded = try ManifestLoader.load(path: options.manifestPath, overrides: options.overrides)
        } catch {
            throw PipelineError(.invalidInput, error.description, isDiagnosticList: true)
        }
        let layout = OutputLayout(root: URL(fileURLWithPath: options.outputRoot))
        try layout.checkWritable()
        guard let templates = options.templatesDirectory ?? TemplateLocator.locate() else {
            throw PipelineError.invalid("report templates not found: set EXPREG_TEMPLATES to the checkout's templates/ folder")
        }
        // Every run must fit the memory limit (estimate and limit in the message), before the archive is touched.
        try MemoryLimit.current().check(loaded.plan.runs, concurrentRuns: options.parallelRuns ?? 1)
        let databaseFolder = URL(fileURLWithPath: options.databasePath).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: databaseFolder, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.invalid("archive folder \(databaseFolder.path) cannot be created: \(error.localizedDescription)")
        }

        // 2. One writer: the lock beside the archive.
        let lock: ArchiveLock
        do {
            lock = try ArchiveLock(archivePath: options.databasePath)
        } catch {
            throw PipelineError(error.kind == .lockHeld ? .locked : .failure, error.message)
        }
        defer { lock.release() }

        let archive = try openArchive(options.databasePath)
        try archive.markInterruptedBatches()

        // 3. A new batch, or the interrupted one to resume.
        let batch = try startBatch(loaded: loaded, archive: archive)
        let plan = batch.plan

        // 4. Train what is left, archiving as we go.
        let runner = RunExecutor(plan: plan, loaded: loaded, archive: archive, batchID: batch.id,
                                 progress: progress, cancellation: cancellation,
                                 parallelRuns: options.parallelRuns)
        let counts = try runner.trainRemaining(skipping: batch.finishedRunKeys)

        if let signal = cancellation.signal {
            let status: ExitStatus = signal == SIGTERM ? .terminated : .interrupted
            try archive.finishBatch(id: batch.id, status: .partial, finishedAt: Date(), exitCode: Int(status.rawValue))
            let results = try BatchPublisher(layout: layout, templatesDirectory: templates)
                .writeResults(batchID: batch.id, archive: archive)
            progress.note("interrupted: batch \(batch.id) recorded as partial (\(results.path)); "
                          + "continue it with: expreg run \(options.manifestPath) --resume")
            return RunSummary(status: status, batchID: batch.id, reportHTML: nil,
                              trained: counts.trained, skipped: counts.skipped)
        }

        // 5. Gates, then the batch's final state, then plots and reports from the archive.
        guard let trained = try archive.snapshot(batchID: batch.id) else {
            throw PipelineError.io("batch \(batch.id) vanished from the archive")
        }
        let publisher = BatchPublisher(layout: layout, templatesDirectory: templates)
        let previous = try publisher.previousSnapshot(of: trained, archive: archive)
        let gates = Gates.evaluate(plan.gates, runs: trained.runs, previous: previous?.runs ?? [])
        try archive.recordGates(gates, batchID: batch.id)
        try archive.recordAnalysis(WidthScaling(runs: trained.runs), batchID: batch.id)
        let status: ExitStatus = gates.allSatisfy(\.passed) ? .success : .gateFailed
        try archive.finishBatch(id: batch.id, status: .completed, finishedAt: Date(), exitCode: Int(status.rawValue))
        for gate in gates where !gate.passed {
            progress.note("gate failed: \(gate.name): \(gate.detail)")
        }

        let published: PublishedBatch
        do {
            // Reread: the gates and the final status are in the archive now.
            guard let finished = try archive.snapshot(batchID: batch.id) else {
                throw PipelineError.io("batch \(batch.id) vanished from the archive")
            }
            published = try publisher.publish(finished, previous: previous, archive: archive)
        } catch {
            try? archive.finishBatch(id: batch.id, status: .completed, finishedAt: Date(),
                                     exitCode: Int(ExitStatus.failure.rawValue))
            throw PipelineError.io("training finished and is archived, but writing the report failed: \(error)\n"
                                   + "retry with: expreg report --db \(options.databasePath) --batch \(batch.id)")
        }
        return RunSummary(status: status, batchID: batch.id, reportHTML: published.reportHTML,
                          trained: counts.trained, skipped: counts.skipped)
    }

    private struct StartedBatch {
        var id: String
        var plan: Plan
        var finishedRunKeys: Set<String>
    }

    private func startBatch(loaded: LoadedManifest, archive: Archive) throws -> StartedBatch {
        if options.resume {
            guard let id = try archive.resumableBatchID(manifestName: loaded.plan.name) else {
                throw PipelineError.invalid("--resume: the archive has no partial batch of manifest '\(loaded.plan.name)'")
            }
            guard let snapshot = try archive.snapshot(batchID: id), let plan = try archive.plan(batchID: id) else {
                throw PipelineError.io("--resume: batch \(id) is incomplete in the archive")
            }
            guard snapshot.info.manifestSHA256 == loaded.sha256 else {
                throw PipelineError.invalid("--resume: the manifest changed since batch \(id) started "
                                            + "(SHA-256 \(snapshot.info.manifestSHA256.prefix(12))… vs \(loaded.sha256.prefix(12))…); run without --resume")
            }
            try archive.resumeBatch(id: id)
            let finished = try archive.finishedRunKeys(batchID: id)
            progress.note("resuming batch \(id): \(finished.count) of \(plan.runs.count) runs already archived")
            return StartedBatch(id: id, plan: plan, finishedRunKeys: finished)
        }
        let startedAt = Date()
        var id = makeBatchID(startedAt: startedAt, manifestName: loaded.plan.name)
        var suffix = 2
        while try archive.snapshot(batchID: id) != nil {
            id = makeBatchID(startedAt: startedAt, manifestName: loaded.plan.name) + "-\(suffix)"
            suffix += 1
        }
        let info = BatchInfo(
            id: id, manifestName: loaded.plan.name, title: loaded.plan.title, manifestPath: loaded.path,
            manifestText: loaded.text, manifestSHA256: loaded.sha256, toolVersion: Provenance.toolVersion,
            gitCommit: Provenance.gitCommit(), host: Provenance.host, startedAt: startedAt,
            overrides: loaded.plan.overrides, plannedRuns: loaded.plan.runs.count)
        try archive.beginBatch(info, plan: loaded.plan)
        progress.note("batch \(id): \(loaded.plan.runs.count) runs")
        return StartedBatch(id: id, plan: loaded.plan, finishedRunKeys: [])
    }
}

/// Opens the archive, mapping its errors to exit statuses.
func openArchive(_ path: String) throws -> Archive {
    do {
        return try Archive(path: path)
    } catch {
        throw PipelineError.io("cannot open archive \(path): \(error)")
    }
}
