import ExpRegTestSupport
import Foundation

/// Runs the real `expreg` binary built next to the test bundle.
struct ExpRegProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `.build/<triple>/debug/expreg` beside the running test executable.
    static let binary: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The test executable lives in `<build>/ExpRegPackageTests.xctest` (a file) or inside a bundle folder.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("expreg")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/expreg")
    }()

    /// Environment for the child: templates from the checkout, no terminal progress.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["EXPREG_TEMPLATES"] = Fixtures.repositoryRoot.appendingPathComponent("templates").path
        return env
    }

    /// Where child processes' stdout/stderr files go: a temporary folder, never the working folder
    /// (which may be a committed fixtures folder).
    static let logFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("expreg-test-logs-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Starts the binary (or `executable`, e.g. a wrapper that runs it) in `folder`; its stdout/stderr
    /// go to files in ``logFolder``. `launcher` runs the binary through another program (e.g.
    /// `["/usr/bin/taskset", "-c", "0"]`); `extraEnvironment` is added to ``environment`` and the
    /// variables named in `unsetting` are removed from it.
    static func start(
        _ arguments: [String], in folder: URL, executable: URL? = nil, launcher: [String] = [],
        extraEnvironment: [String: String] = [:], unsetting: [String] = []
    ) throws -> RunningProcess {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [(executable ?? binary).path] + arguments
        } else {
            process.executableURL = executable ?? binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = folder
        process.environment = environment.merging(extraEnvironment) { $1 }.filter { !unsetting.contains($0.key) }
        let id = UUID().uuidString.prefix(8)
        let out = logFolder.appendingPathComponent("stdout-\(id).txt")
        let err = logFolder.appendingPathComponent("stderr-\(id).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningProcess(process: process, stdoutURL: out, stderrURL: err)
    }

    /// Runs the binary to completion, killed after `timeout` seconds: a guard against a hung
    /// process, not a speed check, so it is far above what any command here takes on an idle
    /// machine (a 2-core CI machine shared with other builds runs them 10–20× slower).
    static func run(
        _ arguments: [String], in folder: URL, timeout: TimeInterval = 1200,
        executable: URL? = nil, launcher: [String] = [],
        extraEnvironment: [String: String] = [:], unsetting: [String] = []
    ) throws -> Result {
        let running = try start(
            arguments, in: folder, executable: executable, launcher: launcher,
            extraEnvironment: extraEnvironment, unsetting: unsetting)
        return running.wait(timeout: timeout)
    }
}

final class RunningProcess {
    let process: Process
    let stdoutURL: URL
    let stderrURL: URL

    init(process: Process, stdoutURL: URL, stderrURL: URL) {
        self.process = process
        self.stdoutURL = stdoutURL
        self.stderrURL = stderrURL
    }

    var pid: Int32 { process.processIdentifier }

    func wait(timeout: TimeInterval) -> ExpRegProcess.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        process.waitUntilExit()
        let result = ExpRegProcess.Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
        return result
    }

    var stderrSoFar: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
}

/// Writes a manifest into `folder` and returns its path.
func writeManifest(_ text: String, named name: String = "manifest.yaml", in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Waits until `condition` holds or `timeout` passes; returns whether it held.
func eventually(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}
