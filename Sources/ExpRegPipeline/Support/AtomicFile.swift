import Foundation

/// Writes files so that a crash never leaves a half-written one: temp name in the same folder,
/// then `rename(2)` into place.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent folder.
    /// - Throws: ``PipelineError`` (status `failure`) naming the path.
    public static func write(_ data: Data, to url: URL) throws(PipelineError) {
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: temp)
            if rename(temp.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temp)
                throw PipelineError.io("cannot move \(temp.path) to \(url.path): \(reason)")
            }
        } catch let error as PipelineError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw PipelineError.io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to url: URL) throws(PipelineError) {
        try write(Data(text.utf8), to: url)
    }
}
