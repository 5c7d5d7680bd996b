import Foundation
import GRDB

/// The outcome of posting one webhook for a batch (a row of `notifications`).
public struct NotificationRecord: Sendable, Equatable {
    /// `run` (after `expreg run`) or `merge` (after a merged batch is published).
    public var event: String
    /// Position of the webhook in the manifest's `notify:` list.
    public var webhook: Int
    /// Redacted target: `$ENV_NAME` or `scheme://host/…` — never the full URL.
    public var target: String
    public var attemptedAt: Date
    /// 0 when no request could be made (missing URL), 1, or 2 when the one retry was used.
    public var attempts: Int
    public var delivered: Bool
    /// The last HTTP status received; nil when no response came.
    public var httpStatus: Int?
    /// Why delivery failed; nil when delivered.
    public var error: String?

    public init(
        event: String, webhook: Int, target: String, attemptedAt: Date, attempts: Int,
        delivered: Bool, httpStatus: Int?, error: String?
    ) {
        self.event = event
        self.webhook = webhook
        self.target = target
        self.attemptedAt = attemptedAt
        self.attempts = attempts
        self.delivered = delivered
        self.httpStatus = httpStatus
        self.error = error
    }
}

extension Archive {
    /// Appends notification outcomes to a batch (after its last `seq`), in one transaction.
    /// - Throws: ``StoreError`` (kind ``StoreError/Kind/unknownBatch``) when the batch does not
    ///   exist; ``StoreError`` when the write fails.
    public func recordNotifications(_ records: [NotificationRecord], batchID: String) throws(StoreError) {
        guard !records.isEmpty else { return }
        try write("record the notifications of batch \(batchID)") { db in
            try requireBatch(batchID, db)
            var seq =
                try Int.fetchOne(
                    db, sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM notifications WHERE batch_id = ?",
                    arguments: [batchID]) ?? 0
            for record in records {
                try db.execute(
                    sql: """
                        INSERT INTO notifications (batch_id, seq, event, webhook, target, attempted_at, attempts,
                                                   delivered, http_status, error)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        batchID, seq, record.event, record.webhook, record.target,
                        record.attemptedAt.timeIntervalSinceReferenceDate, record.attempts,
                        record.delivered, record.httpStatus, record.error,
                    ])
                seq += 1
            }
        }
    }

    /// The notification outcomes of a batch in order (empty for an unknown batch).
    /// - Throws: ``StoreError`` when reading fails.
    public func notifications(batchID: String) throws(StoreError) -> [NotificationRecord] {
        try read("read the notifications of batch \(batchID)") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM notifications WHERE batch_id = ? ORDER BY seq", arguments: [batchID]
            ).map { row in
                NotificationRecord(
                    event: row["event"], webhook: row["webhook"], target: row["target"],
                    attemptedAt: Date(timeIntervalSinceReferenceDate: row["attempted_at"]),
                    attempts: row["attempts"], delivered: row["delivered"],
                    httpStatus: row["http_status"], error: row["error"])
            }
        }
    }
}
