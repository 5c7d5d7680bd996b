import ExpRegFiles
import Foundation

/// Writing a ``Chart`` to PNG, SVG and PDF files, each via a temporary file renamed into place.
extension ChartRenderer {
    /// Draws `chart` to `pngPath` (PNG, 2×) and `svgPath` (SVG), each via a temporary file renamed into place.
    /// - Returns: the plot area of each panel, in points.
    /// - Throws: ``PlotError`` on font, Cairo or file-system failures.
    @discardableResult
    static func write(_ chart: Chart, pngPath: String, svgPath: String) throws -> [Rect] {
        let layout = ChartLayoutInput(chart: chart)
        let areas: [Rect]
        do {
            let canvas = try CairoCanvas(kind: .image(scale: pngScale), width: chart.width, height: chart.height)
            areas = draw(layout, on: canvas).plotAreas
            try writeAtomically(to: pngPath) { try canvas.writePNG(to: $0) }
        }
        try writeAtomically(to: svgPath) { temporary in
            let canvas = try CairoCanvas(kind: .svg(path: temporary), width: chart.width, height: chart.height)
            draw(layout, on: canvas)
            try canvas.finish()
            try SVGIdentifiers.normalizeFile(at: temporary)
        }
        return areas
    }

    /// Draws `chart` on an image canvas (nothing written) and returns where everything went: what
    /// the layout tests inspect.
    /// - Throws: ``PlotError`` when no Japanese font is installed or Cairo fails.
    static func drawing(_ chart: Chart) throws -> ChartDrawing {
        let canvas = try CairoCanvas(kind: .image(scale: 1), width: chart.width, height: chart.height)
        return draw(ChartLayoutInput(chart: chart), on: canvas)
    }

    /// Draws `chart` to a PDF file (same drawing code; not part of the default outputs).
    static func writePDF(_ chart: Chart, path: String) throws {
        let layout = ChartLayoutInput(chart: chart)
        try writeAtomically(to: path) { temporary in
            let canvas = try CairoCanvas(kind: .pdf(path: temporary), width: chart.width, height: chart.height)
            draw(layout, on: canvas)
            try canvas.finish()
        }
    }

    /// ``AtomicFile/replace(_:writing:)`` with its failure as this module's ``PlotError``.
    static func writeAtomically(to path: String, _ body: (String) throws -> Void) throws {
        do {
            try AtomicFile.replace(path, writing: body)
        } catch let failure as AtomicFile.Failure {
            throw PlotError.io(path: failure.path, reason: failure.reason)
        }
    }
}
