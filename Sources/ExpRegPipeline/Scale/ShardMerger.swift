import ExpRegCore
import ExpRegStore
import Foundation

/// Options of `expreg merge`.
public struct MergeOptions: Sendable {
    /// The shard archives written by `expreg run --shard I/N` (any order, any subset).
    public var shardPaths: [String]
    /// The main archive the batch is merged into.
    public var databasePath: String
    public var outputRoot: String
    /// Report templates; nil = ``TemplateLocator/locate(environment:executablePath:)``.
    public var templatesDirectory: URL?

    public init(
        shardPaths: [String], databasePath: String = RunOptions.defaultDatabasePath,
        outputRoot: String = RunOptions.defaultOutputRoot,
        templatesDirectory: URL? = nil
    ) {
        self.shardPaths = shardPaths
        self.databasePath = databasePath
        self.outputRoot = outputRoot
        self.templatesDirectory = templatesDirectory
    }
}

/// What `expreg merge` did.
public struct MergeSummary: Sendable {
    /// 0 / 3 when the batch is complete (gates), 5 when runs are missing.
    public var status: ExitStatus
    public var batchID: String
    /// Rows added per shard archive, in the order given.
    public var rowsAdded: [Int]
    /// Planned runs in no shard yet, in plan order.
    public var missingRuns: [RunSpec]
    /// The shard indices (I of I/N) those runs belong to, ascending.
    public var missingShards: [Int]
    /// The published report.html (for a partial batch: listing the missing runs).
    public var report: URL?
}

/// `expreg merge`: shard archives of one batch → the main archive, then publish as `expreg run` does.
///
/// Every input must be a shard (`--shard I/N`) of the same batch id, manifest SHA-256, plan and N;
/// otherwise nothing is merged and it exits 2 naming the odd file. The union is by `run_key`
/// (``Archive/mergeShards(_:batchID:shardCount:startedAt:)``), idempotent. When every planned run is
/// archived the batch is completed exactly like a single-machine run (``BatchCompletion``); else it
/// is recorded `partial`, its report (without moving `latest`) lists the missing runs, exit 5.
public final class ShardMerger {
    public let options: MergeOptions
    let progress: ProgressReporter

    public init(options: MergeOptions, progress: ProgressReporter) {
        self.options = options
        self.progress = progress
    }

    public func execute() throws -> MergeSummary {
        guard !options.shardPaths.isEmpty else { throw PipelineError.invalid("expreg merge: no shard archives given") }
        let layout = OutputLayout(root: URL(fileURLWithPath: options.outputRoot))
        try layout.checkWritable()
        let templates = try options.templatesDirectory ?? TemplateLocator.required()
        try ArchivePathCheck.validate(options.databasePath)
        let shards = try validatedShards()
        let first = shards[0].batch

        // The one writer's session, as in `expreg run`: a foreign file and an output root holding
        // another archive's batches are refused before anything is created, then lock, claim, open.
        let session = try ArchiveAccess.session(options.databasePath, access: .write, output: .claim(layout))
        defer { session.close() }
        let archive = session.archive
        try archive.markInterruptedBatches()
        if let existing = try archive.identity(batchID: first.batchID) {
            guard existing.manifestSHA256 == first.manifestSHA256, existing.planJSON == first.planJSON,
                existing.shardCount == first.count, existing.shardIndex == nil
            else {
                throw PipelineError.invalid(
                    "\(options.databasePath) already has a batch \(first.batchID) that is not the merge of "
                        + "these shards (other manifest, plan or shard count); merge into another --db")
            }
        }

        let added: [Int]
        do {
            added = try archive.mergeShards(
                shards.map(\.path), batchID: first.batchID, shardCount: first.count,
                startedAt: shards.map(\.batch.startedAt).min()!)
        } catch {
            throw PipelineError(error.kind == .conflictingShards ? .invalidInput : .failure, error.message)
        }
        for (shard, rows) in zip(shards, added) {
            progress.note("merged \(shard.path) (shard \(shard.batch.index)/\(shard.batch.count)): \(rows) new rows")
        }

        guard let plan = try archive.plan(batchID: first.batchID) else {
            throw PipelineError.io("batch \(first.batchID) vanished from the archive")
        }
        let archived = try archive.finishedRunKeys(batchID: first.batchID)
        let missing = plan.runs.filter { !archived.contains($0.runKey) }
        let missingShards = Array(
            Set(missing.map { ShardSpec.index(ofPlanIndex: $0.index, count: first.count) })
        ).sorted()
        if missing.isEmpty {
            let status: ExitStatus
            let published: PublishedBatch
            do {
                (status, published) = try BatchCompletion(
                    layout: layout, templatesDirectory: templates, progress: progress
                )
                .finish(
                    batchID: first.batchID, plan: plan, archive: archive,
                    retryCommand: RunOptions.reportCommand(
                        batchID: first.batchID, databasePath: options.databasePath, outputRoot: options.outputRoot))
            } catch {
                announce(first.batchID, conclusion: nil, archive: archive, layout: layout)
                throw error
            }
            announce(first.batchID, conclusion: published.conclusion, archive: archive, layout: layout)
            return MergeSummary(
                status: status, batchID: first.batchID, rowsAdded: added, missingRuns: [],
                missingShards: [], report: published.reportHTML)
        }
        try archive.finishBatch(
            id: first.batchID, status: .partial, finishedAt: Date(),
            exitCode: Int(ExitStatus.incomplete.rawValue))
        // The report of what is merged so far, listing the missing runs; `latest` stays where it is.
        let publisher = BatchPublisher(layout: layout, templatesDirectory: templates)
        guard let snapshot = try archive.snapshot(batchID: first.batchID) else {
            throw PipelineError.io("batch \(first.batchID) vanished from the archive")
        }
        let published = try publisher.publish(
            snapshot, previous: try publisher.previousSnapshot(of: snapshot, archive: archive),
            archive: archive, missingRuns: missing, shardCount: first.count,
            pointLatest: false)
        announce(first.batchID, conclusion: published.conclusion, archive: archive, layout: layout)
        return MergeSummary(
            status: .incomplete, batchID: first.batchID, rowsAdded: added, missingRuns: missing,
            missingShards: missingShards, report: published.reportHTML)
    }

    /// Posts the merged batch's outcome to the webhooks of its archived manifest (never throws,
    /// never changes the exit code).
    private func announce(_ batchID: String, conclusion: String?, archive: Archive, layout: OutputLayout) {
        _ = BatchNotifier.notifyArchivedBatch(
            batchID, event: .merge, conclusion: conclusion, archive: archive, layout: layout,
            log: { progress.alert($0) })
    }

    private struct Shard {
        var path: String
        var batch: ShardBatch
    }

    /// Opens every input and checks it is a shard of the same batch as the first; exit 2 otherwise.
    private func validatedShards() throws -> [Shard] {
        let main = URL(fileURLWithPath: options.databasePath).standardizedFileURL.resolvingSymlinksInPath().path
        var shards: [Shard] = []
        for path in options.shardPaths {
            guard FileManager.default.fileExists(atPath: path) else {
                throw PipelineError.invalid("\(path): no such shard archive")
            }
            guard URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path != main else {
                throw PipelineError.invalid("\(path) is the main archive (--db), not a shard archive")
            }
            // Read only: a shard archive given to a merge is never changed.
            let shard = try ArchiveAccess.session(path, access: .read)
            defer { shard.close() }
            let archive = shard.archive
            let batches = try archive.shardBatches()
            guard batches.count == 1, let batch = batches.first else {
                throw PipelineError.invalid(
                    batches.isEmpty
                        ? "\(path) is not a shard archive (no batch written by `expreg run --shard I/N`)"
                        : "\(path) holds \(batches.count) shard batches (\(batches.map(\.batchID).joined(separator: ", "))); "
                            + "give each shard its own archive")
            }
            if let reference = shards.first {
                let a = reference.batch
                let mismatch: String? =
                    batch.batchID != a.batchID
                    ? "batch id \(batch.batchID), not \(a.batchID)"
                    : batch.manifestSHA256 != a.manifestSHA256
                        ? "manifest SHA-256 \(batch.manifestSHA256.prefix(12))…, not \(a.manifestSHA256.prefix(12))…"
                        : batch.count != a.count
                            ? "shard count \(batch.count), not \(a.count)"
                            : batch.planJSON != a.planJSON ? "a different plan" : nil
                if let mismatch {
                    throw PipelineError.invalid(
                        "\(path) is not a shard of the same batch as \(reference.path): it has \(mismatch)")
                }
            }
            shards.append(Shard(path: path, batch: batch))
        }
        return shards
    }
}
