import Foundation

/// Makes Cairo's SVG output reproducible.
///
/// Cairo 1.16 names the page group `surface<N>` after a process-wide surface counter, so the
/// same chart drawn twice in one process differs in that id. This renumbers every `surface<N>`
/// id and reference (`id="surfaceN"`, `#surfaceN`) by order of first appearance (1, 2, …).
enum SVGIdentifiers {
    static func normalize(_ svg: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "(id=\"|#)surface([0-9]+)") else { return svg }
        let text = svg as NSString
        var numbering: [String: Int] = [:]
        var result = ""
        var cursor = 0
        for match in regex.matches(in: svg, range: NSRange(location: 0, length: text.length)) {
            let prefix = text.substring(with: match.range(at: 1))
            let number = text.substring(with: match.range(at: 2))
            let ordinal = numbering[number] ?? (numbering.count + 1)
            numbering[number] = ordinal
            result += text.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            result += "\(prefix)surface\(ordinal)"
            cursor = match.range.location + match.range.length
        }
        result += text.substring(from: cursor)
        return result
    }

    /// Rewrites the SVG file at `path` in place with normalised ids.
    /// - Throws: ``PlotError/io(path:reason:)`` when the file cannot be read or written.
    static func normalizeFile(at path: String) throws {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try Data(normalize(text).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PlotError.io(path: path, reason: "normalising SVG ids: \(error.localizedDescription)")
        }
    }
}
