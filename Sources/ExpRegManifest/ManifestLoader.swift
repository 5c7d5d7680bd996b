import ExpRegCore

/// INTERFACE STUB — implemented by the manifest work (issue 3).
///
/// A manifest that parsed and validated, with its expanded plan.
public struct LoadedManifest: Sendable {
    public var plan: Plan
    /// The manifest's text and SHA-256 (hex of the UTF-8 bytes).
    public var text: String
    public var sha256: String
    /// Path as given, and the folder csv paths are relative to.
    public var path: String
    public var baseDirectory: String
    /// Datasets of `source: csv` runs, keyed by the resolved absolute path (validated while loading).
    public var csvDatasets: [String: Dataset]
}

/// One problem in a manifest: where (file:line:column), which key, what was expected/found, a fix.
public struct ManifestDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Dotted key path, e.g. `experiments[0].model.width`.
    public var keyPath: String?
    public var message: String
    /// e.g. "did you mean `width`?"
    public var suggestion: String?

    public init(file: String, line: Int?, column: Int?, keyPath: String?, message: String, suggestion: String?) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        var text = "\(location): error: "
        if let keyPath { text += "\(keyPath): " }
        text += message
        if let suggestion { text += " (\(suggestion))" }
        return text
    }
}

/// All problems found in a manifest (reported at once).
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ManifestDiagnostic]
    public init(_ diagnostics: [ManifestDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

public enum ManifestLoader {
    /// Reads, parses, validates and expands the manifest at `path`, then applies `overrides`
    /// (`KEY=VALUE`, dotted keys) to every run. Also loads and validates every csv data file.
    public static func load(path: String, overrides: [String] = []) throws(ManifestError) -> LoadedManifest {
        fatalError("ManifestLoader.load is not implemented yet")
    }
}
