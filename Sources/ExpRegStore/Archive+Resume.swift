import ExpRegCore
import Foundation
import GRDB

extension Archive {
    /// Marks an interrupted (`partial`) batch as `running` again for `--resume`, clearing its end time
    /// and exit code; its provenance and finished runs stay as they are.
    /// - Throws: ``StoreError`` (kind ``StoreError/Kind/unknownBatch``) when the batch does not exist;
    ///   ``StoreError`` when the batch is not `partial` or the write fails.
    public func reopenBatch(id: String) throws(StoreError) {
        try write("reopen batch \(id)") { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM batches WHERE id = ?", arguments: [id]) else {
                throw unknownBatch(id)
            }
            guard status == BatchStatus.partial.rawValue else {
                throw StoreError("batch \(id) is \(status), not partial: only an interrupted batch can be resumed")
            }
            try db.execute(sql: "UPDATE batches SET status = 'running', finished_at = NULL, exit_code = NULL WHERE id = ?",
                           arguments: [id])
        }
    }
}
