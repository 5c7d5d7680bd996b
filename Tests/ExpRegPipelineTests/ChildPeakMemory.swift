import ExpRegPipeline
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The peak RSS of one run of a program, from `wait4` on that process alone.
///
/// Linux carries a process's RSS high-water mark through `fork` and `execve`: a child spawned
/// straight from this (large, multi-threaded) test process reports at least the test process's
/// own resident size as its `ru_maxrss`, which would hide the child's. So the program is started
/// by a fresh `/bin/sh` (a small image after its own `execve`) in the background; this process is a
/// child subreaper (`PR_SET_CHILD_SUBREAPER`) while the shell runs, so the orphaned program becomes
/// its child, and `wait4` returns the program's own rusage (its maxrss starts from the shell's
/// copy, about 1 MiB). The subreaper flag is cleared as soon as the shell has exited.
enum ChildPeakMemory {
    struct Result {
        var status: Int32
        var peakBytes: Int
        var stdout: String
        var stderr: String
    }

    /// Runs `executable arguments` in `folder` with `environment` and returns its exit status and
    /// peak RSS (`ru_maxrss`, KiB on Linux, as bytes).
    static func run(
        _ executable: String, _ arguments: [String], in folder: URL, environment: [String: String]
    ) throws -> Result {
        let id = UUID().uuidString
        let out = folder.appendingPathComponent("peak-\(id).out").path
        let err = folder.appendingPathComponent("peak-\(id).err").path
        let pidFile = folder.appendingPathComponent("peak-\(id).pid").path
        defer { for path in [out, err, pidFile] { unlink(path) } }
        let script = "cd \"$PEAK_DIR\" && \"$@\" >\"$PEAK_OUT\" 2>\"$PEAK_ERR\" </dev/null & echo $! >\"$PEAK_PID\""
        var shellEnvironment = environment
        shellEnvironment["PEAK_DIR"] = folder.path
        shellEnvironment["PEAK_OUT"] = out
        shellEnvironment["PEAK_ERR"] = err
        shellEnvironment["PEAK_PID"] = pidFile
        try setSubreaper(true)
        let shellStatus: Int32
        do {
            let shell = try ChildProcess.start(
                "/bin/sh", ["-c", script, "sh", executable] + arguments, environment: shellEnvironment,
                stdout: "/dev/null", stderr: err)
            shellStatus = shell.wait()
        } catch {
            try? setSubreaper(false)
            throw error
        }
        try setSubreaper(false)
        guard shellStatus == 0, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw CocoaError(
                .executableLoad, userInfo: [NSLocalizedDescriptionKey: "the shell did not start \(executable)"])
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            status: exit, peakBytes: usage.ru_maxrss * 1024,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// `prctl(PR_SET_CHILD_SUBREAPER, on)` (prctl is variadic in C, so it is looked up by name).
    private static func setSubreaper(_ on: Bool) throws {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "prctl is not available"])
        }
        let setChildSubreaper: Int32 = 36  // PR_SET_CHILD_SUBREAPER, <linux/prctl.h>
        guard unsafeBitCast(symbol, to: Prctl.self)(setChildSubreaper, on ? 1 : 0, 0, 0, 0) == 0 else {
            throw CocoaError(
                .featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "PR_SET_CHILD_SUBREAPER failed"])
        }
    }
}
