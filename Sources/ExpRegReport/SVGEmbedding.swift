import Foundation

/// Turns our own generated SVG (Cairo output) into something the single-file HTML can embed.
public enum SVGEmbedding {
    /// The SVG as a `data:image/svg+xml;base64,…` URI.
    ///
    /// A data URI inside `<img>` keeps each figure's ids (Cairo reuses `glyph0-1`, `clip1`, … in
    /// every file) separate, never runs script, and contains only base64 characters, so it is safe
    /// in an escaped attribute. A leading XML declaration is dropped. Deterministic.
    public static func dataURI(_ svg: String) -> String {
        "data:image/svg+xml;base64," + Data(strippingXMLDeclaration(svg).utf8).base64EncodedString()
    }

    /// `svg` without a leading `<?xml …?>` declaration (and the whitespace after it).
    package static func strippingXMLDeclaration(_ svg: String) -> String {
        var text = Substring(svg)
        while let first = text.first, first.isWhitespace || first == "\u{FEFF}" { text = text.dropFirst() }
        guard text.hasPrefix("<?xml"), let end = text.range(of: "?>") else { return String(text) }
        return String(text[end.upperBound...].drop { $0.isWhitespace })
    }
}
