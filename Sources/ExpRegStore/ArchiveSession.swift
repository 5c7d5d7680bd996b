import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An output root a command writes into besides the archive (`output/`), whose owner marker names
/// the one archive whose batches live there. ExpRegPipeline's `OutputLayout` is one.
public protocol ArchiveOutputRoot {
    /// Refuses (throws) when another archive that still exists owns the root; creates nothing.
    func checkOwner(_ archiveRealPath: String) throws
    /// Records `archiveRealPath` as the root's owner, or refuses as ``checkOwner(_:)`` does.
    func claim(for archiveRealPath: String) throws
}

/// One command's use of an archive, from open to close: the only way to an ``Archive`` and the only
/// place that takes the ``ArchiveLock``.
///
/// A session opens in this order, each step before anything the next one creates:
/// 1. the file is inspected read-only: a file that is not an archive this build can open is
///    refused before the lock creates anything beside it;
/// 2. the output root's owner marker is checked (an output root holding another archive's batches
///    is refused before anything is written);
/// 3. a writer takes the lock (the archive file's inode; exit 4 in the CLI while another holds it);
/// 4. a writer claims the output root (with the lock held, so two writers never race for it);
/// 5. the archive is opened (a writer migrates it and judges older batches; a reader never changes
///    the file).
///
/// ``close()`` closes the archive, then releases the lock: closing any descriptor of the archive
/// file drops this process's POSIX (SQLite) locks on it, so the archive must be closed first.
/// `deinit` closes too, so keep the session (not only its ``archive``) for as long as the archive
/// is used. Not thread-safe: own a session from one task.
///
/// ```swift
/// let session = try ArchiveSession(path: "output/expreg.sqlite", access: .write, output: .claim(layout))
/// defer { session.close() }
/// try session.archive.markInterruptedBatches()
/// ```
public final class ArchiveSession {
    /// What a session may do.
    public enum Access: Sendable {
        /// One writer (`run`, `merge`, `prune --archive`): lock, open read-write.
        case write
        /// A reader (`history`, `export`, `backup`, `index`, …): read-only, no lock, never
        /// changing the file (an older archive is read through a migrated in-memory copy).
        case read
        /// A writer when the lock is free, else a reader (`expreg report` into the archive's own
        /// output root, which records the files' checksums only when no `expreg run` is writing).
        case writeWhenFree
    }

    /// What the session does with the output root it writes into.
    public enum OutputUse {
        /// Check the owner marker and, as a writer, claim the root (`run`, `merge`).
        case claim(any ArchiveOutputRoot)
        /// Check the owner marker only (`report`, `index`, `prune`).
        case check(any ArchiveOutputRoot)
    }

    /// The step of opening that failed, with the archive's error.
    public struct OpenError: Error, Sendable, CustomStringConvertible {
        public enum Step: Sendable {
            /// Inspecting or opening the file (not an archive, a newer schema, I/O).
            case open
            /// Taking the lock (``StoreError/Kind/lockHeld`` while another process holds it).
            case lock
        }

        public var step: Step
        public var error: StoreError
        public var description: String { error.description }
    }

    /// The archive file as given.
    public let path: String
    /// The archive file's real path (symlinks resolved; for a file yet to be created, where it will be).
    public let realArchivePath: String
    /// The open archive. Closed by ``close()``.
    public let archive: Archive
    private var lock: ArchiveLock?
    private var isOpen = true

    /// True when this session holds the archive's lock (and may write it).
    public var isWriter: Bool { lock?.isHeld == true }

    /// Opens a session (steps above).
    /// - Parameters:
    ///   - path: the archive file (for ``Access/write``, missing folders and the file are created).
    ///   - access: writer, reader, or writer when the lock is free.
    ///   - output: the output root the command writes into, or nil.
    /// - Throws: ``OpenError`` for the archive's refusals and failures (step ``OpenError/Step/open``
    ///   or ``OpenError/Step/lock``); whatever `output` throws when it refuses.
    public init(path: String, access: Access, output: OutputUse? = nil) throws {
        self.path = path
        let expected = Self.expectedRealPath(path)
        do {
            try Archive.checkOpenable(path: path)
        } catch {
            throw OpenError(step: .open, error: error)
        }
        switch output {
        case .claim(let root), .check(let root): try root.checkOwner(expected)
        case nil: break
        }
        var lock: ArchiveLock?
        switch access {
        case .write:
            do {
                lock = try ArchiveLock(archivePath: path)
            } catch {
                throw OpenError(step: .lock, error: error)
            }
        case .writeWhenFree:
            lock = try? ArchiveLock(archivePath: path)
        case .read:
            break
        }
        realArchivePath = lock?.realArchivePath ?? expected
        do {
            if case .claim(let root) = output, lock != nil { try root.claim(for: realArchivePath) }
            archive = try Archive(path: path, access: lock == nil ? .readOnly : .readWrite)
        } catch let error as StoreError {
            lock?.release()
            throw OpenError(step: .open, error: error)
        } catch {
            lock?.release()
            throw error
        }
        self.lock = lock
    }

    /// Closes the archive, then releases the lock; calling it again does nothing.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        archive.close()
        lock?.release()
        lock = nil
    }

    deinit { close() }

    /// The real path `path` has or will have: `realpath` of the file, else of its nearest existing
    /// folder joined with the rest of the path.
    public static func expectedRealPath(_ path: String) -> String {
        var missing: [String] = []
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while url.path != "/" {
            if let resolved = realpath(url.path, nil) {
                defer { free(resolved) }
                return ([String(cString: resolved)] + missing.reversed()).joined(separator: "/")
            }
            missing.append(url.lastPathComponent)
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
