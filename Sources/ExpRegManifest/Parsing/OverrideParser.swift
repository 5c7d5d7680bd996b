import Yams

/// Reads `--set KEY=VALUE` overrides: KEY is a dotted ``ConfigKey`` name, VALUE a YAML scalar
/// checked with the key's rule. Problems are reported with the file `--set` and no position.
struct OverrideParser {
    /// The pseudo file name of override diagnostics.
    static let file = "--set"

    /// The overrides in the order given (a later one for the same key wins).
    func parse(_ overrides: [String], sink: inout DiagnosticSink) -> [(key: ConfigKey, setting: LocatedSetting)] {
        var result: [(ConfigKey, LocatedSetting)] = []
        for text in overrides {
            let given = "given as `--set \(ScalarText.clipped(text))`"
            guard let equals = text.firstIndex(of: "=") else {
                sink.error(
                    at: Origin(file: Self.file, line: nil, column: nil, keyPath: ""),
                    "expected KEY=VALUE, found `\(ScalarText.clipped(text))`",
                    suggestion: "e.g. `--set model.width=2048`")
                continue
            }
            let name = text[..<equals].trimmingCharacters(in: .whitespaces)
            let valueText = String(text[text.index(after: equals)...])
            let origin = Origin(file: Self.file, line: nil, column: nil, keyPath: name)
            guard let key = ConfigKey(rawValue: name) else {
                sink.error(
                    at: origin,
                    "unknown key; expected a dotted key among: \(ConfigKey.dottedNames.joined(separator: ", ")); \(given)",
                    suggestion: ConfigKey.suggestion(forDotted: name))
                continue
            }
            let node: Node
            do {
                node = try Yams.compose(yaml: valueText) ?? Node("", Tag(.implicit), .plain)
            } catch {
                sink.error(
                    at: origin, "expected \(key.rule.expected), found a value that is not valid YAML; \(given)",
                    suggestion: "quote the value, e.g. --set '\(name)=\"...\"'")
                continue
            }
            switch key.rule.parse(node) {
            case .success(let value):
                result.append((key, LocatedSetting(value: value, origin: origin)))
            case .failure(let problem):
                sink.error(at: origin, "\(problem.message); \(given)", suggestion: problem.suggestion)
                result.append((key, LocatedSetting(value: nil, origin: origin)))
            }
        }
        return result
    }
}
