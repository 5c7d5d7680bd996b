import ExpRegCore
import Foundation

extension Figures {
    /// The nightly trend figure of one manifest's batches as an SVG document (800 × 500 pt), for
    /// pages that embed it without a batch folder (the archive's front page).
    ///
    /// Same chart as the batch folders' `plots/trend.svg`; deterministic for the same headlines.
    /// - Parameters:
    ///   - manifestName: the manifest the batches belong to.
    ///   - trend: their headline numbers, oldest first.
    /// - Throws: ``PlotError`` when no Japanese font is installed, Cairo fails or the temporary
    ///   file cannot be written.
    public static func trendSVG(manifestName: String, trend: [BatchHeadline]) throws -> String {
        let chart = TrendFigure.chart(manifestName: manifestName, trend: trend)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent(
                "expreg-trend-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8)).svg"
            ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let canvas = try CairoCanvas(kind: .svg(path: path), width: chart.width, height: chart.height)
        ChartRenderer.draw(ChartLayoutInput(chart: chart), on: canvas)
        try canvas.finish()
        do {
            return SVGIdentifiers.normalize(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw PlotError.io(path: path, reason: error.localizedDescription)
        }
    }
}
