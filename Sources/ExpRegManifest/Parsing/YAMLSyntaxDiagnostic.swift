import Yams

/// Turns a Yams error into a located diagnostic (without echoing the whole text, which some Yams
/// error descriptions do).
enum YAMLSyntaxDiagnostic {
    /// A 1-based line and column.
    struct Position {
        var line: Int
        var column: Int
    }

    static func make(_ error: any Error, file: String, text: String) -> ManifestDiagnostic {
        func diagnostic(_ mark: Position?, _ message: String, _ suggestion: String? = nil) -> ManifestDiagnostic {
            ManifestDiagnostic(
                file: file, line: mark?.line, column: mark?.column, keyPath: nil,
                message: message, suggestion: suggestion)
        }
        guard let yamlError = error as? YamlError else {
            return diagnostic(nil, "YAML error: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if problem.contains("Maximum nesting level") {
                return diagnostic(
                    Position(line: mark.line, column: mark.column),
                    "YAML syntax error: lists or mappings nested more than 1000 levels deep")
            }
            if let context {
                if problem.hasPrefix("but ") {
                    message = "YAML syntax error: \(context.text), \(problem)"
                } else {
                    message += " (\(context.text) started at line \(context.mark.line), column \(context.mark.column))"
                }
            }
            var suggestion: String?
            if line(mark.line, of: text)?.contains("\t") == true {
                suggestion = "indent with spaces; YAML does not allow tabs for indentation"
            } else if problem.contains("another document") {
                suggestion = "a manifest is a single YAML document; remove the `---` separator and what follows"
            } else if problem.contains("undefined alias") {
                suggestion = "define the anchor (`&name`) before using `*name`"
            }
            return diagnostic(Position(line: mark.line, column: mark.column), message, suggestion)
        case .reader(let problem, let offset, _, _):
            var mark: Position?
            if let offset { mark = position(ofCharacterOffset: offset, in: text) }
            return diagnostic(mark, "cannot read the YAML text: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let first = Position(line: context.mark.line, column: context.mark.column)
            if let second = laterOccurrence(of: key, after: first, in: text) {
                return diagnostic(
                    second,
                    "duplicate key `\(ScalarText.clipped(key))` in this mapping (first written at line \(first.line), column \(first.column))",
                    "remove one of them")
            }
            return diagnostic(first, "duplicate key `\(ScalarText.clipped(key))` in this mapping", "remove one of them")
        default:
            return diagnostic(nil, "YAML error: \(yamlError)")
        }
    }

    /// Line `number` (1-based) of `text`.
    private static func line(_ number: Int, of text: String) -> Substring? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return number >= 1 && number <= lines.count ? lines[number - 1] : nil
    }

    /// The position of the `offset`-th character.
    private static func position(ofCharacterOffset offset: Int, in text: String) -> Position {
        var line = 1
        var column = 1
        for (i, character) in text.enumerated() {
            if i >= offset { break }
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return Position(line: line, column: column)
    }

    /// The next line after `first` that writes `key:` at the same column (a block mapping's
    /// duplicate), for pointing at the second occurrence.
    private static func laterOccurrence(of key: String, after first: Position, in text: String) -> Position? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.column >= 1, first.line < lines.count else { return nil }
        for index in first.line..<lines.count {
            let scalars = Array(lines[index].unicodeScalars)
            guard scalars.count >= first.column else { continue }
            let rest = String(String.UnicodeScalarView(scalars[(first.column - 1)...]))
            let prefix = scalars[..<(first.column - 1)]
            guard prefix.allSatisfy({ $0 == " " || $0 == "-" }) else { continue }
            for candidate in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(candidate) {
                let after = rest.dropFirst(candidate.count).drop { $0 == " " }
                if after.hasPrefix(":") { return Position(line: index + 1, column: first.column) }
            }
        }
        return nil
    }
}
