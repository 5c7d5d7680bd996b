import Foundation
import GRDB

/// What ``Archive/backup(to:)`` copied.
public struct ArchiveBackupResult: Sendable, Equatable {
    /// Batches in the archive at the instant of the copy (the same read snapshot as the copy).
    public var batchCount: Int
    /// Database pages copied.
    public var pageCount: Int
}

extension Archive {
    /// Copies the archive into the new SQLite file `destination` with SQLite's online backup API,
    /// while other processes may keep writing (WAL readers never block the writer).
    ///
    /// The copy and the batch count are taken inside ONE read transaction, so the copy holds
    /// exactly the batches counted: every batch committed before the call, none half-written.
    /// The destination is created (it must not exist: the caller writes to a temporary name and
    /// renames); it keeps the archive's schema version, in the rollback journal mode (one
    /// self-contained file; opening it as an archive turns WAL on again).
    /// - Parameter destination: path of the new file; its folder must exist.
    /// - Returns: the batch count and page count of the copy.
    /// - Throws: ``StoreError`` when reading the archive or writing the copy fails.
    /// - Complexity: O(pages of the archive), one step (the writer is never blocked in WAL mode).
    public func backup(to destination: String) throws(StoreError) -> ArchiveBackupResult {
        do {
            let target = try DatabaseQueue(path: destination)
            defer { try? target.close() }
            return try pool.read { source in
                let batches = try Int.fetchOne(source, sql: "SELECT COUNT(*) FROM batches") ?? 0
                var pages = 0
                try target.writeWithoutTransaction { copy in
                    try source.backup(to: copy) { progress in pages = progress.totalPageCount }
                    // One self-contained file (no -wal beside it); `Archive(path:)` turns WAL back on.
                    try copy.execute(sql: "PRAGMA journal_mode = DELETE")
                }
                return ArchiveBackupResult(batchCount: batches, pageCount: pages)
            }
        } catch {
            throw StoreError.wrapping(error, action: "copy it to \(destination)", path: path)
        }
    }

    /// Checks a copy made by ``backup(to:)``: `PRAGMA integrity_check` is `ok` and it holds
    /// `expectedBatches` batches.
    /// - Parameters:
    ///   - file: the copy.
    ///   - expectedBatches: the batch count of the source at the copy.
    /// - Throws: ``StoreError`` naming what does not match, or when the copy cannot be read.
    public static func verifyBackup(at file: String, expectedBatches: Int) throws(StoreError) {
        do {
            let queue = try DatabaseQueue(path: file)
            let (integrity, batches) = try queue.read { db in
                (
                    try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batches") ?? -1
                )
            }
            try queue.close()
            guard integrity == ["ok"] else {
                throw StoreError(
                    "the backup \(file) fails PRAGMA integrity_check: "
                        + integrity.prefix(5).joined(separator: "; ") + "; it was not kept, retry the backup")
            }
            guard batches == expectedBatches else {
                throw StoreError(
                    "the backup \(file) holds \(batches) batches, the archive held \(expectedBatches) "
                        + "at the copy; it was not kept, retry the backup")
            }
        } catch {
            throw StoreError.wrapping(error, action: "verify the backup", path: file)
        }
    }
}
