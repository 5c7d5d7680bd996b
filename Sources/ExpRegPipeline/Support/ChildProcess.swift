import Foundation

/// A child process started with `posix_spawn`, with every signal unblocked and at its default
/// action, and reaped with `waitpid` by its own pid.
///
/// Foundation's `Process` passes on the parent's blocked-signal mask (a test runner blocks most
/// signals, so its children could not be stopped with SIGTERM) and relies on a SIGCHLD handler
/// that a blocked mask can starve; Slurm daemons and clients need neither problem.
package struct ChildProcess: Sendable {
    package let pid: pid_t

    /// Starts `executable` (a path, or a name looked up on `PATH` of `environment`) with stdin
    /// from /dev/null and stdout/stderr appended to the given files.
    /// - Throws: ``PipelineError`` (exit 1) when the program is not found or cannot start.
    package static func start(
        _ executable: String, _ arguments: [String], environment: [String: String],
        stdout: String, stderr: String
    ) throws(PipelineError) -> ChildProcess {
        let path = try resolve(executable, environment: environment)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw PipelineError.io("cannot start \(path): \(String(cString: strerror(code)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Runs to the end; returns (exit status, stdout, stderr). A signal death is 128 + signal.
    package static func run(
        _ executable: String, _ arguments: [String],
        environment: [String: String]
    ) throws(PipelineError) -> (status: Int32, stdout: String, stderr: String) {
        let folder = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        let out = folder.appendingPathComponent("expreg-child-\(id).out").path
        let err = folder.appendingPathComponent("expreg-child-\(id).err").path
        defer {
            unlink(out)
            unlink(err)
        }
        let child = try start(executable, arguments, environment: environment, stdout: out, stderr: err)
        let status = child.wait()
        return (
            status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }

    /// Blocks until the child exits; returns its exit status (128 + signal when killed).
    package func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return Self.decode(status)
    }

    /// The exit status if the child has exited (reaping it), nil while it runs.
    package func poll() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid ? Self.decode(status) : (result == -1 ? -1 : nil)
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func resolve(_ executable: String, environment: [String: String]) throws(PipelineError) -> String {
        if executable.contains("/") { return executable }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PipelineError.io("\(executable) not found on PATH (\(path))")
    }
}
