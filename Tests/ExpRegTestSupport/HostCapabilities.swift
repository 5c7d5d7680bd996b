import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What this host lets a test do beyond ordinary files and processes, each probed once, with the
/// reason a test that needs it is skipped (nil when it can run). Tests use them through
/// ``Testing/Trait/skipped(because:)``, so Swift Testing reports such a test as skipped with the
/// reason instead of passing it.
public enum HostCapabilities {
    /// A folder every user may enter, for tests that run `expreg` as another user: `/tmp`, else
    /// `/var/tmp`, when world-writable with the sticky bit. `TMPDIR` is not used: it may be private
    /// (a newcomer's `mktemp -d` folder, a home folder), and another user could not reach it.
    public static let sharedTemporaryBase: URL? = ["/tmp", "/var/tmp"].first { path in
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & 0o1777 == 0o1777
    }.map { URL(fileURLWithPath: $0, isDirectory: true) }

    /// The unprivileged account tests run commands as (`nobody`, uid and gid 65534 on Debian).
    public static let otherUserID: UInt32 = 65534

    /// Why a test cannot run a command as another user here: it must be root (to switch user, and
    /// because root ignores permissions, so only another user shows them), have setpriv(1), and a
    /// folder that user can enter.
    public static let otherUserUnavailable: String? = {
        if getuid() != 0 { return "needs root to run expreg as another user (uid \(getuid()) here)" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") { return "needs /usr/bin/setpriv" }
        if sharedTemporaryBase == nil { return "neither /tmp nor /var/tmp is a world-writable sticky folder" }
        return nil
    }()

    /// Why a test cannot mount file systems here (a small tmpfs, a read-only bind mount): probed
    /// once by mounting and unmounting a tmpfs in a temporary folder (needs root and CAP_SYS_ADMIN).
    public static let mountUnavailable: String? = {
        let folder = TemporaryDirectory(prefix: "expreg-mount-probe")
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]) == 0 else {
            return "mounting is not permitted here (needs root and CAP_SYS_ADMIN)"
        }
        _ = run("/bin/umount", [folder.path])
        return nil
    }()

    /// Why a local TLS server cannot be started here (``LocalTLSServer`` needs python3 and openssl).
    public static let tlsServerUnavailable: String? = {
        let missing = ["python3", "openssl"].filter { LocalTLSServer.which($0) == nil }
        return missing.isEmpty ? nil : "\(missing.joined(separator: " and ")) not installed: no local TLS server"
    }()

    /// Runs `program arguments` quietly; its exit status (-1 when it cannot start).
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension Trait where Self == ConditionTrait {
    /// Skips the test or suite when `reason` is not nil, with `reason` as Swift Testing's comment
    /// (a ``HostCapabilities`` reason, or any other "cannot run here because …"); runs it when nil.
    public static func skipped(because reason: String?) -> Self {
        .enabled(if: reason == nil, Comment(rawValue: reason ?? "runs here"))
    }
}
