import ExpRegCore
import Foundation
import GRDB

/// The SQLite archive of every batch: GRDB `DatabasePool` over the system SQLite, WAL journal,
/// 5 s busy timeout, foreign keys on, named migrations (see ``ArchiveMigrations`` for the schema).
///
/// One process writes at a time (hold an ``ArchiveLock`` around `expreg run`); any number may read
/// (WAL). Every write method is one transaction: a crash loses at most the call in flight.
///
/// ```swift
/// let lock = try ArchiveLock(archivePath: path)          // exit 4 on .lockHeld
/// let archive = try Archive(path: path)
/// try archive.beginBatch(info, plan: plan)
/// for record in records { try archive.recordRun(record, batchID: info.id) }
/// try archive.finishBatch(id: info.id, status: .completed, finishedAt: Date(), exitCode: 0)
/// ```
///
/// ## Topics
/// - Writing: ``beginBatch(_:plan:)``, ``recordRun(_:batchID:)``, ``recordGates(_:batchID:)``,
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

    let pool: DatabasePool

    /// Opens (creating and migrating when needed) the archive at `path`.
    ///
    /// Creates missing parent folders. An archive of an older schema is migrated in place; a file
    /// that is not an ExpReg archive, or an archive of a newer schema, is left untouched.
    /// - Parameter path: the SQLite file, e.g. `output/expreg.sqlite`.
    /// - Throws: ``StoreError`` with kind ``StoreError/Kind/notAnArchive`` when the file is not an
    ///   archive (not SQLite, or SQLite with foreign tables), ``StoreError/Kind/newerSchema`` when it
    ///   was written by a newer ExpReg, ``StoreError/Kind/failure`` when I/O fails.
    public init(path: String) throws(StoreError) {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create the folder \(folder.path) for archive \(path) (\(error)); "
                             + "check the path and permissions, or pass another file with --db")
        }
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
        try Self.checkAndMigrate(pool, path: path)
    }

    /// Refuses foreign and newer files, then applies the migrations this archive lacks.
    private static func checkAndMigrate(_ pool: DatabasePool, path: String) throws(StoreError) {
        do {
            let (version, tables) = try pool.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                 try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
            }
            if version > schemaVersion {
                throw StoreError(kind: .newerSchema, message:
                    "archive \(path) was written by a newer ExpReg (schema \(version) > \(schemaVersion)); "
                    + "upgrade ExpReg, or pass another file with --db")
            }
            if version == 0, let foreign = tables.first(where: { $0 != "grdb_migrations" }) {
                throw StoreError(kind: .notAnArchive, message:
                    "\(path) is an SQLite database but not an ExpReg archive (it has a table '\(foreign)' and no "
                    + "ExpReg schema version); pass the right file with --db, or move this file away")
            }
            let migrator = ArchiveMigrations.migrator()
            try pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError(kind: .newerSchema, message:
                        "archive \(path) has migrations this ExpReg does not know; upgrade ExpReg, or pass another file with --db")
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
