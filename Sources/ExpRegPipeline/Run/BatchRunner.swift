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
        // A shard writes no report: it needs neither the output folder nor the templates.
        var templates = URL(fileURLWithPath: "/")
        if options.shard == nil {
            try layout.checkWritable()
            guard let located = options.templatesDirectory ?? TemplateLocator.locate() else {
                throw PipelineError.invalid("report templates not found: set EXPREG_TEMPLATES to the checkout's templates/ folder")
            }
            templates = located
        }
        let shardBatchID = try resolveShardBatchID(loaded: loaded)
        let databasePath = shardBatchID.map { options.shardDatabasePath
            ?? options.shard!.defaultArchivePath(mainArchive: options.databasePath, batchID: $0) } ?? options.databasePath
        let databaseFolder = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: databaseFolder, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.invalid("archive folder \(databaseFolder.path) cannot be created: \(error.localizedDescription)")
        }

        // 2. One writer: the lock beside the archive.
        let lock: ArchiveLock
        do {
            lock = try ArchiveLock(archivePath: databasePath)
        } catch {
            throw PipelineError(error.kind == .lockHeld ? .locked : .failure, error.message)
        }
        defer { lock.release() }

        let archive = try openArchive(databasePath)
        try archive.markInterruptedBatches()

        // 3. A new batch, or the interrupted one to resume.
        let batch = try shardBatchID.map { try startShardBatch(id: $0, loaded: loaded, archive: archive) }
            ?? startBatch(loaded: loaded, archive: archive)
        let plan = batch.plan
        var assigned = plan
        if let shard = options.shard {
            assigned.runs = plan.runs.filter { shard.owns(planIndex: $0.index) }
        }

        // 4. Train what is left, archiving as we go.
        let runner = RunExecutor(plan: assigned, loaded: loaded, archive: archive, batchID: batch.id,
                                 progress: progress, cancellation: cancellation,
                                 parallelRuns: options.parallelRuns)
        let counts = try runner.trainRemaining(skipping: batch.finishedRunKeys)

        if let signal = cancellation.signal {
            let status: ExitStatus = signal == SIGTERM ? .terminated : .interrupted
            if let shard = options.shard {
                try archive.finishBatch(id: batch.id, status: .partial, finishedAt: Date(), exitCode: Int(status.rawValue))
                progress.note("interrupted: shard \(shard) of batch \(batch.id) recorded as partial in \(databasePath); "
                              + "continue it with --resume")
                return RunSummary(status: status, batchID: batch.id, reportHTML: nil,
                                  trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
            }
            try archive.finishBatch(id: batch.id, status: .partial, finishedAt: Date(), exitCode: Int(status.rawValue))
            let results = try BatchPublisher(layout: layout, templatesDirectory: templates)
                .writeResults(batchID: batch.id, archive: archive)
            progress.note("interrupted: batch \(batch.id) recorded as partial (\(results.path)); "
                          + "continue it with: expreg run \(options.manifestPath) --resume")
            return RunSummary(status: status, batchID: batch.id, reportHTML: nil,
                              trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
        }

        // A shard ends here: `expreg merge` evaluates the gates and publishes the whole batch.
        if let shard = options.shard {
            try archive.finishBatch(id: batch.id, status: .completed, finishedAt: Date(), exitCode: 0)
            progress.note("shard \(shard) of batch \(batch.id): \(assigned.runs.count) of \(plan.runs.count) runs in \(databasePath)")
            return RunSummary(status: .success, batchID: batch.id, reportHTML: nil,
                              trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
        }

        // 5. Gates, then the batch's final state, then plots and reports from the archive.
        let (status, report) = try BatchCompletion(layout: layout, templatesDirectory: templates, progress: progress)
            .finish(batchID: batch.id, plan: plan, archive: archive, databasePath: databasePath)
        return RunSummary(status: status, batchID: batch.id, reportHTML: report,
                          trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
    }

    private struct StartedBatch {
        var id: String
        var plan: Plan
        var finishedRunKeys: Set<String>
    }

    /// With `--shard`: the batch id all shards share, checked; nil without `--shard`.
    private func resolveShardBatchID(loaded: LoadedManifest) throws -> String? {
        guard let shard = options.shard else {
            if options.batchID != nil { throw PipelineError.invalid("--batch-id needs --shard I/N") }
            return nil
        }
        guard let id = ShardSpec.batchID(explicit: options.batchID, manifestName: loaded.plan.name,
                                         environment: options.environment) else {
            throw PipelineError.invalid("--shard \(shard): every shard of a batch must name the same batch: pass --batch-id ID "
                                        + "(or set EXPREG_BATCH_ID; in a Slurm job array it defaults to slurm-<SLURM_ARRAY_JOB_ID>-<name>)")
        }
        try ShardSpec.validateBatchID(id)
        return id
    }

    /// A shard's batch: new (id given, recorded as shard I of N), or with `--resume` the same
    /// shard's batch continued (a requeued task does not retrain what it archived).
    private func startShardBatch(id: String, loaded: LoadedManifest, archive: Archive) throws -> StartedBatch {
        let shard = options.shard!
        if let identity = try archive.identity(batchID: id) {
            guard options.resume else {
                throw PipelineError.invalid("the shard archive \(archive.path) already has batch \(id); "
                                            + "continue it with --resume, or pass another --db")
            }
            guard identity.manifestSHA256 == loaded.sha256 else {
                throw PipelineError.invalid("--resume: the manifest changed since shard \(shard) of batch \(id) started "
                                            + "(SHA-256 \(identity.manifestSHA256.prefix(12))… vs \(loaded.sha256.prefix(12))…)")
            }
            guard identity.shardIndex == shard.index, identity.shardCount == shard.count else {
                let recorded = "\(identity.shardIndex.map(String.init) ?? "-")/\(identity.shardCount.map(String.init) ?? "-")"
                throw PipelineError.invalid("--resume: \(archive.path) holds shard \(recorded) of batch \(id), not \(shard)")
            }
            guard let plan = try archive.plan(batchID: id) else {
                throw PipelineError.io("--resume: batch \(id) is incomplete in the archive")
            }
            try archive.resumeBatch(id: id)
            let finished = try archive.finishedRunKeys(batchID: id)
            progress.note("resuming shard \(shard) of batch \(id): \(finished.count) runs already archived")
            return StartedBatch(id: id, plan: plan, finishedRunKeys: finished)
        }
        try archive.beginShardBatch(batchInfo(id: id, loaded: loaded, startedAt: Date()), plan: loaded.plan,
                                    index: shard.index, count: shard.count)
        let mine = loaded.plan.runs.filter { shard.owns(planIndex: $0.index) }.count
        progress.note("batch \(id), shard \(shard): \(mine) of \(loaded.plan.runs.count) runs")
        return StartedBatch(id: id, plan: loaded.plan, finishedRunKeys: [])
    }

    private func batchInfo(id: String, loaded: LoadedManifest, startedAt: Date) -> BatchInfo {
        BatchInfo(
            id: id, manifestName: loaded.plan.name, title: loaded.plan.title, manifestPath: loaded.path,
            manifestText: loaded.text, manifestSHA256: loaded.sha256, toolVersion: Provenance.toolVersion,
            gitCommit: Provenance.gitCommit(), host: Provenance.host, startedAt: startedAt,
            overrides: loaded.plan.overrides, plannedRuns: loaded.plan.runs.count)
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
        let info = batchInfo(id: id, loaded: loaded, startedAt: startedAt)
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
