import Foundation

/// Usage checks of a `--db` path before any command touches it: not empty, not a folder, and
/// (for a new archive) a parent that is a folder or can become one.
enum ArchivePathCheck {
    /// - Throws: ``PipelineError`` with exit status 2 and the fix.
    static func validate(_ path: String) throws(PipelineError) {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PipelineError.invalid("--db is empty: pass the archive file, e.g. --db output/expreg.sqlite")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw PipelineError.invalid(
                "--db \(path) is a folder, not an archive file; pass a file, e.g. "
                    + "--db \(URL(fileURLWithPath: path).appendingPathComponent("expreg.sqlite").relativePath)")
        }
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder) && parent.path != "/" {
            parent = parent.deletingLastPathComponent()
        }
        if !isFolder.boolValue {
            throw PipelineError.invalid(
                "--db \(path): \(parent.path) is a file, so the archive's folder cannot be created; pass another --db")
        }
    }
}

/// Usage checks of an `--output` root: not empty, and not an existing non-folder.
public enum OutputRootCheck {
    /// - Throws: ``PipelineError`` with exit status 2 and the fix.
    public static func validate(_ root: String) throws(PipelineError) {
        guard !root.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PipelineError.invalid("--output is empty: pass a folder, e.g. --output output")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), !isFolder.boolValue {
            throw PipelineError.invalid(
                "--output \(root) is a file, not a folder; pass a folder (it is created when missing)")
        }
    }
}
