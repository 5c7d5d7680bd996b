import ExpRegFiles
import ExpRegStore
import Foundation

/// What `expreg backup` wrote.
public struct BackupSummary: Sendable {
    /// The verified copy (its final name).
    public var destination: URL
    /// Batches in the copy (= in the archive at the instant of the copy).
    public var batchCount: Int
    /// Size of the copy in bytes.
    public var bytes: Int
}

/// `expreg backup DEST`: a consistent, verified copy of the archive, safe while `expreg run` writes.
///
/// Steps: SQLite's online backup API into `<DEST>.tmp-<pid>` beside the destination (one read
/// snapshot, so the copy holds every batch committed before it and nothing half-written; the
/// writer is never blocked in WAL mode), `PRAGMA integrity_check` and the batch count of the copy
/// against the archive's at the copy, `fsync`, then `rename` onto DEST: DEST is either absent,
/// the old file (with `--force`) or the complete verified copy, never a partial one.
public enum ArchiveBackup {
    /// Copies the archive at `archivePath` to `destination`.
    /// - Parameters:
    ///   - archivePath: the archive (`--db`); must exist.
    ///   - destination: the new file; an existing one is replaced only when `force` is true.
    ///   - force: replace an existing `destination`.
    /// - Throws: ``PipelineError`` — invalid input (exit 2) for a missing archive, an existing
    ///   destination without `force`, the archive itself as destination, or a missing destination
    ///   folder; I/O failure (exit 1) when the copy or its verification fails (nothing is left at
    ///   DEST then).
    public static func run(archivePath: String, destination: String, force: Bool) throws -> BackupSummary {
        let session = try ArchiveAccess.existing(archivePath)
        defer { session.close() }
        let archive = session.archive
        let target = URL(fileURLWithPath: destination).standardizedFileURL
        let source = URL(fileURLWithPath: archivePath).standardizedFileURL
        if target.resolvingSymlinksInPath().path == source.resolvingSymlinksInPath().path {
            throw PipelineError.invalid(
                "the backup destination \(destination) is the archive itself; choose another file")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isFolder) {
            if isFolder.boolValue {
                throw PipelineError.invalid(
                    "the backup destination \(destination) is a folder; name a file, e.g. \(destination)/expreg-backup.sqlite"
                )
            }
            if !force {
                throw PipelineError.invalid(
                    "the backup destination \(destination) already exists; "
                        + "choose another name, or pass --force to replace it")
            }
        }
        let folder = target.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw PipelineError.invalid("the backup folder \(folder.path) does not exist; create it first")
        }

        let temp = URL(fileURLWithPath: AtomicFile.temporaryPath(for: target.path))
        removeSQLiteFiles(temp.path)
        do {
            let copied = try archive.backup(to: temp.path)
            try Archive.verifyBackup(at: temp.path, expectedBatches: copied.batchCount)
            try syncFile(temp.path)
            guard rename(temp.path, target.path) == 0 else {
                throw PipelineError.io(
                    "cannot rename \(temp.path) to \(target.path): \(String(cString: strerror(errno)))")
            }
            removeSQLiteFiles(temp.path)  // a -journal left by nothing else; harmless when absent
            try syncFile(folder.path)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
            return BackupSummary(destination: target, batchCount: copied.batchCount, bytes: bytes)
        } catch let error as PipelineError {
            removeSQLiteFiles(temp.path)
            throw error
        } catch {
            removeSQLiteFiles(temp.path)
            throw PipelineError.io("backup of \(archivePath) failed, nothing was written to \(destination): \(error)")
        }
    }

    /// Removes an SQLite file and its `-journal`, `-wal`, `-shm` companions (missing ones ignored).
    static func removeSQLiteFiles(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// `fsync` of a file or folder, so a rename survives a power loss.
    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PipelineError.io("cannot open \(path) to sync it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw PipelineError.io("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }
}
