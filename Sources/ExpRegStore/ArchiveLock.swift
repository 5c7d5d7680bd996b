import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exclusive lock of an archive's writer, held on the archive file itself: a non-blocking
/// `flock(LOCK_EX | LOCK_NB)` on the database file's inode.
///
/// Because the lock belongs to the file (device + inode) and not to a path, a second writer that
/// reaches the same archive through a symlink, a hard link, `..` or another mount of the same file
/// system meets the same lock, and deleting any file beside the archive cannot open it up.
/// A missing archive file is created empty first (SQLite treats an empty file as a new database).
///
/// The holder also writes `pid=<pid> started=<ISO-8601 UTC> host=<host>` into `<real path>.lock`
/// beside the archive's real file, and takes a `flock` on that file too (so an older ExpReg, which
/// only locks `<archive>.lock`, is kept out as well). A second `expreg run` fails at once with that
/// text (exit 4 in the CLI); when the text file was deleted, the holder's pid is read from
/// `/proc/locks`. The kernel drops both locks when the holder exits, however it exits.
///
/// `flock` locks belong to the open file description, so two `ArchiveLock`s in one process also
/// conflict; SQLite's own locks are POSIX `fcntl` locks, which `flock` does not interact with on
/// Linux. Closing any descriptor of the archive file drops this process's POSIX locks on it, so
/// the ``Archive`` is closed before ``release()``: ``ArchiveSession``, the only holder of this
/// lock, does so. Not thread-safe: own it from one task; ``release()`` or `deinit` unlocks.
final class ArchiveLock {
    /// The holder-text file, `<real path of the archive>.lock`.
    let lockPath: String
    /// The archive file's real path (symlinks resolved).
    let realArchivePath: String
    /// What this holder wrote into the lock file.
    let holderDescription: String

    private var archiveDescriptor: Int32
    private var textDescriptor: Int32

    /// Takes the archive's lock without waiting.
    ///
    /// Creates missing parent folders and an empty archive file when there is none.
    /// - Parameter archivePath: the archive file (need not exist yet; may be a symlink).
    /// - Throws: ``StoreError`` with kind ``StoreError/Kind/lockHeld`` and ``StoreError/holder`` set
    ///   when another process (or another `ArchiveLock`) holds it; kind ``StoreError/Kind/failure``
    ///   when the archive or the lock file cannot be opened or created.
    init(archivePath: String) throws(StoreError) {
        let folder = URL(fileURLWithPath: archivePath).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var fd = open(archivePath, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            fd = open(archivePath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(
                "cannot open or create the archive file \(archivePath) to lock it (\(reason)); "
                    + "check that its folder exists and is writable, or pass another --db")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw StoreError(
                "cannot lock \(archivePath): it is not a regular file (a folder?); pass an archive file with --db")
        }
        let real = Self.realPath(archivePath) ?? archivePath
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK || code == EAGAIN {
                throw Self.heldError(archivePath: archivePath, realPath: real, device: info.st_dev, inode: info.st_ino)
            }
            throw StoreError(
                "cannot lock \(archivePath) (\(String(cString: strerror(code)))); "
                    + "check that the file system supports flock, or pass another --db")
        }
        let textPath = real + ".lock"
        let textFD = open(textPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard textFD >= 0 else {
            let reason = String(cString: strerror(errno))
            flock(fd, LOCK_UN)
            close(fd)
            throw StoreError(
                "cannot create the lock file \(textPath) (\(reason)); "
                    + "check that its folder is writable, or pass another --db")
        }
        guard flock(textFD, LOCK_EX | LOCK_NB) == 0 else {
            // Only a process that does not lock the archive file itself (an older ExpReg) gets here.
            let holder = Self.readText(textFD).trimmingCharacters(in: .whitespacesAndNewlines)
            close(textFD)
            flock(fd, LOCK_UN)
            close(fd)
            let who = holder.isEmpty ? "holder details not written yet" : holder
            throw StoreError(
                kind: .lockHeld,
                message:
                    "archive \(archivePath) is in use by another expreg run (\(who)); wait for it to finish "
                    + "(the lock on \(textPath) is released when that process exits)", holder: holder)
        }
        archiveDescriptor = fd
        textDescriptor = textFD
        lockPath = textPath
        realArchivePath = real
        let started = ISO8601DateFormatter().string(from: Date())
        holderDescription = "pid=\(getpid()) started=\(started) host=\(ProcessInfo.processInfo.hostName)"
        // Best effort: the lock is already ours; the text only helps the next process's message.
        _ = ftruncate(textFD, 0)
        let line = holderDescription + "\n"
        _ = line.withCString { pointer in pwrite(textFD, pointer, strlen(pointer), 0) }
        _ = fsync(textFD)
    }

    /// True until ``release()``.
    var isHeld: Bool { archiveDescriptor >= 0 }

    /// Clears the holder text and unlocks; calling it again does nothing.
    func release() {
        guard archiveDescriptor >= 0 else { return }
        _ = ftruncate(textDescriptor, 0)
        _ = flock(textDescriptor, LOCK_UN)
        close(textDescriptor)
        _ = flock(archiveDescriptor, LOCK_UN)
        close(archiveDescriptor)
        archiveDescriptor = -1
        textDescriptor = -1
    }

    deinit { release() }

    /// The error for a lock held by someone else: the holder's text, or its pid from `/proc/locks`.
    private static func heldError(archivePath: String, realPath: String, device: dev_t, inode: ino_t) -> StoreError {
        let textPath = realPath + ".lock"
        var holder = ""
        let fd = open(textPath, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            holder = readText(fd).trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
        }
        var who = holder
        if who.isEmpty {
            who =
                lockingPID(device: device, inode: inode).map { "pid=\($0), holder details not written" }
                ?? "holder details not written"
        }
        let alias = realPath == archivePath ? "" : " (the file \(realPath))"
        return StoreError(
            kind: .lockHeld,
            message:
                "archive \(archivePath)\(alias) is in use by another expreg run (\(who)); wait for it to finish "
                + "(its lock on the archive file is released when that process exits)", holder: who)
    }

    /// The pid holding an exclusive `flock` on (device, inode), from `/proc/locks` (Linux), or nil.
    ///
    /// A line reads `1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF` (device as hex major:minor).
    static func lockingPID(device: dev_t, inode: ino_t) -> Int32? {
        guard let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let dev = UInt64(device)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let identity = String(format: "%02llx:%02llx:%llu", major, minor, UInt64(inode))
        for line in text.split(separator: "\n") where !line.contains("->") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE",
                fields[5].lowercased() == identity
            else { continue }
            return Int32(fields[4])
        }
        return nil
    }

    /// `realpath(3)` of `path`, or nil.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The file's text from offset 0 (at most 4 KiB).
    private static func readText(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "" }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
