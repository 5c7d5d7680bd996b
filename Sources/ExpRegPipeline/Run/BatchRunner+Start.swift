import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

extension BatchRunner {
    /// The batch this process trains: its id, its plan, and the runs already archived.
    struct StartedBatch {
        var id: String
        var plan: Plan
        var finishedRunKeys: Set<String>
    }

    /// What the start step found to do.
    enum Start {
        /// Train (the rest of) this batch.
        case batch(StartedBatch)
        /// `--resume` of a batch that only lacked its reports: they are written, nothing to train.
        case alreadyDone(RunSummary)
    }

    /// Under the session's lock: batches left `running` by a dead process become `partial`, cut-short
    /// publications are finished, then a new batch begins or the interrupted one is continued.
    func startOrResume(_ checked: Preflight, archive: Archive) throws -> Start {
        try archive.markInterruptedBatches()
        let republished = finishInterruptedPublishing(
            archive: archive, layout: checked.layout, templates: checked.templates)
        // A resume whose batch only lacked its reports is done once they are written.
        let name = checked.loaded.plan.name
        if options.shard == nil, options.resume, try archive.resumableBatchID(manifestName: name) == nil,
            let done = republished.last(where: { $0.manifestName == name })
        {
            progress.note("nothing left to train: batch \(done.batchID) is completed and now published")
            return .alreadyDone(
                RunSummary(
                    status: done.status, batchID: done.batchID, reportHTML: done.reportHTML, trained: 0, skipped: 0,
                    archivePath: checked.databasePath))
        }
        let batch =
            try checked.shardBatchID.map { try startShardBatch(id: $0, loaded: checked.loaded, archive: archive) }
            ?? startBatch(loaded: checked.loaded, archive: archive, layout: checked.layout)
        return .batch(batch)
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
    func finishInterruptedPublishing(archive: Archive, layout: OutputLayout, templates: URL) -> [Republished] {
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

    /// A shard's batch: new (id given, recorded as shard I of N), or with `--resume` the same
    /// shard's batch continued (a requeued task does not retrain what it archived).
    func startShardBatch(id: String, loaded: LoadedManifest, archive: Archive) throws -> StartedBatch {
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

    func batchInfo(id: String, loaded: LoadedManifest, startedAt: Date) -> BatchInfo {
        BatchInfo(
            id: id, manifestName: loaded.plan.name, title: loaded.plan.title, manifestPath: loaded.path,
            manifestText: loaded.text, manifestSHA256: loaded.sha256, toolVersion: Provenance.toolVersion,
            gitCommit: Provenance.gitCommit(), host: Provenance.host, startedAt: startedAt,
            overrides: loaded.plan.overrides, plannedRuns: loaded.plan.runs.count,
            kernelPath: options.kernels.rawValue, cpuModel: Provenance.cpuModel, blasCore: Provenance.blasCore)
    }

    func startBatch(loaded: LoadedManifest, archive: Archive, layout: OutputLayout) throws -> StartedBatch {
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
