import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a file at an archive path is, found without writing a byte to it: `stat(2)`, then the
/// schema through a read-only SQLite connection (SQLite itself rejects a file that is not a
/// database). No descriptor of the file is opened and closed outside SQLite: closing one would
/// drop the POSIX locks of this process's other connections to it.
///
/// An ExpReg archive is a SQLite file whose `grdb_migrations` identifiers are a prefix of
/// ``ArchiveMigrations/identifiers`` (or, for a newer ExpReg, start with them) and whose
/// `user_version` equals their count. Anything else with tables or a non-zero `user_version` is
/// foreign and must never be opened for writing.
enum ArchiveInspection {
    /// The state of a file that may be opened.
    enum State: Equatable {
        /// No file, an empty file, or a SQLite file with `user_version` 0 and no tables (or only an
        /// empty `grdb_migrations`, an archive another connection is creating): a new archive.
        case fresh
        /// An ExpReg archive of this schema version (≤ ``Archive/schemaVersion``).
        case archive(version: Int)
    }

    /// Inspects `path` read-only.
    /// - Throws: ``StoreError`` ``StoreError/Kind/notAnArchive`` (not SQLite, or SQLite of another
    ///   application), ``StoreError/Kind/newerSchema``, or ``StoreError/Kind/failure`` (unreadable,
    ///   damaged).
    static func inspect(_ path: String) throws(StoreError) -> State {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return .fresh }
            throw StoreError(
                "cannot read archive \(path) (\(String(cString: strerror(errno)))); check the path and its "
                    + "permissions, or pass another file with --db")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError(
                kind: .notAnArchive,
                message:
                    "\(path) is not an ExpReg archive (not a regular file); pass an archive file with --db")
        }
        if info.st_size == 0 { return .fresh }
        let facts: (version: Int, tables: [String], migrations: [String]?)
        do {
            let queue = try openReadOnly(path)
            defer { try? queue.close() }
            facts = try queue.read { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                let tables = try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
                let migrations =
                    tables.contains("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : nil
                return (version, tables, migrations)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.wrapping(error, action: "inspect it read-only before opening it", path: path)
        }
        return try classify(path, version: facts.version, tables: facts.tables, migrations: facts.migrations)
    }

    /// Decides fresh / archive / foreign / newer from the facts read.
    static func classify(_ path: String, version: Int, tables: [String], migrations: [String]?) throws(StoreError)
        -> State
    {
        let known = ArchiveMigrations.identifiers
        if tables.isEmpty && version == 0 { return .fresh }
        // Another connection is creating the archive: GRDB commits its empty `grdb_migrations`
        // table before the first migration's transaction (seen when several processes open a new
        // archive at once).
        if version == 0 && tables == ["grdb_migrations"] && (migrations ?? []).isEmpty { return .fresh }
        guard let migrations, migrations.first == known.first else {
            let what =
                tables.first(where: { $0 != "grdb_migrations" }).map { "it has a table '\($0)'" }
                ?? "user_version \(version)"
            throw StoreError(
                kind: .notAnArchive,
                message:
                    "\(path) is an SQLite database but not an ExpReg archive (\(what) and no ExpReg migrations); "
                    + "pass the right file with --db, or move this file away (it was left unchanged)")
        }
        if migrations.count > known.count || version > known.count
            || !zip(migrations, known).allSatisfy({ $0 == $1 })
        {
            throw StoreError(
                kind: .newerSchema,
                message:
                    "archive \(path) was written by a newer ExpReg (schema \(max(version, migrations.count)) > \(known.count)); "
                    + "upgrade ExpReg, or pass another file with --db (it was left unchanged)")
        }
        guard version == migrations.count else {
            throw StoreError(
                kind: .notAnArchive,
                message:
                    "\(path) looks like an ExpReg archive but its schema version (\(version)) does not match its "
                    + "\(migrations.count) migrations; it may be damaged: restore it from a backup (it was left unchanged)"
            )
        }
        return .archive(version: version)
    }

    /// A read-only connection that never writes the file nor creates any beside it.
    ///
    /// While a `-wal` file exists a WAL connection is open somewhere (SQLite deletes it when the last
    /// one closes): then a plain `SQLITE_OPEN_READONLY` connection shares its `-wal` and `-shm`.
    /// Without one, nobody has the archive open, and the file is opened `immutable=1`: a plain
    /// read-only connection would create (and leave) `-wal` and `-shm` files, or fail on a read-only
    /// mount where they cannot be created.
    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(Archive.busyTimeout)
        configuration.label = "ExpRegArchiveReader"
        if access(path + "-wal", F_OK) != 0 {
            return try DatabaseQueue(path: immutableURI(path), configuration: configuration)
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// `file:<percent-encoded absolute path>?immutable=1` (URI filenames are on in the system SQLite).
    static func immutableURI(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:\(encoded)?immutable=1"
    }
}
