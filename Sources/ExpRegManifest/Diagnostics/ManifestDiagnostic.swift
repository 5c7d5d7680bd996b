/// One problem in a manifest, a data file or a `--set` override.
///
/// Its ``description`` is the line printed to stderr:
/// `FILE:LINE:COLUMN: error: KEY.PATH: what was expected, what was found (suggestion)`.
/// `line` and `column` are 1-based and `nil` where no position exists (a `--set` override, an
/// unreadable file). Columns count Unicode scalars, as libyaml does.
public struct ManifestDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The manifest's path as given, a data file's path, or `--set`.
    public var file: String
    /// 1-based line, or `nil` when the problem has no position.
    public var line: Int?
    /// 1-based column (Unicode scalars), or `nil` when the problem has no position.
    public var column: Int?
    /// Dotted key path, e.g. `experiments[0].model.width`.
    public var keyPath: String?
    /// What was expected and what was found.
    public var message: String
    /// A fix, e.g. "did you mean `width`?".
    public var suggestion: String?

    /// Creates a diagnostic; see the properties for the meaning of each field.
    public init(file: String, line: Int?, column: Int?, keyPath: String?, message: String, suggestion: String?) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.suggestion = suggestion
    }

    /// `FILE[:LINE[:COLUMN]]: error: [KEY.PATH: ]MESSAGE[ (SUGGESTION)]`.
    public var description: String {
        var text = "\(location): error: "
        if let keyPath { text += "\(keyPath): " }
        text += message
        if let suggestion { text += " (\(suggestion))" }
        return text
    }

    /// `FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`.
    public var location: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return location
    }
}
