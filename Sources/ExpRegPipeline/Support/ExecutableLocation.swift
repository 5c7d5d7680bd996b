import Foundation

/// Where the running `expreg` binary is, for finding what it reads beside itself (templates, the
/// build checkout's git commit).
///
/// `CommandLine.arguments[0]` is not a path when the binary is started through `PATH` (`expreg run …`
/// gives `expreg`), so the kernel's `/proc/self/exe` is asked first; its answer is the real file,
/// symbolic links resolved.
public enum ExecutableLocation {
    /// The running executable's real path: `/proc/self/exe` resolved, else `argv[0]` resolved
    /// against the working folder and symbolic links.
    public static var current: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/")
        {
            return path
        }
        let first = CommandLine.arguments.first ?? ""
        return URL(fileURLWithPath: first).resolvingSymlinksInPath().path
    }

    /// The folder holding `executablePath`, symbolic links resolved.
    static func folder(of executablePath: String) -> URL {
        URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// `folder(of:)` and each parent above it, nearest first, at most `levels` folders.
    static func folderAndParents(of executablePath: String, levels: Int = 8) -> [URL] {
        var folders: [URL] = []
        var dir = folder(of: executablePath)
        for _ in 0..<levels {
            folders.append(dir)
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return folders
    }
}
