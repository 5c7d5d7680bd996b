/// A run of text drawn at one size and baseline offset.
struct TextRun: Equatable {
    enum Position: Equatable { case normal, superscript, subscriptText }
    var text: String
    var position: Position
}

/// Parses the chart markup: `^{…}` is a superscript, `_{…}` a subscript, everything else plain.
///
/// Unbalanced braces are drawn literally (never an error): `a^{b` is the text `a^{b`.
func parseRichText(_ markup: String) -> [TextRun] {
    var runs: [TextRun] = []
    var plain = ""
    var index = markup.startIndex
    while index < markup.endIndex {
        let character = markup[index]
        let next = markup.index(after: index)
        if (character == "^" || character == "_"), next < markup.endIndex, markup[next] == "{",
           let close = markup[next...].firstIndex(of: "}") {
            if !plain.isEmpty { runs.append(TextRun(text: plain, position: .normal)); plain = "" }
            let inner = String(markup[markup.index(after: next)..<close])
            runs.append(TextRun(text: inner, position: character == "^" ? .superscript : .subscriptText))
            index = markup.index(after: close)
        } else {
            plain.append(character)
            index = next
        }
    }
    if !plain.isEmpty { runs.append(TextRun(text: plain, position: .normal)) }
    return runs
}

/// Horizontal anchor of a text box.
enum TextAnchor { case start, middle, end }

extension CairoCanvas {
    /// Width of `markup` drawn at `size` points.
    func richTextWidth(_ markup: String, size: Double) -> Double {
        parseRichText(markup).reduce(0) { total, run in
            setFontSize(run.position == .normal ? size : size * 0.72)
            return total + textWidth(run.text)
        }
    }

    /// Draws `markup` with its baseline at `y`, anchored at `x`.
    func drawRichText(_ markup: String, x: Double, y: Double, size: Double, color: RGBColor,
                      anchor: TextAnchor = .start) {
        let width = richTextWidth(markup, size: size)
        var cursor: Double
        switch anchor {
        case .start: cursor = x
        case .middle: cursor = x - width / 2
        case .end: cursor = x - width
        }
        setColor(color)
        for run in parseRichText(markup) {
            let runSize = run.position == .normal ? size : size * 0.72
            let shift: Double
            switch run.position {
            case .normal: shift = 0
            case .superscript: shift = -0.4 * size
            case .subscriptText: shift = 0.2 * size
            }
            setFontSize(runSize)
            showText(run.text, x: cursor, y: y + shift)
            cursor += textWidth(run.text)
        }
    }
}
