/// A run of text drawn at one size and baseline offset.
struct TextRun: Equatable {
    enum Position: Equatable { case normal, superscript, subscriptText }
    var text: String
    var position: Position

    /// Font size of this run in text of `size` points (super- and subscripts are smaller).
    func fontSize(_ size: Double) -> Double { position == .normal ? size : size * 0.72 }
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
        if character == "^" || character == "_", next < markup.endIndex, markup[next] == "{",
            let close = markup[next...].firstIndex(of: "}")
        {
            if !plain.isEmpty {
                runs.append(TextRun(text: plain, position: .normal))
                plain = ""
            }
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
enum TextAnchor {
    case start, middle, end

    /// The left edge of a box of `width` anchored at `x`.
    func left(_ x: Double, width: Double) -> Double {
        switch self {
        case .start: return x
        case .middle: return x - width / 2
        case .end: return x - width
        }
    }
}

extension CairoCanvas {
    /// Width of `markup` drawn at `size` points.
    func richTextWidth(_ markup: String, size: Double) -> Double {
        parseRichText(markup).reduce(0) { total, run in
            setFontSize(run.fontSize(size))
            return total + textWidth(run.text)
        }
    }

    /// Draws `markup` with its baseline at `y`, anchored at `x`.
    func drawRichText(
        _ markup: String, x: Double, y: Double, size: Double, color: RGBColor,
        anchor: TextAnchor = .start
    ) {
        // Start-anchored text (most of it) needs no measuring.
        var cursor = anchor == .start ? x : anchor.left(x, width: richTextWidth(markup, size: size))
        setColor(color)
        for run in parseRichText(markup) {
            let shift: Double
            switch run.position {
            case .normal: shift = 0
            case .superscript: shift = -0.4 * size
            case .subscriptText: shift = 0.2 * size
            }
            setFontSize(run.fontSize(size))
            showText(run.text, x: cursor, y: y + shift)
            cursor += textWidth(run.text)
        }
    }
}
