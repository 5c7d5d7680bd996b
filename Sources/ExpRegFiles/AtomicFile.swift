import Foundation

/// Files replaced whole: written under a temporary name beside the target, then renamed into
/// place (`rename(2)` is atomic within a folder), so a crash never leaves a half-written file.
///
/// The one owner of that rule in ExpReg: reports, results.json, plots, the one-pager, the front
/// page, `latest`, backups and Slurm scripts all use it. Every temporary name has the form
/// `.<name>.tmp-<pid>-<8 hex digits>` (``temporaryPath(for:)``), so what a killed process left
/// behind can be recognised by its owner's pid (``temporaryOwner(ofName:)``) and removed.
public enum AtomicFile {
    /// A file that could not be written or moved into place.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The file ExpReg meant to write.
        public var path: String
        /// What went wrong (the system's words).
        public var reason: String

        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// The temporary path for `path`: `.<name>.tmp-<pid>-<8 hex digits>` in the same folder (the
    /// random suffix keeps two threads of one process apart).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(suffix)").path
    }

    /// The pid of the process that made the temporary file called `name` (a file name, not a
    /// path), or nil when `name` is not an ExpReg temporary name.
    public static func temporaryOwner(ofName name: String) -> Int32? {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards) else { return nil }
        return name[range.upperBound...].split(separator: "-").first.flatMap { Int32($0) }
    }

    /// Lets `body` write the file at the temporary path it is given, then renames that file to
    /// `path`. Nothing is left behind when `body` throws or the rename fails.
    /// - Throws: what `body` throws, or ``Failure`` when the rename fails.
    public static func replace(_ path: String, writing body: (_ temporaryPath: String) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        do {
            try body(temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(path: path, reason: reason)
        }
    }

    /// Writes `data` to `url` atomically, creating the parent folder.
    /// - Throws: ``Failure`` naming the path.
    public static func write(_ data: Data, to url: URL) throws(Failure) {
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true)
            try replace(url.path) { temporary in try data.write(to: URL(fileURLWithPath: temporary)) }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes UTF-8 text to `url` atomically, creating the parent folder.
    /// - Throws: ``Failure`` naming the path.
    public static func write(_ text: String, to url: URL) throws(Failure) {
        try write(Data(text.utf8), to: url)
    }
}
