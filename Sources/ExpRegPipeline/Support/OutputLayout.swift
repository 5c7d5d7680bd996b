import ExpRegFiles
import Foundation

/// Paths of the output tree (docs/outputs.md).
///
/// ```
/// <root>/expreg.sqlite            the archive (default --db)
/// <root>/<batch-id>/...           one folder per batch
/// <root>/latest -> <batch-id>     newest completed batch
/// <root>/.expreg-archive          the real path of the one archive whose batches live here
/// ```
///
/// A batch folder is ours alone: a new batch never gets an id whose path is taken by anything (a
/// file, a folder, a symlink, dangling or not), and nothing is written into or through a batch
/// folder that is not a real folder.
public struct OutputLayout: Sendable {
    public var root: URL

    public init(root: URL) { self.root = root }

    public func batchFolder(_ batchID: String) -> URL { root.appendingPathComponent(batchID, isDirectory: true) }
    public func plotsFolder(_ batchID: String) -> URL {
        batchFolder(batchID).appendingPathComponent("plots", isDirectory: true)
    }
    public var latestLink: URL { root.appendingPathComponent("latest") }

    /// Points `<root>/latest` at `batchID` (a relative symlink), replacing any previous link atomically.
    public func pointLatest(at batchID: String) throws(PipelineError) {
        let temp = URL(fileURLWithPath: AtomicFile.temporaryPath(for: latestLink.path))
        guard symlink(batchID, temp.path) == 0, rename(temp.path, latestLink.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw PipelineError.io("cannot update \(latestLink.path): \(reason)")
        }
    }

    /// Removes temporary files (``AtomicFile/temporaryPath(for:)``: every writer's, `latest`'s too)
    /// that a killed process left in the batch folder, its `plots/` and the root. A file whose pid
    /// is still alive is left alone (it may be that process's write in flight).
    public func removeStaleTemporaryFiles(_ batchID: String) {
        for folder in [root, batchFolder(batchID), plotsFolder(batchID)] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names where name.hasPrefix(".") {
                guard let pid = AtomicFile.temporaryOwner(ofName: name) else { continue }
                if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                    unlink(folder.appendingPathComponent(name).path)
                }
            }
        }
    }

    /// The file naming the archive that owns this output root.
    public var ownerFile: URL { root.appendingPathComponent(".expreg-archive") }

    /// True when anything exists at the batch folder's path (`lstat`: a dangling symlink counts).
    public func isOccupied(_ batchID: String) -> Bool {
        var info = stat()
        return lstat(batchFolder(batchID).path, &info) == 0
    }

    /// Makes sure the batch folder (and its `plots/`) is a real folder of ours, creating it when
    /// missing: a symlink or a file there is refused, so nothing is written through it.
    public func prepareBatchFolder(_ batchID: String) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.invalid("output folder \(root.path) cannot be created: \(error.localizedDescription)")
        }
        for folder in [batchFolder(batchID), plotsFolder(batchID)] {
            var info = stat()
            if lstat(folder.path, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw PipelineError.invalid(
                        "\(folder.path) exists and is not a folder (a symlink or a file); ExpReg "
                            + "writes only into batch folders it created: move it away and retry")
                }
            } else if mkdir(folder.path, 0o755) != 0 && errno != EEXIST {
                throw PipelineError.io("cannot create \(folder.path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Records that the archive at `archiveRealPath` owns this root, or refuses (exit 2) when
    /// another archive that still exists owns it: two archives writing one root would mix their
    /// batch folders and flip each other's `latest`. A root owned by an archive that no longer
    /// exists is taken over.
    public func claim(for archiveRealPath: String) throws(PipelineError) {
        if let owner = try owner(), owner != archiveRealPath, FileManager.default.fileExists(atPath: owner) {
            throw PipelineError.invalid(
                "output folder \(root.path) holds the batches of another archive, \(owner); two archives cannot share "
                    + "an output folder (batch folders and `latest` would mix): pass another --output, or --db \(owner)"
            )
        }
        if try owner() == archiveRealPath { return }
        do {
            try AtomicFile.write(Data((archiveRealPath + "\n").utf8), to: ownerFile)
        } catch {
            throw PipelineError.io("cannot write \(ownerFile.path): \(error)")
        }
    }

    /// Refuses (exit 2) when another existing archive owns this root (see ``claim(for:)``).
    public func checkOwner(_ archiveRealPath: String) throws(PipelineError) {
        if let owner = try owner(), owner != archiveRealPath, FileManager.default.fileExists(atPath: owner) {
            throw PipelineError.invalid(
                "output folder \(root.path) holds the batches of another archive, \(owner); write this archive's "
                    + "reports to another --output")
        }
    }

    /// The archive path recorded in ``ownerFile``, or nil when there is none.
    func owner() throws(PipelineError) -> String? {
        guard let data = FileManager.default.contents(atPath: ownerFile.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Checks that the root can be created and written (before anything is trained).
    public func checkWritable() throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.invalid("output folder \(root.path) cannot be created: \(error.localizedDescription)")
        }
        let probe = root.appendingPathComponent(".write-probe-\(getpid())")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw PipelineError.invalid("output folder \(root.path) is not writable")
        }
        unlink(probe.path)
    }
}

/// `<UTC start>-<manifest name>`, e.g. `20261129T043000Z-nightly-exp`.
public func makeBatchID(startedAt: Date, manifestName: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return "\(formatter.string(from: startedAt))-\(manifestName)"
}
