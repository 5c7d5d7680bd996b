/// Breaks styled text into lines no wider than a limit, with Japanese line-breaking rules.
///
/// Break opportunities: between two CJK characters, at spaces, and between a CJK character and a
/// Latin word; never inside a Latin word (unless the word alone is wider than the line, when it
/// is cut between characters). Kinsoku: a closing bracket or punctuation mark (、。」) … ー ゃ
/// and ASCII `,.;:!?)]}%`) never starts a line, an opening bracket (「(『 and ASCII `([{`) never
/// ends one. Spaces at a line's end are dropped. Widths come from `measure` (points), so the
/// same rules serve any font size; each returned line's width is ≤ `maxWidth` (a single glyph
/// wider than the line is the only exception, and is placed alone).
struct LineBreaker {
    /// A piece of a line: text of one style, its x offset and width.
    struct Piece: Equatable {
        var text: String
        var style: InlineSpan.Style
        var x: Double
        var width: Double
    }

    /// Advance width of `text` drawn in `style`.
    var measure: (String, InlineSpan.Style) -> Double

    /// Lines of pieces; consecutive characters of one style on a line are merged into one piece.
    func lines(_ spans: [InlineSpan], maxWidth: Double) -> [[Piece]] {
        let segments = Self.segments(spans)
        var lines: [[Atom]] = []
        var current: [Atom] = []
        var width = 0.0
        func widthOf(_ atoms: [Atom]) -> Double { atoms.reduce(0) { $0 + measure($1.text, $1.style) } }
        func endLine() {
            while let last = current.last, last.isSpace { current.removeLast() }
            if !current.isEmpty { lines.append(current) }
            current = []
            width = 0
        }
        for segment in segments {
            let segmentWidth = widthOf(segment)
            if width + segmentWidth <= maxWidth + 1e-9 {
                current += segment
                width += segmentWidth
                continue
            }
            // Spaces vanish at a break.
            if segment.allSatisfy(\.isSpace) {
                endLine()
                continue
            }
            if !current.isEmpty { endLine() }
            if segmentWidth <= maxWidth + 1e-9 {
                current = segment
                width = segmentWidth
                continue
            }
            // Wider than a whole line: cut between characters.
            for atom in segment {
                for character in atom.text {
                    let piece = Atom(text: String(character), style: atom.style, isSpace: false)
                    let w = measure(piece.text, piece.style)
                    if width + w > maxWidth + 1e-9 && !current.isEmpty { endLine() }
                    current.append(piece)
                    width += w
                }
            }
        }
        endLine()
        return lines.map(merge)
    }

    private func merge(_ atoms: [Atom]) -> [Piece] {
        var pieces: [Piece] = []
        var x = 0.0
        for atom in atoms {
            if let last = pieces.last, last.style == atom.style {
                pieces[pieces.count - 1].text += atom.text
            } else {
                pieces.append(Piece(text: atom.text, style: atom.style, x: x, width: 0))
            }
            x += measure(atom.text, atom.style)
        }
        for i in pieces.indices { pieces[i].width = measure(pieces[i].text, pieces[i].style) }
        return pieces
    }

    /// The smallest unit placed on a line: one CJK character, one Latin word, or one space.
    struct Atom: Equatable {
        var text: String
        var style: InlineSpan.Style
        var isSpace: Bool
    }

    /// Groups atoms into unbreakable segments (a break is allowed only between segments).
    static func segments(_ spans: [InlineSpan]) -> [[Atom]] {
        var atoms: [Atom] = []
        for span in spans {
            var word = ""
            func flushWord() {
                if !word.isEmpty {
                    atoms.append(Atom(text: word, style: span.style, isSpace: false))
                    word = ""
                }
            }
            for character in span.text {
                if character == " " || character == "\u{3000}" {
                    flushWord()
                    atoms.append(Atom(text: String(character), style: span.style, isSpace: true))
                } else if isCJK(character) {
                    flushWord()
                    atoms.append(Atom(text: String(character), style: span.style, isSpace: false))
                } else {
                    word.append(character)
                }
            }
            flushWord()
        }
        var segments: [[Atom]] = []
        for (i, atom) in atoms.enumerated() {
            guard let previous = i > 0 ? atoms[i - 1] : nil, !segments.isEmpty else {
                segments.append([atom])
                continue
            }
            if breakAllowed(between: previous, and: atom) {
                segments.append([atom])
            } else {
                segments[segments.count - 1].append(atom)
            }
        }
        return segments
    }

    /// Whether a line may end after `a` and the next start with `b`.
    static func breakAllowed(between a: Atom, and b: Atom) -> Bool {
        if b.isSpace { return false }  // a space stays on the line before a break
        if let first = b.text.first, noLineStart.contains(first) { return false }
        if let last = a.text.last, noLineEnd.contains(last) { return false }
        if a.isSpace { return true }
        let aCJK = a.text.count == 1 && a.text.first.map(isCJK) == true
        let bCJK = b.text.count == 1 && b.text.first.map(isCJK) == true
        return aCJK || bCJK
    }

    /// Characters that never start a line (closing brackets, punctuation, small kana, prolonged sound mark).
    static let noLineStart: Set<Character> = Set("、。，．・：；？！）」』】〕〉》〙〗ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…‥〜～,.;:!?)]}%")
    /// Characters that never end a line (opening brackets).
    static let noLineEnd: Set<Character> = Set("（「『【〔〈《〘〖([{")

    /// Hiragana, katakana, CJK ideographs and punctuation, full-width forms, circled numbers, box
    /// drawing and dingbats: each is its own break unit (math signs such as ‖ − stay inside words).
    static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x3000...0x303F, 0x3040...0x309F, 0x30A0...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xF900...0xFAFF, 0xFF00...0xFFEF, 0x2460...0x24FF, 0x2500...0x27BF:
            return true
        default:
            return false
        }
    }
}
