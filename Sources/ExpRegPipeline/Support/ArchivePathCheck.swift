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

extension ArchivePathCheck {
    /// The real path `path` has or will have: `realpath` of the file, else of its nearest existing
    /// folder joined with the rest of the path.
    static func expectedRealPath(_ path: String) -> String {
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
