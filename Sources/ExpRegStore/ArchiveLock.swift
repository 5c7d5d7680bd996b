#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The exclusive lock of an archive's writer: a non-blocking `flock(LOCK_EX | LOCK_NB)` on the file
/// `<archive>.lock` beside the archive.
///
/// The holder writes `pid=<pid> started=<ISO-8601 UTC> host=<host>` into the lock file; a second
/// `expreg run` on the same archive fails at once with that text (exit 4 in the CLI). The kernel
/// drops the lock when the holder exits, however it exits, so a crash never leaves a stale lock;
/// the lock file itself is kept (deleting it would race with a new holder).
///
/// `flock` locks belong to the open file description, so two `ArchiveLock`s in one process also
/// conflict. Not thread-safe: own it from one task; ``release()`` or `deinit` unlocks.
public final class ArchiveLock {
    /// The lock file, `<archive>.lock`.
    public let lockPath: String
    /// What this holder wrote into the lock file.
    public let holderDescription: String

    private var descriptor: Int32

    /// Takes the archive's lock without waiting.
    ///
    /// Creates missing parent folders of the lock file.
    /// - Parameter archivePath: the archive file (need not exist yet).
    /// - Throws: ``StoreError`` with kind ``StoreError/Kind/lockHeld`` and ``StoreError/holder`` set
    ///   when another process (or another `ArchiveLock`) holds it; kind ``StoreError/Kind/failure``
    ///   when the lock file cannot be created.
    public init(archivePath: String) throws(StoreError) {
        lockPath = archivePath + ".lock"
        let folder = URL(fileURLWithPath: lockPath).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError("cannot create the lock file \(lockPath) (\(reason)); "
                             + "check that its folder exists and is writable, or pass another --db")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readText(fd).trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            if code == EWOULDBLOCK || code == EAGAIN {
                let who = holder.isEmpty ? "holder details not written yet" : holder
                throw StoreError(kind: .lockHeld, message:
                    "archive \(archivePath) is in use by another expreg run (\(who)); wait for it to finish "
                    + "(the lock \(lockPath) is released when that process exits)", holder: holder)
            }
            throw StoreError("cannot lock \(lockPath) (\(String(cString: strerror(code)))); "
                             + "check that the file system supports flock, or pass another --db")
        }
        descriptor = fd
        let started = ISO8601DateFormatter().string(from: Date())
        holderDescription = "pid=\(getpid()) started=\(started) host=\(ProcessInfo.processInfo.hostName)"
        // Best effort: the lock is already ours; the text only helps the next process's message.
        _ = ftruncate(fd, 0)
        let line = holderDescription + "\n"
        _ = line.withCString { pointer in pwrite(fd, pointer, strlen(pointer), 0) }
        _ = fsync(fd)
    }

    /// True until ``release()``.
    public var isHeld: Bool { descriptor >= 0 }

    /// Clears the holder text and unlocks; calling it again does nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// The file's text from offset 0 (at most 4 KiB).
    private static func readText(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "" }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
