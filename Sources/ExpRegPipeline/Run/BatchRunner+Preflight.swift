import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

extension BatchRunner {
    /// What preflight established: the manifest, where the archive and the output go, the templates.
    struct Preflight {
        var loaded: LoadedManifest
        var layout: OutputLayout
        /// The templates folder (unused by a shard, which writes no report).
        var templates: URL
        /// The archive this process writes: the main archive, or with `--shard` the shard archive.
        var databasePath: String
        /// With `--shard`: the batch id all shards share.
        var shardBatchID: String?
    }

    /// Checks everything that can be checked before the archive is touched; a problem exits 2 with
    /// nothing created (the archive's folder is created last, once everything else passed).
    func preflight() throws -> Preflight {
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
        return Preflight(
            loaded: loaded, layout: layout, templates: templates, databasePath: databasePath,
            shardBatchID: shardBatchID)
    }

    /// With `--shard`: the batch id all shards share, checked; nil without `--shard`.
    func resolveShardBatchID(loaded: LoadedManifest) throws -> String? {
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
}
