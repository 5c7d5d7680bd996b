import Foundation

/// Locations of the test fixtures and the repository, resolved from this source file's path so the
/// suite runs from any clone.
public enum Fixtures {
    /// `<repo>/Tests/Fixtures`.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The repository root (holds Package.swift, templates/, manifests/).
    public static let repositoryRoot: URL = directory.deletingLastPathComponent().deletingLastPathComponent()

    /// `<repo>/Tests/Fixtures/reference/<name>` (copied from the independent reference vectors).
    public static func referenceCase(_ name: String) -> URL {
        directory.appendingPathComponent("reference").appendingPathComponent(name)
    }
}

/// A fresh temporary folder, removed when the value is deinitialised.
public final class TemporaryDirectory {
    public let url: URL

    /// A folder under `FileManager.default.temporaryDirectory` (`TMPDIR`), private to this user
    /// as the system makes it.
    public init(prefix: String = "expreg-test") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A folder under `base` with mode `permissions` whatever the umask (e.g. 0o755 under
    /// ``HostCapabilities/sharedTemporaryBase``, for a test that runs a command as another user).
    public init(prefix: String = "expreg-test", in base: URL, permissions: mode_t) {
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        chmod(url.path, permissions)
    }

    public var path: String { url.path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Reads a CSV file of numbers; `header: true` skips the first line. Returns rows of Doubles.
public func readNumericCSV(_ url: URL, header: Bool) throws -> [[Double]] {
    let text = try String(contentsOf: url, encoding: .utf8)
    var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    if header { lines.removeFirst() }
    return try lines.map { line in
        try line.split(separator: ",").map { field in
            guard let value = Double(field.trimmingCharacters(in: .whitespaces)) else {
                throw CocoaError(
                    .fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "not a number: \(field) in \(url.path)"]
                )
            }
            return value
        }
    }
}
