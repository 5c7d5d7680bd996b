import ExpRegCore
import Foundation

/// A figure written to disk (PNG at 2× and SVG of the same drawing).
///
/// Names (file stems), in the order ``Figures/renderAll(batch:trend:into:)`` returns them:
/// - `loss`: loss vs step (log), small multiples — one panel per activation present (exp, relu).
/// - `spectrum`: sorted eigenvalues of H*, H(W(0)), H(W(T)), one panel per activation.
/// - `lambda_min`: λ_min(H(W(t))) per width with λ*, one panel per activation.
/// - `gram_distance`: ‖H(W(0)) − H*‖₂ vs width, log–log, fitted slope and m^(−1/2) reference.
/// - `rate`: observed vs predicted per-step rate vs width, exp vs relu.
/// - `cost`: time to target and memory vs width, log–log, with the projected cost at the condition width.
/// - `trend`: headline numbers across the archived batches of the manifest.
/// - `generalization`: held-out MSE vs width with the kernel and NTK predictions — only for a batch
///   with a test set (``optionalNames``).
/// Every name of ``names`` is always produced (a batch lacking data gets a figure with a
/// "データ不足 / not enough data" note), so the report can link them unconditionally.
public struct RenderedFigure: Sendable, Equatable {
    /// File stem: `loss`, `spectrum`, `lambda_min`, `gram_distance`, `rate`, `cost`, `trend`.
    public var name: String
    /// Japanese title (also the report caption), e.g. 「損失の推移」.
    public var title: String
    /// Absolute path of the PNG (`<directory>/<name>.png`, 1600 × 1000 px).
    public var pngPath: String
    /// Absolute path of the SVG (`<directory>/<name>.svg`, 800 × 500 pt).
    public var svgPath: String
    /// English caption for bilingual reports, e.g. "Loss vs GD step".
    public var englishTitle: String

    /// A rendered figure's description.
    public init(name: String, title: String, pngPath: String, svgPath: String, englishTitle: String = "") {
        self.name = name
        self.title = title
        self.pngPath = pngPath
        self.svgPath = svgPath
        self.englishTitle = englishTitle
    }
}

/// Renders ExpReg's figures with Cairo.
public enum Figures {
    /// The figure names in output order.
    public static let names = ["loss", "spectrum", "lambda_min", "gram_distance", "rate", "cost", "trend"]
    /// Figures drawn after ``names`` only when the batch has their data: `generalization` (a test set).
    public static let optionalNames = ["generalization"]

    /// Renders every figure of a batch into `directory` as PNG (2x) and SVG.
    ///
    /// Output is deterministic: the same input gives byte-identical files. Each file is written
    /// to a temporary name and renamed into place. `directory` is created if missing.
    /// - Parameters:
    ///   - batch: the batch as archived.
    ///   - trend: headline numbers of the batches of the same manifest, oldest first (may be empty).
    ///   - directory: the output folder (e.g. `output/<batch-id>/plots`).
    /// - Returns: one ``RenderedFigure`` per name in ``names``, in that order, then `generalization`
    ///   when a run has held-out errors.
    /// - Throws: ``PlotError`` when no Japanese font is installed, Cairo fails or a file cannot be written.
    public static func renderAll(batch: BatchSnapshot, trend: [BatchHeadline], into directory: URL) throws
        -> [RenderedFigure]
    {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PlotError.io(path: directory.path, reason: "\(error.localizedDescription)")
        }
        return try charts(batch: batch, trend: trend).map { name, english, chart in
            let png = directory.appendingPathComponent("\(name).png").path
            let svg = directory.appendingPathComponent("\(name).svg").path
            try ChartRenderer.write(chart, pngPath: png, svgPath: svg)
            return RenderedFigure(name: name, title: chart.title, pngPath: png, svgPath: svg, englishTitle: english)
        }
    }

    /// The chart descriptions of every figure (name, English caption, chart), without drawing.
    static func charts(batch: BatchSnapshot, trend: [BatchHeadline]) -> [(String, String, Chart)] {
        [
            ("loss", "Loss vs GD step", LossFigure.chart(batch)),
            ("spectrum", "Eigenvalue spectra of the Gram matrices", SpectrumFigure.chart(batch)),
            ("lambda_min", "Smallest Gram eigenvalue during training", LambdaMinFigure.chart(batch)),
            ("gram_distance", "Distance of the finite-width Gram to H* vs width", GramDistanceFigure.chart(batch)),
            ("rate", "Per-step convergence rate vs width", RateFigure.chart(batch)),
            ("cost", "Cost of width: time and memory to target", CostFigure.chart(batch)),
            ("trend", "Nightly trend", TrendFigure.chart(batch, trend: trend)),
        ]
            + (GeneralizationFigure.applies(to: batch)
                ? [
                    (
                        "generalization", "Held-out error vs width (outside the theorem)",
                        GeneralizationFigure.chart(batch)
                    )
                ]
                : [])
    }
}
