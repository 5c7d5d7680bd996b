/// A file written for a batch: its path relative to the batch folder, SHA-256 and size.
///
/// Archived in the `artifacts` table, keyed by (batch id, path): recording the same path again
/// replaces the earlier checksum (a rebuilt report).
public struct Artifact: Sendable, Equatable, Codable {
    /// Path relative to the batch folder, e.g. `plots/loss.png`.
    public var path: String
    /// SHA-256 of the file's bytes, lowercase hex (64 characters).
    public var sha256: String
    /// File size in bytes.
    public var bytes: Int

    /// A written file; `sha256` is lowercase hex, `bytes` the size.
    public init(path: String, sha256: String, bytes: Int) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}
