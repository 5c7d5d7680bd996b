import ExpRegCore
import Foundation
import GRDB

/// The SQLite archive of every batch: GRDB `DatabasePool` over the system SQLite, WAL journal,
/// 5 s busy timeout, foreign keys on, named migrations (see ``ArchiveMigrations`` for the schema).
///
/// Obtained only from an ``ArchiveSession``, which takes the lock of the one writer, checks and
/// claims the output root, and closes the archive before releasing the lock; any number of
/// sessions may read (WAL). Every write method is one transaction: a crash loses at most the call
/// in flight. A file that is not an archive of a schema this build knows is refused before any
/// connection that may write is opened; ``Access/readOnly`` never changes the file.
///
/// ```swift
/// let session = try ArchiveSession(path: path, access: .write)   // exit 4 while another writes
/// defer { session.close() }                                      // closes, then unlocks
/// let archive = session.archive
/// try archive.beginBatch(info, plan: plan)
/// for record in records { try archive.recordRun(record, batchID: info.id) }
/// try archive.finishBatch(id: info.id, status: .completed, finishedAt: Date(), exitCode: 0)
/// ```
///
/// ## Topics
/// - Writing: ``beginBatch(_:plan:rules:)``, ``recordRun(_:batchID:)``, ``recordGates(_:batchID:)``,
///   ``recordArtifacts(_:batchID:)``, ``finishBatch(id:status:finishedAt:exitCode:)``,
///   ``markInterruptedBatches()``, ``resumeBatch(id:)``
/// - Reading a batch: ``snapshot(batchID:)``, ``plan(batchID:)``, ``artifacts(batchID:)``,
///   ``finishedRunKeys(batchID:)``
/// - Finding batches: ``latestBatchID()``, ``previousBatchID(before:manifestName:)``,
///   ``resumableBatchID(manifestName:)``, ``batches(limit:)``, ``batches(manifestName:)``,
///   ``headlines(manifestName:)``
public final class Archive: Sendable {
    /// The schema version this build writes and reads: the number of named migrations it knows.
    /// Stored in the archive as `PRAGMA user_version`.
    public static let schemaVersion = ArchiveMigrations.steps.count

    /// How long a connection waits for another process's write lock before failing.
    public static let busyTimeout: TimeInterval = 5

    /// The archive file.
    public let path: String

    /// How an archive is opened.
    public enum Access: Sendable {
        /// Create, migrate and write (`expreg run`): the file is inspected read-only first, and a
        /// foreign, newer or damaged file is refused before any connection may write it.
        case readWrite
        /// Read only (`history`, `export`, `report`): a read-only connection (immutable on a
        /// read-only mount) that never changes the file's bytes; the file must be an archive.
        case readOnly
    }

    /// How this archive was opened.
    public let access: Access

    /// The schema version of the file as opened: ``schemaVersion`` after a read-write open (which
    /// migrates); possibly older for ``Access/readOnly``, which never migrates the file: an older
    /// archive is read from an in-memory copy migrated to ``schemaVersion``.
    package let storedSchemaVersion: Int

    let pool: any DatabaseWriter

    /// Opens (creating and migrating when needed) the archive at `path`, or opens an existing one
    /// read-only.
    ///
    /// Before anything else the file is inspected without writing (its header with plain file I/O,
    /// then its schema through a read-only connection): a file that is not an ExpReg archive (not
    /// SQLite, or SQLite of another application whatever its `user_version`), an archive of a newer
    /// schema, or a damaged one is refused and left byte-for-byte unchanged. For ``Access/readWrite``,
    /// missing parent folders are created and an archive of an older schema is migrated in place.
    /// - Parameters:
    ///   - path: the SQLite file, e.g. `output/expreg.sqlite`.
    ///   - access: ``Access/readWrite`` (default) or ``Access/readOnly``.
    /// - Throws: ``StoreError`` with kind ``StoreError/Kind/notAnArchive`` when the file is not an
    ///   archive (not SQLite, or SQLite with foreign tables), ``StoreError/Kind/newerSchema`` when it
    ///   was written by a newer ExpReg, ``StoreError/Kind/failure`` when I/O fails.
    init(path: String, access: Access = .readWrite) throws(StoreError) {
        self.path = path
        self.access = access
        if access == .readOnly {
            let state = try ArchiveInspection.inspect(path)
            if state == .fresh {
                throw StoreError(
                    kind: .notAnArchive,
                    message:
                        "\(path) is an empty file, not an ExpReg archive yet (run `expreg run` first, or pass the right file with --db)"
                )
            }
            if case .archive(let version) = state { storedSchemaVersion = version } else { storedSchemaVersion = 0 }
            do {
                let reader = try ArchiveInspection.openReadOnly(path)
                if storedSchemaVersion < Self.schemaVersion {
                    // An older archive keeps its bytes: it is copied into memory and migrated there,
                    // so every query of this build reads it (the next `expreg run` migrates the file).
                    let memory = try DatabaseQueue()
                    try reader.backup(to: memory)
                    try reader.close()
                    try ArchiveMigrations.migrator().migrate(memory)
                    pool = memory
                    // Batches archived before judgements were are judged in the copy, as a
                    // read-write open judges them in the file.
                    try Self.judgeUnjudgedBatches(memory)
                } else {
                    pool = reader
                }
            } catch {
                throw StoreError.wrapping(error, action: "open it read-only", path: path)
            }
            return
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                "cannot create the folder \(folder.path) for archive \(path) (\(error)); "
                    + "check the path and permissions, or pass another file with --db")
        }
        _ = try ArchiveInspection.inspect(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "ExpRegArchive"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.wrapping(error, action: "open it", path: path)
        }
        self.pool = pool
        storedSchemaVersion = Self.schemaVersion
        try Self.checkAndMigrate(pool, path: path)
        try judgeUnjudgedBatches()
    }

    /// Checks, without writing or creating anything, that `path` is missing, empty, or an ExpReg
    /// archive this build can open: the same refusals as ``init(path:access:)``.
    static func checkOpenable(path: String) throws(StoreError) {
        _ = try ArchiveInspection.inspect(path)
    }

    /// Closes every connection (later calls fail). ``ArchiveSession/close()`` calls it before it
    /// releases the lock.
    ///
    /// A writer's archive is left tidy: the pool closes its writer before its read-only readers,
    /// and a read-only connection cannot checkpoint, so one plain read-write connection is opened
    /// and closed last; as the last connection SQLite checkpoints the WAL into the file and deletes
    /// the `-wal` and `-shm` files (a later read-only command then needs to create nothing).
    public func close() {
        guard (try? pool.close()) != nil, access == .readWrite else { return }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "ExpRegArchiveCloser"
        if let last = try? DatabaseQueue(path: path, configuration: configuration) {
            try? last.close()
        }
    }

    /// Refuses foreign and newer files, then applies the migrations this archive lacks.
    private static func checkAndMigrate(_ pool: DatabasePool, path: String) throws(StoreError) {
        do {
            let (version, tables) = try pool.read { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                    try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                )
            }
            if version > schemaVersion {
                throw StoreError(
                    kind: .newerSchema,
                    message:
                        "archive \(path) was written by a newer ExpReg (schema \(version) > \(schemaVersion)); "
                        + "upgrade ExpReg, or pass another file with --db")
            }
            if version == 0, let foreign = tables.first(where: { $0 != "grdb_migrations" }) {
                throw StoreError(
                    kind: .notAnArchive,
                    message:
                        "\(path) is an SQLite database but not an ExpReg archive (it has a table '\(foreign)' and no "
                        + "ExpReg schema version); pass the right file with --db, or move this file away")
            }
            let migrator = ArchiveMigrations.migrator()
            try pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError(
                        kind: .newerSchema,
                        message:
                            "archive \(path) has migrations this ExpReg does not know; upgrade ExpReg, or pass another file with --db"
                    )
                }
            }
            // Another process may be migrating the same file at once: a migration it has just
            // committed fails here (its tables or columns exist). Each attempt re-reads the applied
            // migrations, so retrying once per migration reaches our version; that is success.
            var attempts = 0
            while true {
                do {
                    try migrator.migrate(pool)
                    break
                } catch {
                    attempts += 1
                    let now = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
                    if now == schemaVersion { break }
                    if attempts > ArchiveMigrations.steps.count { throw error }
                }
            }
        } catch {
            throw StoreError.wrapping(error, action: "open and migrate it", path: path)
        }
    }

    // MARK: - Transactions with typed errors

    /// Runs `body` in a read-only snapshot of the archive.
    func read<T>(_ action: @autoclosure () -> String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError.wrapping(error, action: action(), path: path)
        }
    }

    /// Runs `body` in one IMMEDIATE write transaction: all of it commits, or none of it.
    func write<T>(_ action: @autoclosure () -> String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw StoreError.wrapping(error, action: action(), path: path)
        }
    }
}
