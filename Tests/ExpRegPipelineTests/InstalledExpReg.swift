import ExpRegTestSupport
import Foundation

/// An installation of the binary under test, made by the Makefile's own `install-files` target
/// (what `make install` runs after the release build) with the debug binary the tests built:
/// `prefix/bin/expreg` and `prefix/share/expreg/templates/`, as a user would have them.
struct InstalledExpReg {
    let prefix: URL

    var binary: URL { prefix.appendingPathComponent("bin/expreg") }
    var templates: URL { prefix.appendingPathComponent("share/expreg/templates") }

    /// Runs `make install-files PREFIX=prefix INSTALL_BIN=<test binary>` in the checkout.
    /// - Throws: when make fails (its output in the message).
    static func install(into prefix: URL) throws -> InstalledExpReg {
        try make(["install-files", "PREFIX=\(prefix.path)", "INSTALL_BIN=\(ExpRegProcess.binary.path)"])
        return InstalledExpReg(prefix: prefix)
    }

    /// Runs `make uninstall PREFIX=prefix` in the checkout.
    func uninstall() throws {
        try Self.make(["uninstall", "PREFIX=\(prefix.path)"])
    }

    /// Every file (not folder) under the prefix, relative to it, sorted.
    func files() -> [String] {
        let enumerator = FileManager.default.enumerator(at: prefix, includingPropertiesForKeys: [.isRegularFileKey])
        var found: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                found.append(String(url.path.dropFirst(prefix.path.count + 1)))
            }
        }
        return found.sorted()
    }

    private static func make(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["make", "--no-print-directory", "-C", Fixtures.repositoryRoot.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(
                .executableLoad,
                userInfo: [NSLocalizedDescriptionKey: "make \(arguments.joined(separator: " ")) failed: \(text)"])
        }
    }
}
