import Foundation
import Yams

/// Every duplicate key of a manifest at once: Yams stops at the first mapping with a duplicate, so
/// each later occurrence found is reported, renamed in a working copy of the text, and the text
/// composed again, until no duplicate (or another error) is left.
enum DuplicateKeyScan {
    /// The diagnostics for `error` and for every further duplicate key in `text`.
    ///
    /// - Parameter compose: composes a text (throws like `Yams.compose`).
    /// - Complexity: one compose per mapping with duplicates (at most 100).
    static func diagnostics(
        for error: any Error, file: String, text: String,
        compose: (String) throws -> Void
    ) -> [ManifestDiagnostic] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var diagnostics: [ManifestDiagnostic] = []
        var current: any Error = error
        var renamed = 0
        for _ in 0..<100 {
            guard case .duplicatedKeysInMapping(_, let context)? = current as? YamlError,
                case let found = duplicates(keyAtLine: context.mark.line, column: context.mark.column, in: lines),
                !found.isEmpty
            else {
                diagnostics.append(YAMLSyntaxDiagnostic.make(current, file: file, text: lines.joined(separator: "\n")))
                break
            }
            for duplicate in found {
                diagnostics.append(
                    ManifestDiagnostic(
                        file: file, line: duplicate.line, column: duplicate.column, keyPath: nil,
                        message:
                            "duplicate key `\(ScalarText.clipped(duplicate.key))` in this mapping (first written at line \(duplicate.firstLine), column \(duplicate.column))",
                        suggestion: "remove one of them"))
                renamed += 1
                var scalars = Array(lines[duplicate.line - 1].unicodeScalars)
                let start = duplicate.column - 1
                scalars.replaceSubrange(
                    start..<(start + duplicate.written.unicodeScalars.count),
                    with: "expreg-renamed-duplicate-\(renamed)".unicodeScalars)
                lines[duplicate.line - 1] = String(String.UnicodeScalarView(scalars))
            }
            do {
                try compose(lines.joined(separator: "\n"))
                break
            } catch {
                current = error
            }
        }
        return diagnostics.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
    }

    /// A later occurrence of a key in one block mapping.
    struct Duplicate {
        var key: String
        /// The key as written (with its quotes).
        var written: String
        var line: Int
        var column: Int
        var firstLine: Int
    }

    /// The repeated keys of the block mapping that has a key at (`line`, `column`) (1-based), in
    /// order; empty when the mapping is not a block mapping this scan understands (flow style).
    static func duplicates(keyAtLine line: Int, column: Int, in lines: [String]) -> [Duplicate] {
        guard line >= 1, line <= lines.count, column >= 1 else { return [] }
        // The mapping's first line: walk back over its own keys and deeper (nested) lines.
        var first = line - 1
        while first > 0 && !prefixHasDash(lines[first], column: column) {
            let previous = lines[first - 1]
            if prefixHasDash(previous, column: column) {
                if keyAt(previous, column: column) != nil { first -= 1 }  // the list item's first key
                break
            }
            // Blank, comment, nested or sibling lines belong to the mapping; a shallower line is its parent.
            guard let indent = indentation(previous), indent < column - 1 else {
                first -= 1
                continue
            }
            break
        }
        var seen: [String: Int] = [:]
        var found: [Duplicate] = []
        for index in first..<lines.count {
            let text = lines[index]
            guard let indent = indentation(text) else { continue }
            if index > first && prefixHasDash(text, column: column) { break }  // the next list item
            if indent > column - 1 { continue }  // nested content
            if indent < column - 1 && !(index == first && prefixHasDash(text, column: column)) { break }
            guard let (key, written) = keyAt(text, column: column) else { continue }
            if let firstLine = seen[key] {
                found.append(
                    Duplicate(key: key, written: written, line: index + 1, column: column, firstLine: firstLine))
            } else {
                seen[key] = index + 1
            }
        }
        return found
    }

    /// Columns of leading spaces, or nil for a blank or comment line.
    private static func indentation(_ line: String) -> Int? {
        let spaces = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(spaces)
        if rest.isEmpty || rest.hasPrefix("#") { return nil }
        return spaces
    }

    /// True when the text before `column` is spaces and list dashes with at least one dash.
    private static func prefixHasDash(_ line: String, column: Int) -> Bool {
        let prefix = line.unicodeScalars.prefix(column - 1)
        return prefix.count == column - 1 && prefix.contains("-") && prefix.allSatisfy { $0 == " " || $0 == "-" }
    }

    /// The key written at `column` (plain or quoted, followed by `:`), and its text as written.
    private static func keyAt(_ line: String, column: Int) -> (String, String)? {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count >= column else { return nil }
        let prefix = scalars[..<(column - 1)]
        guard prefix.allSatisfy({ $0 == " " || $0 == "-" }) else { return nil }
        let rest = String(String.UnicodeScalarView(scalars[(column - 1)...]))
        if let quote = rest.first, quote == "\"" || quote == "'" {
            guard let end = rest.dropFirst().firstIndex(of: quote) else { return nil }
            let key = String(rest[rest.index(after: rest.startIndex)..<end])
            let after = rest[rest.index(after: end)...].drop { $0 == " " }
            return after.hasPrefix(":") ? (key, String(rest[...end])) : nil
        }
        guard let colon = rest.range(of: ":") else { return nil }
        let afterColon = rest[colon.upperBound...]
        guard afterColon.isEmpty || afterColon.hasPrefix(" ") else { return nil }
        let written = String(rest[..<colon.lowerBound])
        let key = written.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !key.hasPrefix("#"), !key.hasPrefix("{"), !key.hasPrefix("[") else { return nil }
        return (key, key)
    }
}
