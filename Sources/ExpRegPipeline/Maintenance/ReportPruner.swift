import ExpRegCore
import ExpRegStore
import Foundation

/// Which batches `expreg prune` selects.
public enum PruneRule: Sendable, Equatable {
    /// All but the newest `count` batches (newest = greatest start time, then id).
    case keepNewest(Int)
    /// Batches that started more than `days` × 86 400 s before now.
    case olderThan(days: Int)
}

/// Options of `expreg prune`.
public struct PruneOptions: Sendable {
    public var archivePath: String
    public var outputRoot: String
    public var rule: PruneRule
    /// Say what would be removed; remove nothing.
    public var dryRun: Bool
    /// Also delete the selected batches' rows from the archive (then `VACUUM`).
    public var deleteFromArchive: Bool
    /// "Now" for ``PruneRule/olderThan(days:)``.
    public var now: Date

    public init(
        archivePath: String, outputRoot: String, rule: PruneRule, dryRun: Bool = false,
        deleteFromArchive: Bool = false, now: Date = Date()
    ) {
        self.archivePath = archivePath
        self.outputRoot = outputRoot
        self.rule = rule
        self.dryRun = dryRun
        self.deleteFromArchive = deleteFromArchive
        self.now = now
    }
}

/// What `expreg prune` removed (or, with `--dry-run`, would remove).
public struct PruneSummary: Sendable {
    /// A batch folder removed, with the bytes of its files.
    public struct RemovedFolder: Sendable, Equatable {
        public var batchID: String
        public var path: String
        public var bytes: Int
    }

    public var removedFolders: [RemovedFolder]
    /// Batches selected by the rule but kept because they are the latest or still running.
    public var protectedBatchIDs: [String]
    /// Batches whose rows were deleted from the archive (`--archive` only).
    public var deletedBatchIDs: [String]
    /// Archive file size (with its WAL) before and after `VACUUM` (`--archive` only).
    public var archiveBytesBefore: Int?
    public var archiveBytesAfter: Int?
    public var dryRun: Bool
    /// The archive's front page, rewritten after a prune that changed something (pruned batches
    /// are listed there as rebuildable); nil when nothing changed or no templates were found.
    public var frontPage: URL? = nil

    /// Bytes of the removed folders plus what `VACUUM` gave back.
    public var bytesFreed: Int {
        removedFolders.reduce(0) { $0 + $1.bytes }
            + max(0, (archiveBytesBefore ?? 0) - (archiveBytesAfter ?? archiveBytesBefore ?? 0))
    }
}

/// `expreg prune`: retention of batch folders (and, on request, of archived batches).
///
/// Only folders `<output>/<batch id>` of batches the archive knows are touched; the archive keeps
/// every batch unless `--archive` is given, so `expreg report --batch ID` rebuilds any pruned
/// folder byte-identically. Never removed: the newest batch, the batch `<output>/latest` points
/// at, and a batch still `running`. An output root owned by another archive is refused (exit 2).
/// Deleting archived rows takes the archive's lock (exit 4 while an `expreg run` holds it).
///
/// A folder is removed by renaming it to a hidden name first, so it vanishes at once and readers
/// never see half a report. A batch whose folder is missing is "pruned": see
/// ``rebuildableBatchIDs(archive:layout:)``.
public enum ReportPruner {
    /// Selects, then removes (unless ``PruneOptions/dryRun``).
    /// - Throws: ``PipelineError``: invalid input (exit 2) for a missing archive or an output root
    ///   owned by another archive; locked (exit 4) when `--archive` meets a running `expreg run`;
    ///   I/O failure (exit 1) otherwise.
    public static func run(_ options: PruneOptions) throws -> PruneSummary {
        let layout = OutputLayout(root: URL(fileURLWithPath: options.outputRoot))
        // Deleting rows needs the one writer's session; folders alone only read the archive. Either
        // way the output root must be this archive's (its owner marker), or nothing is touched.
        let writes = options.deleteFromArchive && !options.dryRun
        let session = try ArchiveAccess.existing(
            options.archivePath, access: writes ? .write : .read, output: .check(layout))
        defer { session.close() }
        let archive = session.archive

        let batches = try archive.batches(limit: nil)  // newest first
        let selected = select(batches, rule: options.rule, now: options.now)
        let protected = try protectedBatchIDs(batches, archive: archive, layout: layout)
        let chosen = selected.filter { !protected.contains($0.id) }

        var summary = PruneSummary(
            removedFolders: [], protectedBatchIDs: selected.map(\.id).filter(protected.contains),
            deletedBatchIDs: [], archiveBytesBefore: nil, archiveBytesAfter: nil, dryRun: options.dryRun)
        for batch in chosen {
            guard let folder = existingFolder(batch.id, layout: layout) else { continue }
            let bytes = folderBytes(folder)
            if !options.dryRun { try remove(folder, layout: layout) }
            summary.removedFolders.append(.init(batchID: batch.id, path: folder.path, bytes: bytes))
        }
        if options.deleteFromArchive {
            summary.deletedBatchIDs = chosen.map(\.id)
            summary.archiveBytesBefore = archiveBytes(options.archivePath)
            if !options.dryRun && !chosen.isEmpty {
                try archive.deleteBatches(summary.deletedBatchIDs)
                try archive.vacuum()
                summary.archiveBytesAfter = archiveBytes(options.archivePath)
            }
        }
        let changed = !summary.removedFolders.isEmpty || !(summary.deletedBatchIDs.isEmpty || options.dryRun)
        if !options.dryRun, changed, let templates = TemplateLocator.locate() {
            summary.frontPage = try ArchiveFrontPage.write(
                archive: archive, layout: layout, templatesDirectory: templates)
        }
        return summary
    }

    /// The batches of `batches` (newest first) that `rule` selects, before protection.
    static func select(_ batches: [BatchInfo], rule: PruneRule, now: Date) -> [BatchInfo] {
        switch rule {
        case .keepNewest(let count):
            return Array(batches.dropFirst(max(count, 0)))
        case .olderThan(let days):
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            return batches.filter { $0.startedAt < cutoff }
        }
    }

    /// Never pruned: the newest batch, the target of `<output>/latest`, and running batches.
    static func protectedBatchIDs(_ batches: [BatchInfo], archive: Archive, layout: OutputLayout) throws -> Set<String>
    {
        var ids = Set(batches.filter { $0.status == .running }.map(\.id))
        if let latest = try archive.latestBatchID() { ids.insert(latest) }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: layout.latestLink.path) {
            ids.insert(URL(fileURLWithPath: target).lastPathComponent)
        }
        return ids
    }

    /// Archived batches (not running) whose folder under the output root is missing: their reports
    /// were pruned (or never written) and `expreg report --batch ID` rebuilds them from the archive.
    /// For an archive front page that marks such batches as rebuildable.
    /// - Throws: ``PipelineError`` when the archive cannot be read.
    package static func rebuildableBatchIDs(archive: Archive, layout: OutputLayout) throws -> [String] {
        try archive.batches(limit: nil)
            .filter { $0.status != .running && existingFolder($0.id, layout: layout) == nil }
            .map(\.id)
    }

    /// `<root>/<id>` when it is a real folder (not a symlink) and `id` is a plain name.
    static func existingFolder(_ id: String, layout: OutputLayout) -> URL? {
        guard !id.isEmpty, id != ".", id != "..", !id.contains("/") else { return nil }
        let folder = layout.batchFolder(id)
        var status = stat()
        guard lstat(folder.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { return nil }
        return folder
    }

    /// Total size of the regular files below `folder`.
    static func folderBytes(_ folder: URL) -> Int {
        guard
            let walker = FileManager.default.enumerator(
                at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
        else {
            return 0
        }
        var total = 0
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { total += values?.fileSize ?? 0 }
        }
        return total
    }

    /// Renames the folder to a hidden name (it vanishes at once), then deletes it.
    static func remove(_ folder: URL, layout: OutputLayout) throws {
        let doomed = layout.root.appendingPathComponent(".pruning-\(folder.lastPathComponent)-\(getpid())")
        guard rename(folder.path, doomed.path) == 0 else {
            throw PipelineError.io("cannot remove \(folder.path): \(String(cString: strerror(errno)))")
        }
        do {
            try FileManager.default.removeItem(at: doomed)
        } catch {
            throw PipelineError.io(
                "removed \(folder.path) from view but could not delete \(doomed.path): "
                    + "\(error.localizedDescription); delete it by hand")
        }
    }

    /// The archive's size on disk with its `-wal`.
    static func archiveBytes(_ path: String) -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }
}
