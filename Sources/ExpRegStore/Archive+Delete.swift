import Foundation
import GRDB

extension Archive {
    /// Deletes whole batches — their runs, curves, spectra, diagnostics, gates, artifacts and every
    /// other row that references them (foreign keys `ON DELETE CASCADE`) — in ONE transaction.
    ///
    /// Hold the ``ArchiveLock`` around it, so no `expreg run` is writing. Unknown ids are ignored.
    /// The file does not shrink until ``vacuum()``.
    /// - Parameter ids: batch ids.
    /// - Returns: how many batches were deleted.
    /// - Throws: ``StoreError`` when the write fails (then nothing is deleted).
    @discardableResult
    public func deleteBatches(_ ids: [String]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try write("delete \(ids.count) batches") { db in
            var deleted = 0
            for id in ids {
                try db.execute(sql: "DELETE FROM batches WHERE id = ?", arguments: [id])
                deleted += db.changesCount
            }
            return deleted
        }
    }

    /// Rewrites the archive without its free pages (`VACUUM`), then truncates the WAL, so the file
    /// shrinks to its live data. Needs every other connection idle (hold the ``ArchiveLock``).
    /// - Throws: ``StoreError`` when SQLite fails (the archive is then unchanged).
    /// - Complexity: O(size of the archive) I/O.
    public func vacuum() throws(StoreError) {
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.checkpoint(.truncate)
            }
        } catch {
            throw StoreError.wrapping(error, action: "vacuum it", path: path)
        }
    }
}
