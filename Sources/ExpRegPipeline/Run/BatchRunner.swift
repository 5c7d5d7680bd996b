import ExpRegCore
import ExpRegLinAlg
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
        for (position, webhook) in loaded.notify.enumerated() {
            if case .environment(let name) = webhook.target, (options.environment[name] ?? "").isEmpty {
                progress.alert(
                    "notify[\(position)]: environment variable \(name) is not set (\(webhook.location)); "
                        + "this batch's outcome will not reach that webhook")
            }
        }
        // Every run this process trains must fit the memory limit (estimate and limit in the
        // message), before the archive is touched.
        let ownRuns = options.shard?.runs(of: loaded.plan) ?? loaded.plan.runs
        try MemoryLimit.current(environment: options.environment).check(
            ownRuns, concurrentRuns: options.parallelRuns ?? 1,
            activationBudgetBytes: options.activationBudgetBytes)
        let layout = OutputLayout(root: URL(fileURLWithPath: options.outputRoot))
        // A shard writes no report: it needs neither the output folder nor the templates.
        var templates = URL(fileURLWithPath: "/")
        if options.shard == nil {
            try layout.checkWritable()
            templates = try options.templatesDirectory ?? TemplateLocator.required()
        }
        try ArchivePathCheck.validate(options.databasePath)
        let shardBatchID = try resolveShardBatchID(loaded: loaded)
        let databasePath =
            shardBatchID.map {
                options.shardDatabasePath
                    ?? options.shard!.defaultArchivePath(mainArchive: options.databasePath, batchID: $0)
            } ?? options.databasePath
        if databasePath != options.databasePath { try ArchivePathCheck.validate(databasePath) }
        let databaseFolder = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: databaseFolder, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.invalid(
                "archive folder \(databaseFolder.path) cannot be created: \(error.localizedDescription)")
        }

        // The one writer's session: a file that is not ours is refused before the lock creates
        // anything beside it, an output root holding another archive's batches before anything is
        // written there (a shard writes nothing there: `expreg merge` publishes into the main
        // archive's output), then lock, claim, open; closed before the lock is released.
        let session = try ArchiveAccess.session(
            databasePath, access: .write, output: options.shard == nil ? .claim(layout) : nil)
        defer { session.close() }
        let archive = session.archive
        try archive.markInterruptedBatches()
        let republished = finishInterruptedPublishing(archive: archive, layout: layout, templates: templates)

        // 3. A new batch, or the interrupted one to resume (a resume whose batch only lacked its
        // reports is done once they are written).
        if options.shard == nil, options.resume, try archive.resumableBatchID(manifestName: loaded.plan.name) == nil,
            let done = republished.last(where: { $0.manifestName == loaded.plan.name })
        {
            progress.note("nothing left to train: batch \(done.batchID) is completed and now published")
            return RunSummary(
                status: done.status, batchID: done.batchID, reportHTML: done.reportHTML, trained: 0, skipped: 0,
                archivePath: databasePath)
        }
        let batch =
            try shardBatchID.map { try startShardBatch(id: $0, loaded: loaded, archive: archive) }
            ?? startBatch(loaded: loaded, archive: archive, layout: layout)
        let plan = batch.plan
        var assigned = plan
        if let shard = options.shard {
            assigned.runs = shard.runs(of: plan)
        }

        // 4. Train what is left, archiving as we go.
        let runner = RunExecutor(
            plan: assigned, loaded: loaded, archive: archive, batchID: batch.id,
            progress: progress, cancellation: cancellation,
            parallelRuns: options.parallelRuns, kernels: options.kernels)
        runner.activationBudgetBytes = options.activationBudgetBytes
        let counts: RunExecutor.Counts
        do {
            counts = try runner.trainRemaining(skipping: batch.finishedRunKeys)
        } catch {
            // The batch is recorded and stays `running` (`partial` at the next run): say how to go on.
            let status = (error as? PipelineError)?.status ?? .failure
            throw PipelineError(
                status,
                "\((error as? PipelineError)?.message ?? "\(error)")\n"
                    + "batch \(batch.id) keeps its archived runs; continue it with: \(options.resumeCommand)")
        }

        if let signal = cancellation.signal {
            let status: ExitStatus = signal == SIGTERM ? .terminated : .interrupted
            if let shard = options.shard {
                try archive.finishBatch(
                    id: batch.id, status: .partial, finishedAt: Date(), exitCode: Int(status.rawValue))
                progress.note(
                    "interrupted: shard \(shard) of batch \(batch.id) recorded as partial in \(databasePath); "
                        + "continue it with --resume")
                return RunSummary(
                    status: status, batchID: batch.id, reportHTML: nil,
                    trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
            }
            try archive.finishBatch(id: batch.id, status: .partial, finishedAt: Date(), exitCode: Int(status.rawValue))
            let results = try BatchPublisher(layout: layout, templatesDirectory: templates)
                .writeResults(batchID: batch.id, archive: archive)
            progress.note(
                "interrupted: batch \(batch.id) recorded as partial (\(results.path)); "
                    + "continue it with: \(options.resumeCommand)")
            do {
                try ArchiveFrontPage.write(archive: archive, layout: layout, templatesDirectory: templates)
            } catch {
                progress.note("the archive's front page was not rewritten: \(error)")
            }
            announce(batch.id, exitCode: status, loaded: loaded, archive: archive, layout: layout)
            return RunSummary(
                status: status, batchID: batch.id, reportHTML: nil,
                trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
        }

        // A shard ends here: `expreg merge` evaluates the gates and publishes the whole batch.
        if let shard = options.shard {
            try archive.finishBatch(id: batch.id, status: .completed, finishedAt: Date(), exitCode: 0)
            progress.note(
                "shard \(shard) of batch \(batch.id): \(assigned.runs.count) of \(plan.runs.count) runs in \(databasePath)"
            )
            return RunSummary(
                status: .success, batchID: batch.id, reportHTML: nil,
                trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
        }

        // 5. Gates, then the batch's final state, then plots and reports from the archive.
        let status: ExitStatus
        let report: URL
        do {
            (status, report) = try BatchCompletion(layout: layout, templatesDirectory: templates, progress: progress)
                .finish(
                    batchID: batch.id, plan: plan, archive: archive,
                    retryCommand: options.reportCommand(batchID: batch.id))
        } catch {
            announce(batch.id, exitCode: .failure, loaded: loaded, archive: archive, layout: layout)
            throw error
        }
        if let signal = cancellation.signal {
            // Publishing is not cut in half: the batch was published completely, then we stop.
            progress.note(
                "received \(signal == SIGTERM ? "SIGTERM" : "SIGINT") while writing the reports; they were "
                    + "finished and batch \(batch.id) is completed and published (a second signal stops at once; "
                    + "the next `expreg run` then finishes the reports)")
            announce(batch.id, exitCode: status, loaded: loaded, archive: archive, layout: layout)
            return RunSummary(
                status: signal == SIGTERM ? .terminated : .interrupted, batchID: batch.id,
                reportHTML: report, trained: counts.trained, skipped: counts.skipped,
                archivePath: databasePath)
        }
        announce(batch.id, exitCode: status, loaded: loaded, archive: archive, layout: layout)
        return RunSummary(
            status: status, batchID: batch.id, reportHTML: report,
            trained: counts.trained, skipped: counts.skipped, archivePath: databasePath)
    }

    /// A completed batch whose reports this run finished writing.
    struct Republished {
        var batchID: String
        var manifestName: String
        var status: ExitStatus
        var reportHTML: URL
    }

    /// Publishes every `completed` batch whose publishing was cut short (kill -9, a second signal,
    /// an I/O error: `published_at` NULL), oldest first. A failure is reported and left for the
    /// next run; it does not stop this one.
    private func finishInterruptedPublishing(archive: Archive, layout: OutputLayout, templates: URL) -> [Republished] {
        var done: [Republished] = []
        let publisher = BatchPublisher(layout: layout, templatesDirectory: templates)
        for id in (try? archive.unpublishedBatchIDs()) ?? [] {
            do {
                guard let snapshot = try archive.snapshot(batchID: id) else { continue }
                progress.note("batch \(id) is completed but its reports were not all written; writing them now")
                let published = try publisher.publish(
                    snapshot, previous: try publisher.previousSnapshot(of: snapshot, archive: archive),
                    archive: archive)
                let code: ExitStatus = snapshot.gates.allSatisfy(\.passed) ? .success : .gateFailed
                if snapshot.info.exitCode != Int(code.rawValue) {
                    try archive.finishBatch(
                        id: id, status: .completed, finishedAt: snapshot.info.finishedAt ?? Date(),
                        exitCode: Int(code.rawValue))
                }
                done.append(
                    Republished(
                        batchID: id, manifestName: snapshot.info.manifestName, status: code,
                        reportHTML: published.reportHTML))
            } catch {
                progress.note("could not finish the reports of batch \(id) (\(error)); the next run retries")
            }
        }
        return done
    }

    /// Posts the batch's outcome to the manifest's webhooks (never throws, never changes the exit
    /// code); failures are printed even with `--quiet`.
    private func announce(
        _ batchID: String, exitCode: ExitStatus, loaded: LoadedManifest, archive: Archive,
        layout: OutputLayout
    ) {
        guard !loaded.notify.isEmpty else { return }
        BatchNotifier.notify(
            batchID: batchID, event: .run, exitCode: exitCode.rawValue, webhooks: loaded.notify,
            archive: archive, layout: layout, environment: options.environment, log: { progress.alert($0) })
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
        guard
            let id = ShardSpec.batchID(
                explicit: options.batchID, manifestName: loaded.plan.name,
                environment: options.environment)
        else {
            throw PipelineError.invalid(
                "--shard \(shard): every shard of a batch must name the same batch: pass --batch-id ID "
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
                throw PipelineError.invalid(
                    "the shard archive \(archive.path) already has batch \(id); "
                        + "continue it with --resume, or pass another --db")
            }
            guard identity.manifestSHA256 == loaded.sha256 else {
                throw PipelineError.invalid(
                    "--resume: the manifest changed since shard \(shard) of batch \(id) started "
                        + "(SHA-256 \(identity.manifestSHA256.prefix(12))… vs \(loaded.sha256.prefix(12))…)")
            }
            guard identity.shardIndex == shard.index, identity.shardCount == shard.count else {
                let recorded =
                    "\(identity.shardIndex.map(String.init) ?? "-")/\(identity.shardCount.map(String.init) ?? "-")"
                throw PipelineError.invalid(
                    "--resume: \(archive.path) holds shard \(recorded) of batch \(id), not \(shard)")
            }
            guard let plan = try archive.plan(batchID: id) else {
                throw PipelineError.io("--resume: batch \(id) is incomplete in the archive")
            }
            try archive.resumeBatch(id: id)
            let finished = try archive.finishedRunKeys(batchID: id)
            progress.note("resuming shard \(shard) of batch \(id): \(finished.count) runs already archived")
            return StartedBatch(id: id, plan: plan, finishedRunKeys: finished)
        }
        try archive.beginShardBatch(
            batchInfo(id: id, loaded: loaded, startedAt: Date()), plan: loaded.plan,
            index: shard.index, count: shard.count, rules: options.judgementRules)
        let mine = shard.runs(of: loaded.plan).count
        progress.note("batch \(id), shard \(shard): \(mine) of \(loaded.plan.runs.count) runs")
        return StartedBatch(id: id, plan: loaded.plan, finishedRunKeys: [])
    }

    private func batchInfo(id: String, loaded: LoadedManifest, startedAt: Date) -> BatchInfo {
        BatchInfo(
            id: id, manifestName: loaded.plan.name, title: loaded.plan.title, manifestPath: loaded.path,
            manifestText: loaded.text, manifestSHA256: loaded.sha256, toolVersion: Provenance.toolVersion,
            gitCommit: Provenance.gitCommit(), host: Provenance.host, startedAt: startedAt,
            overrides: loaded.plan.overrides, plannedRuns: loaded.plan.runs.count,
            kernelPath: options.kernels.rawValue, cpuModel: Provenance.cpuModel, blasCore: Provenance.blasCore)
    }

    private func startBatch(loaded: LoadedManifest, archive: Archive, layout: OutputLayout) throws -> StartedBatch {
        if options.resume {
            guard let id = try archive.resumableBatchID(manifestName: loaded.plan.name) else {
                throw PipelineError.invalid(
                    "--resume: archive \(options.databasePath) has no partial batch of manifest "
                        + "'\(loaded.plan.name)' to continue; run without --resume to start a new batch")
            }
            guard let snapshot = try archive.snapshot(batchID: id), let plan = try archive.plan(batchID: id) else {
                throw PipelineError.io("--resume: batch \(id) is incomplete in the archive")
            }
            if let recorded = snapshot.info.kernelPath, recorded != options.kernels.rawValue {
                throw PipelineError.invalid(
                    "--resume: batch \(id) ran on kernel path \(recorded), this run would use "
                        + "\(options.kernels.rawValue); set EXPREG_KERNELS=\(recorded) to continue it")
            }
            guard snapshot.info.manifestSHA256 == loaded.sha256 else {
                throw PipelineError.invalid(
                    "--resume: the manifest changed since batch \(id) started "
                        + "(SHA-256 \(snapshot.info.manifestSHA256.prefix(12))… vs \(loaded.sha256.prefix(12))…); run without --resume"
                )
            }
            try layout.prepareBatchFolder(id)
            try Self.checkSameInputs(
                batchID: id, archived: plan, archivedOverrides: snapshot.info.overrides,
                loaded: loaded, options: options)
            try archive.resumeBatch(id: id)
            let finished = try archive.finishedRunKeys(batchID: id)
            progress.note("resuming batch \(id): \(finished.count) of \(plan.runs.count) runs already archived")
            return StartedBatch(id: id, plan: plan, finishedRunKeys: finished)
        }
        let startedAt = Date()
        var id = makeBatchID(startedAt: startedAt, manifestName: loaded.plan.name)
        var suffix = 2
        // An id taken in the archive, or whose folder path holds anything, is skipped: the batch
        // folder is created (empty) here, before training, and is ours alone.
        while try archive.batchExists(id) || layout.isOccupied(id) {
            id = makeBatchID(startedAt: startedAt, manifestName: loaded.plan.name) + "-\(suffix)"
            suffix += 1
        }
        let info = batchInfo(id: id, loaded: loaded, startedAt: startedAt)
        try layout.prepareBatchFolder(id)
        try archive.beginBatch(info, plan: loaded.plan, rules: options.judgementRules)
        progress.note("batch \(id): \(loaded.plan.runs.count) runs")
        return StartedBatch(id: id, plan: loaded.plan, finishedRunKeys: [])
    }
}

extension BatchRunner {
    /// Refuses `--resume` (exit 2, naming what changed) unless the `--set` overrides and every run's
    /// inputs are those of the batch: the run keys hash each resolved configuration with the csv
    /// data file's SHA-256, so a changed data file (or a changed default) changes them.
    static func checkSameInputs(
        batchID: String, archived: Plan, archivedOverrides: [String],
        loaded: LoadedManifest, options: RunOptions
    ) throws {
        let given = loaded.plan.overrides
        if given.sorted() != archivedOverrides.sorted() {
            let before =
                archivedOverrides.isEmpty ? "none" : archivedOverrides.map { "--set \($0)" }.joined(separator: " ")
            let now = given.isEmpty ? "none" : given.map { "--set \($0)" }.joined(separator: " ")
            throw PipelineError.invalid(
                "--resume: the --set overrides differ from batch \(batchID)'s (batch: \(before); now: \(now)); "
                    + "resume with the batch's overrides, or run without --resume to start a new batch")
        }
        let archivedKeys = archived.runs.map(\.runKey)
        let loadedKeys = loaded.plan.runs.map(\.runKey)
        guard archivedKeys != loadedKeys else { return }
        let changed =
            zip(archivedKeys, loadedKeys).filter { $0 != $1 }.count + abs(archivedKeys.count - loadedKeys.count)
        let dataFiles = loaded.csvDatasets.keys.sorted()
        let cause =
            dataFiles.isEmpty
            ? "the resolved configuration of the runs changed (another ExpReg version?)"
            : "the content of the data file\(dataFiles.count == 1 ? "" : "s") \(dataFiles.joined(separator: ", ")) "
                + "changed (a run's key includes its csv file's SHA-256)"
        throw PipelineError.invalid(
            "--resume: the runs' inputs differ from batch \(batchID)'s: \(cause); \(changed) of \(archivedKeys.count) run keys "
                + "differ, so resuming would mix two datasets in one batch; restore the batch's inputs, or run "
                + "without --resume to start a new batch")
    }
}
