import Foundation

@testable import ExpRegPlot

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads back what the renderer wrote: PNG header, pixels, and the SVG's XML structure.
enum RenderedFileInspection {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// (width, height) from the PNG IHDR chunk, or nil when the signature is wrong.
    static func pngHeaderSize(_ path: String) throws -> (Int, Int)? {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 24, Array(bytes[0..<8]) == pngSignature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            return nil
        }
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    /// Pixels of `image` inside `area` (points, scaled by `scale`), inset by `inset` pixels.
    static func pixels(_ image: RasterImage, in area: Rect, scale: Double, inset: Int = 3) -> [RGBColor] {
        let x0 = Int((area.x * scale).rounded()) + inset
        let x1 = Int(((area.x + area.width) * scale).rounded()) - inset
        let y0 = Int((area.y * scale).rounded()) + inset
        let y1 = Int(((area.y + area.height) * scale).rounded()) - inset
        guard x0 < x1, y0 < y1 else { return [] }
        var result: [RGBColor] = []
        for y in max(0, y0)..<min(image.height, y1) {
            for x in max(0, x0)..<min(image.width, x1) { result.append(image[x, y]) }
        }
        return result
    }

    /// One `<path>` of the SVG: its stroke and fill colours (nil for `none` or absent).
    struct SVGPath {
        var stroke: RGBColor?
        var fill: RGBColor?
    }

    /// The SVG parsed as XML: every `<path>` outside `<defs>` and the `<use>` glyph references.
    struct SVGSummary {
        var rootName = ""
        var paths: [SVGPath] = []
        var glyphReferences: [String] = []
    }

    final class Collector: NSObject, XMLParserDelegate {
        var summary = SVGSummary()
        var defsDepth = 0

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if summary.rootName.isEmpty { summary.rootName = name }
            if name == "defs" { defsDepth += 1 }
            if name == "path", defsDepth == 0 {
                let style = attributes["style"] ?? ""
                summary.paths.append(SVGPath(stroke: color(style, "stroke"), fill: color(style, "fill")))
            }
            if name == "use", let reference = attributes["xlink:href"] ?? attributes["href"] {
                summary.glyphReferences.append(reference)
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "defs" { defsDepth -= 1 }
        }

        /// Parses `key:rgb(r%,g%,b%)` of a Cairo style attribute into 8-bit channels.
        func color(_ style: String, _ key: String) -> RGBColor? {
            for item in style.split(separator: ";") {
                let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0] == key, parts[1].hasPrefix("rgb(") else { continue }
                let numbers = parts[1].dropFirst(4).dropLast().split(separator: ",").compactMap {
                    Double($0.replacingOccurrences(of: "%", with: ""))
                }
                guard numbers.count == 3 else { return nil }
                let c = numbers.map { UInt8(max(0, min(255, ($0 * 2.55).rounded()))) }
                return RGBColor(red: c[0], green: c[1], blue: c[2])
            }
            return nil
        }
    }

    /// Parses the SVG file; nil when it is not well-formed XML.
    static func parseSVG(_ path: String) throws -> SVGSummary? {
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.summary : nil
    }
}
