/// The small line markup the one-pager is written in (rendered from `templates/onepager.txt`).
///
/// One block per line:
/// - `# text` the document title; `% text` a muted meta line under it;
/// - `## text` a section heading; a line that is only `**text**` a sub-heading;
/// - `- text` a bullet item; `1. text` a numbered item (the number is kept as written);
/// - `|# a | b | c` a table header row, `|+ …` a row that passed, `|! …` a row that failed,
///   `| …` a plain row (cells are separated by ` | `);
/// - `@figure NAME` one of ``Figures/names`` drawn as vectors;
/// - an empty line ends nothing (spacing is by block kind); any other line is a paragraph.
/// Inside text, `**strong**` and `` `code` `` are styled spans; unbalanced markers stay literal.
enum OnePagerBlock: Equatable {
    case title([InlineSpan])
    case meta([InlineSpan])
    case heading([InlineSpan])
    case subheading([InlineSpan])
    case paragraph([InlineSpan])
    case bullet([InlineSpan])
    case numbered(marker: String, [InlineSpan])
    case tableRow(kind: TableRowKind, cells: [[InlineSpan]])
    case figure(name: String)

    enum TableRowKind: Equatable { case header, passed, failed, plain }

    /// Parses the whole markup document, one block per non-empty line.
    static func parse(_ markup: String) -> [OnePagerBlock] {
        markup.split(separator: "\n", omittingEmptySubsequences: false).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return nil }
            return parseLine(line)
        }
    }

    static func parseLine(_ line: String) -> OnePagerBlock {
        if line.hasPrefix("## ") { return .heading(InlineSpan.parse(String(line.dropFirst(3)))) }
        if line.hasPrefix("# ") { return .title(InlineSpan.parse(String(line.dropFirst(2)))) }
        if line.hasPrefix("% ") { return .meta(InlineSpan.parse(String(line.dropFirst(2)))) }
        if line.hasPrefix("@figure ") {
            return .figure(name: line.dropFirst(8).trimmingCharacters(in: .whitespaces))
        }
        if line.hasPrefix("- ") { return .bullet(InlineSpan.parse(String(line.dropFirst(2)))) }
        if line.hasPrefix("|") {
            var body = Substring(line.dropFirst())
            var kind = TableRowKind.plain
            switch body.first {
            case "#":
                kind = .header
                body = body.dropFirst()
            case "+":
                kind = .passed
                body = body.dropFirst()
            case "!":
                kind = .failed
                body = body.dropFirst()
            default: break
            }
            let cells = body.components(separatedBy: " | ").map {
                InlineSpan.parse($0.trimmingCharacters(in: .whitespaces))
            }
            return .tableRow(kind: kind, cells: cells)
        }
        if let dot = line.firstIndex(of: "."), dot > line.startIndex, line[..<dot].allSatisfy(\.isASCIIDigitCharacter),
            line[line.index(after: dot)...].hasPrefix(" ")
        {
            let rest = line[line.index(dot, offsetBy: 2)...]
            return .numbered(marker: String(line[...dot]), InlineSpan.parse(String(rest)))
        }
        let spans = InlineSpan.parse(line)
        if spans.count == 1, spans[0].style == .strong { return .subheading(spans) }
        return .paragraph(spans)
    }
}

/// A run of text with one style.
struct InlineSpan: Equatable {
    enum Style: Equatable { case plain, strong, code }
    var text: String
    var style: Style

    /// Splits `**strong**` and `` `code` `` spans out of `text`; an unclosed marker is literal text.
    static func parse(_ text: String) -> [InlineSpan] {
        var spans: [InlineSpan] = []
        var plain = ""
        var rest = Substring(text)
        func flush() {
            if !plain.isEmpty {
                spans.append(InlineSpan(text: plain, style: .plain))
                plain = ""
            }
        }
        while let first = rest.first {
            if rest.hasPrefix("**"), let close = rest.dropFirst(2).range(of: "**") {
                flush()
                spans.append(InlineSpan(text: String(rest.dropFirst(2)[..<close.lowerBound]), style: .strong))
                rest = rest[close.upperBound...]
            } else if first == "`", let close = rest.dropFirst().firstIndex(of: "`") {
                flush()
                spans.append(InlineSpan(text: String(rest.dropFirst()[..<close]), style: .code))
                rest = rest[rest.index(after: close)...]
            } else {
                plain.append(first)
                rest = rest.dropFirst()
            }
        }
        flush()
        return spans.filter { !$0.text.isEmpty }
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
