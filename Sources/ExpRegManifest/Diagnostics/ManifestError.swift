/// Every problem found while loading a manifest, its data files and its `--set` overrides,
/// reported at once.
///
/// The diagnostics are sorted: the manifest's own by line and column, then data files' (by file,
/// line, column), then positionless ones (`--set`, unreadable files) in the order found. The CLI
/// prints ``description`` to stderr and exits with code 2.
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    /// The problems, sorted as described above; never empty when thrown by ``ManifestLoader``.
    public var diagnostics: [ManifestDiagnostic]

    /// Wraps `diagnostics` as given (no sorting).
    public init(_ diagnostics: [ManifestDiagnostic]) { self.diagnostics = diagnostics }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
