import ExpRegLinAlg
import Foundation

/// Facts about the tool and the machine recorded with every batch.
public enum Provenance {
    /// ExpReg's version (semantic versioning); recorded in every batch and results.json.
    public static let toolVersion = "0.1.0"

    /// This machine's host name.
    public static var host: String { ProcessInfo.processInfo.hostName }

    /// The CPU model: the first `model name` of /proc/cpuinfo (nil where there is none, e.g. on
    /// some ARM kernels or without /proc).
    public static var cpuModel: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return cpuModel(cpuinfo: text)
    }

    /// The first `model name` value of a /proc/cpuinfo text, spaces trimmed.
    static func cpuModel(cpuinfo text: String) -> String? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "model name" else { continue }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// OpenBLAS's core type on this machine (its kernels differ per core type, so its last bits may too).
    public static var blasCore: String { BLAS.coreName }

    /// The git commit of the checkout the running binary was built from, when it is in one.
    ///
    /// Looks upward from the executable's folder for a `.git` entry and asks `git rev-parse HEAD`
    /// there; returns nil when there is no checkout or git is missing (never fails the run).
    public static func gitCommit(executablePath: String = ExecutableLocation.current) -> String? {
        for folder in ExecutableLocation.folderAndParents(of: executablePath)
        where FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) {
            return runGit(["-C", folder.path, "rev-parse", "HEAD"])
        }
        return nil
    }

    private static func runGit(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
