import Foundation
import GRDB

/// The one error type of the store module: what failed, in which archive, and how to fix it.
///
/// ``kind`` lets callers map errors to exit codes without parsing text (``Kind/lockHeld`` ⇒ exit 4,
/// everything else ⇒ exit 1). ``description`` is the full message for stderr.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The category of a store failure.
    public enum Kind: String, Sendable, Equatable {
        /// The file exists but is not an ExpReg archive (not SQLite, or SQLite without our schema).
        case notAnArchive
        /// The archive was written by a newer ExpReg (its schema version is above ``Archive/schemaVersion``).
        case newerSchema
        /// Another process holds the archive's lock (``StoreError/holder`` says who).
        case lockHeld
        /// A batch id that the archive does not contain.
        case unknownBatch
        /// A stored value could not be decoded back (damaged or incompatible content).
        case unreadableRecord
        /// Two shard archives (or a shard and the merged archive) hold the same row key with different values.
        case conflictingShards
        /// Any other SQLite or file-system failure (busy, disk full, permissions, constraint).
        case failure
    }

    /// The category (for exit codes and tests).
    public var kind: Kind
    /// The full human-readable message: what, where, and the fix.
    public var message: String
    /// For ``Kind/lockHeld``: the holder's text `pid=<pid> started=<ISO time> host=<host>` (may be empty
    /// when the holder had not written it yet); nil otherwise.
    public var holder: String?

    /// A ``Kind/failure`` with the given message.
    public init(_ message: String) {
        self.init(kind: .failure, message: message)
    }

    /// An error of any kind.
    public init(kind: Kind, message: String, holder: String? = nil) {
        self.kind = kind
        self.message = message
        self.holder = holder
    }

    /// The full message (same as ``message``), for stderr.
    public var description: String { message }
}

extension StoreError {
    /// Wraps an error thrown while working on the archive at `path`.
    ///
    /// - Parameters:
    ///   - action: what was being done, as a verb phrase ("record run abc of batch X").
    ///   - path: the archive file.
    ///   - error: the underlying error (GRDB `DatabaseError`, decoding errors, or a ``StoreError``, which
    ///     is returned unchanged).
    static func wrapping(_ error: any Error, action: String, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            let detail = error.message ?? "\(error.resultCode)"
            switch error.resultCode {
            case .SQLITE_NOTADB:
                return StoreError(
                    kind: .notAnArchive,
                    message:
                        "\(path) is not an ExpReg archive (SQLite: \(detail)) while trying to \(action); "
                        + "pass the right file with --db, or move this file away so a new archive is created")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(
                    "archive \(path) stayed locked by another connection while trying to \(action) (SQLite: \(detail)); "
                        + "retry once the other expreg command has finished")
            case .SQLITE_CORRUPT:
                return StoreError(
                    "archive \(path) is damaged (SQLite: \(detail)) while trying to \(action); "
                        + "restore it from a backup, or salvage it with `sqlite3 \(path) .recover`")
            case .SQLITE_FULL:
                return StoreError(
                    "disk full while trying to \(action) in archive \(path); free space and run again "
                        + "(runs committed before this one are kept)")
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
                return StoreError(
                    "cannot open or write archive \(path) while trying to \(action) (SQLite: \(detail)); "
                        + "check that the path exists and is writable, or pass another file with --db")
            case .SQLITE_CONSTRAINT:
                return StoreError(
                    "archive \(path) rejected the data while trying to \(action) (SQLite: \(detail)); "
                        + "the data violates the archive schema — this is a bug in the caller, please report it")
            case .SQLITE_IOERR:
                return StoreError(
                    "I/O error on archive \(path) while trying to \(action) (SQLite: \(detail)); "
                        + "check the disk and the file system, then run again (committed runs are kept)")
            default:
                return StoreError(
                    "archive \(path): could not \(action) (SQLite: \(detail)); "
                        + "rerun, and report the message if it persists")
            }
        }
        if error is DecodingError || error is RowDecodingError {
            return StoreError(
                kind: .unreadableRecord,
                message:
                    "archive \(path): stored data could not be read back while trying to \(action) (\(error)); "
                    + "the archive may be damaged or written by an incompatible ExpReg build")
        }
        return StoreError(
            "archive \(path): could not \(action) (\(error)); rerun, and report the message if it persists")
    }
}
