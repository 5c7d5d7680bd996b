import ExpRegCore
import Foundation
import GRDB

/// The batch of a shard archive (`expreg run --shard I/N`), as `expreg merge` validates it.
public struct ShardBatch: Sendable, Equatable {
    public var batchID: String
    /// I of `--shard I/N`: the archive holds the plan's runs with `plan_index % count == index`.
    public var index: Int
    /// N of `--shard I/N`.
    public var count: Int
    public var manifestSHA256: String
    /// The stored plan JSON, byte for byte (equal plans give equal text: keys are sorted).
    public var planJSON: String
    public var startedAt: Date
    public var status: BatchStatus
}

/// The identity of a batch that a merge must agree with.
public struct BatchIdentity: Sendable, Equatable {
    public var manifestSHA256: String
    public var planJSON: String
    /// nil for a single-machine batch; N for a shard or a merged batch.
    public var shardCount: Int?
    /// nil for a merged or single-machine batch.
    public var shardIndex: Int?
}

extension Archive {
    /// Records a new batch as shard `index` of `count` in ONE transaction (see ``beginBatch(_:plan:rules:)``).
    /// - Throws: ``StoreError`` when the batch exists, the shard numbers are invalid, or the write fails.
    public func beginShardBatch(
        _ info: BatchInfo, plan: Plan, index: Int, count: Int, rules: JudgementRules = .current
    ) throws(StoreError) {
        try write("begin shard \(index)/\(count) of batch \(info.id)") { db in
            if try BatchRow.exists(db, key: info.id) {
                throw StoreError("archive \(path) already has batch \(info.id); continue it with --resume")
            }
            try BatchRow(info: info, plan: plan, rules: rules).insert(db)
            try db.execute(
                sql: "UPDATE batches SET shard_index = ?, shard_count = ? WHERE id = ?",
                arguments: [index, count, info.id])
        }
    }

    /// The batches recorded by `expreg run --shard` in this archive (normally exactly one).
    /// - Throws: ``StoreError`` when reading fails.
    public func shardBatches() throws(StoreError) -> [ShardBatch] {
        try read("list the shard batches") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, shard_index, shard_count, manifest_sha256, plan_json, started_at, status FROM batches
                    WHERE shard_index IS NOT NULL ORDER BY id
                    """
            ).map { row in
                ShardBatch(
                    batchID: row["id"], index: row["shard_index"], count: row["shard_count"],
                    manifestSHA256: row["manifest_sha256"], planJSON: row["plan_json"],
                    startedAt: Date(timeIntervalSinceReferenceDate: row["started_at"]),
                    status: BatchStatus(rawValue: row["status"]) ?? .failed)
            }
        }
    }

    /// The manifest SHA, plan and shard numbers of a batch; nil when the archive has no such batch.
    /// - Throws: ``StoreError`` when reading fails.
    public func identity(batchID: String) throws(StoreError) -> BatchIdentity? {
        try read("read the identity of batch \(batchID)") { db in
            try Row.fetchOne(
                db, sql: "SELECT manifest_sha256, plan_json, shard_count, shard_index FROM batches WHERE id = ?",
                arguments: [batchID]
            ).map { row in
                BatchIdentity(
                    manifestSHA256: row["manifest_sha256"], planJSON: row["plan_json"],
                    shardCount: row["shard_count"], shardIndex: row["shard_index"])
            }
        }
    }

    /// How many shard archives one write transaction attaches: SQLite's default limit of attached
    /// databases is 10 (`SQLITE_MAX_ATTACHED`); 8 leaves room for others.
    static let shardsPerTransaction = 8

    /// Columns never compared when checking that two copies of a row agree: when and how long,
    /// not what was computed (a shard re-run trains the same numbers at another time).
    static let timingColumns: Set<String> = [
        "started_at", "wall_seconds", "finished_at", "training_seconds", "spectra_seconds",
    ]

    /// What the archive derives from a batch's rows when it judges it (``Archive/judgeAndRecord(batchID:_:)``):
    /// never copied from a shard nor compared; the merged batch is judged when it is finished.
    static let judgementTables: Set<String> = ["width_scaling", "condition_width_vs_n"]
    static let judgementColumns: Set<String> = ["verdict", "judged_at"]

    /// Unions the rows of batch `batchID` from the shard archives at `paths` into this archive.
    ///
    /// Generic over the schema: every table of this archive (except `grdb_migrations`) that the
    /// shard also has is copied with the column list both share (`PRAGMA table_info`), by
    /// `INSERT OR IGNORE … SELECT` of the shard's rows of this batch (rows of tables without a
    /// `batch_id` column are copied whole). A row already present is kept, so merging twice adds
    /// nothing. Then every table with a `batch_id` column is verified (except `batches`, whose
    /// provenance differs per shard): each shard row must equal the stored row, and every stored
    /// row of the shard's run_keys must be in the shard, ignoring only ``timingColumns``. A
    /// difference is a ``StoreError/Kind/conflictingShards`` error naming the run and both files,
    /// and nothing of the merge is kept. Up to ``shardsPerTransaction`` shards are attached and
    /// merged in ONE transaction (more shards: one transaction per group, each idempotent).
    ///
    /// The merged batch row ends with `shard_index` NULL, `shard_count` = `shardCount`,
    /// `started_at` = the earliest of its stored start and `startedAt` (the earliest given shard's:
    /// a later merge of fewer shards never moves it), `status` = `partial` until the caller finishes it.
    /// - Returns: the rows added per path (all tables), in the order of `paths`.
    /// - Throws: ``StoreError`` (``StoreError/Kind/conflictingShards`` on differing rows).
    public func mergeShards(_ paths: [String], batchID: String, shardCount: Int, startedAt: Date) throws(StoreError)
        -> [Int]
    {
        do {
            return try pool.writeWithoutTransaction { db in
                var added = [Int](repeating: 0, count: paths.count)
                var origin: [String: String] = [:]  // run_key → the file it first came from
                for runKey in try String.fetchAll(
                    db, sql: "SELECT run_key FROM runs WHERE batch_id = ?", arguments: [batchID])
                {
                    origin[runKey] = "the archive \(path) (merged before)"
                }
                let tables = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                        AND name != 'grdb_migrations' ORDER BY rowid
                        """
                ).filter { !Self.judgementTables.contains($0) }
                for start in stride(from: 0, to: paths.count, by: Self.shardsPerTransaction) {
                    let group = Array(start..<min(paths.count, start + Self.shardsPerTransaction))
                    for (slot, index) in group.enumerated() {
                        try db.execute(sql: "ATTACH DATABASE ? AS shard\(slot)", arguments: [paths[index]])
                    }
                    defer { for slot in group.indices { try? db.execute(sql: "DETACH DATABASE shard\(slot)") } }
                    try db.inTransaction(.immediate) {
                        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                        for (slot, index) in group.enumerated() {
                            let schema = "shard\(slot)"
                            for runKey in try String.fetchAll(
                                db, sql: "SELECT run_key FROM \(schema).runs WHERE batch_id = ?",
                                arguments: [batchID]) where origin[runKey] == nil
                            {
                                origin[runKey] = paths[index]
                            }
                            for table in tables {
                                added[index] += try copyRows(of: table, from: schema, batchID: batchID, db)
                            }
                            for table in tables where table != "batches" {
                                if let runKey = try firstDifference(in: table, shard: schema, batchID: batchID, db) {
                                    let other = runKey.flatMap { origin[$0] } ?? "the archive \(path)"
                                    throw StoreError(
                                        kind: .conflictingShards,
                                        message:
                                            "\(runKey.map { "run \($0)" } ?? "a row") of batch \(batchID) differs between "
                                            + "\(paths[index]) and \(other) (table \(table)); the same run must give the same "
                                            + "numbers: check that both ran the same ExpReg build, then merge only one of them"
                                    )
                                }
                            }
                        }
                        try db.execute(
                            sql: """
                                UPDATE batches SET shard_index = NULL, shard_count = ?, started_at = min(started_at, ?), status = 'partial',
                                finished_at = NULL, exit_code = NULL WHERE id = ?
                                """, arguments: [shardCount, startedAt.timeIntervalSinceReferenceDate, batchID])
                        try Self.clearJudgement(batchID: batchID, db)
                        return .commit
                    }
                }
                return added
            }
        } catch {
            throw StoreError.wrapping(
                error, action: "merge \(paths.count) shard archive(s) into batch \(batchID)", path: path)
        }
    }

    /// Column names of `schema.table` in declaration order (empty when the table does not exist).
    private func columns(_ table: String, schema: String, _ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA \(schema).table_info(\(table.quotedDatabaseIdentifier))").map { $0["name"] }
    }

    /// `INSERT OR IGNORE` of the shard's rows of `batchID` into `main.table`; returns the rows added.
    private func copyRows(of table: String, from schema: String, batchID: String, _ db: Database) throws -> Int {
        let shardColumns = Set(try columns(table, schema: schema, db))
        let shared = try columns(table, schema: "main", db).filter {
            shardColumns.contains($0) && !Self.judgementColumns.contains($0)
        }
        guard !shared.isEmpty else { return 0 }
        let list = shared.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let (filter, arguments) = Self.batchFilter(table: table, columns: shared, batchID: batchID)
        try db.execute(
            sql: "INSERT OR IGNORE INTO main.\(table.quotedDatabaseIdentifier) (\(list)) "
                + "SELECT \(list) FROM \(schema).\(table.quotedDatabaseIdentifier)\(filter)", arguments: arguments)
        return db.changesCount
    }

    /// The first row of `table` where the shard and the merged archive disagree (timing columns
    /// ignored): `.some(run_key)` (nil run_key for tables without one), or nil when they agree.
    private func firstDifference(
        in table: String, shard schema: String, batchID: String,
        _ db: Database
    ) throws -> String?? {
        let shardColumns = Set(try columns(table, schema: schema, db))
        let shared = try columns(table, schema: "main", db).filter(shardColumns.contains)
        guard shared.contains("batch_id") else { return nil }
        let compared = shared.filter { !Self.timingColumns.contains($0) && !Self.judgementColumns.contains($0) }
        let list = compared.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let name = table.quotedDatabaseIdentifier
        let hasRunKey = compared.contains("run_key")
        let key = hasRunKey ? "run_key" : "NULL"
        // Shard rows missing or different in main.
        var sql =
            "SELECT \(key) FROM (SELECT \(list) FROM \(schema).\(name) WHERE batch_id = ? "
            + "EXCEPT SELECT \(list) FROM main.\(name) WHERE batch_id = ?) LIMIT 1"
        if let row = try Row.fetchOne(db, sql: sql, arguments: [batchID, batchID]) {
            return .some(row[0] as String?)
        }
        guard hasRunKey else { return nil }
        // Stored rows of the shard's runs that the shard lacks (e.g. a longer curve).
        sql =
            "SELECT run_key FROM (SELECT \(list) FROM main.\(name) WHERE batch_id = ? AND run_key IN "
            + "(SELECT run_key FROM \(schema).runs WHERE batch_id = ?) "
            + "EXCEPT SELECT \(list) FROM \(schema).\(name) WHERE batch_id = ?) LIMIT 1"
        if let row = try Row.fetchOne(db, sql: sql, arguments: [batchID, batchID, batchID]) {
            return .some(row[0] as String?)
        }
        return nil
    }

    /// ` WHERE` clause selecting the batch's rows of a table: by `batch_id`, by `id` for `batches`,
    /// none for tables without either.
    private static func batchFilter(table: String, columns: [String], batchID: String) -> (String, StatementArguments) {
        if table == "batches" { return (" WHERE id = ?", [batchID]) }
        if columns.contains("batch_id") { return (" WHERE batch_id = ?", [batchID]) }
        return ("", [])
    }
}
