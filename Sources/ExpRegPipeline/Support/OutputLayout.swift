import Foundation

/// Paths of the output tree (DESIGN.md "Output layout").
///
/// ```
/// <root>/expreg.sqlite            the archive (default --db)
/// <root>/<batch-id>/...           one folder per batch
/// <root>/latest -> <batch-id>     newest batch
/// ```
public struct OutputLayout: Sendable {
    public var root: URL

    public init(root: URL) { self.root = root }

    public func batchFolder(_ batchID: String) -> URL { root.appendingPathComponent(batchID, isDirectory: true) }
    public func plotsFolder(_ batchID: String) -> URL { batchFolder(batchID).appendingPathComponent("plots", isDirectory: true) }
    public var latestLink: URL { root.appendingPathComponent("latest") }

    /// Points `<root>/latest` at `batchID` (a relative symlink), replacing any previous link atomically.
    public func pointLatest(at batchID: String) throws(PipelineError) {
        let temp = root.appendingPathComponent(".latest.tmp-\(getpid())")
        unlink(temp.path)
        guard symlink(batchID, temp.path) == 0, rename(temp.path, latestLink.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw PipelineError.io("cannot update \(latestLink.path): \(reason)")
        }
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
