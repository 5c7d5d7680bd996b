import ExpRegCore
import Foundation

/// What the meeting one-pager (`report.pdf`) shows, besides the batch's figures.
public struct OnePagerDocument: Sendable, Equatable {
    /// The page's text in ``OnePagerBlock``'s line markup (rendered from a template).
    public var markup: String
    /// The PDF's Title metadata (e.g. the report heading).
    public var title: String
    /// The PDF's creation and modification dates: taken from the batch, never the clock, so the
    /// same batch gives the same bytes.
    public var createdAt: Date
    public var modifiedAt: Date
    /// Left part of every page's footer (e.g. the batch id); the right part is `page / pages`.
    public var footer: String

    public init(markup: String, title: String, createdAt: Date, modifiedAt: Date, footer: String) {
        self.markup = markup
        self.title = title
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.footer = footer
    }
}

/// Draws the meeting one-pager: an A4 portrait PDF with Cairo's PDF surface.
///
/// Text stays text (the Japanese font is embedded as a subset and `pdftotext` extracts it); the
/// figures named by `@figure` lines are the batch's charts drawn as vectors with the same code as
/// the PNG/SVG files. Lines wrap with Japanese line-breaking rules (``LineBreaker``) and never
/// overflow the page; a second page starts only when the content does not fit on the first.
/// Figures stretch between ``figureMinHeight`` and ``figureMaxHeight`` to fill the page; when
/// the default type sizes do not fit one page, slightly smaller ones are tried (body text down to
/// 6.8 pt), and only content that does not fit even then takes a second page.
public enum OnePager {
    /// A4 in points (210 × 297 mm).
    public static let pageWidth = 595.2756
    public static let pageHeight = 841.8898
    /// Page margins in points (about 14 mm at the sides).
    static let marginX = 40.0
    static let marginTop = 32.0
    static let marginBottom = 38.0
    /// Height range of a figure on the page (points); below the minimum it moves to the next page.
    public static let figureMinHeight = 130.0
    public static let figureMaxHeight = 330.0
    /// Width the charts are laid out at before scaling onto the page (their native width).
    static let chartLayoutWidth = 800.0

    /// Renders the one-pager to `path` (temporary file renamed into place).
    /// - Parameters:
    ///   - document: the page text and metadata.
    ///   - batch: the batch whose figures `@figure` lines draw.
    ///   - trend: headline numbers of the manifest's batches up to this one (for `@figure trend`).
    /// - Returns: the number of pages written.
    /// - Throws: ``PlotError`` on a font, Cairo or file failure, or an unknown figure name.
    @discardableResult
    public static func writePDF(
        _ document: OnePagerDocument, batch: BatchSnapshot, trend: [BatchHeadline],
        to path: String
    ) throws -> Int {
        let charts = Dictionary(
            Figures.charts(batch: batch, trend: trend).map { ($0.0, $0.2) },
            uniquingKeysWith: { a, _ in a })
        var pageCount = 0
        try ChartRenderer.writeAtomically(to: path) { temporary in
            let canvas = try CairoCanvas(kind: .pdf(path: temporary), width: pageWidth, height: pageHeight)
            canvas.setPDFMetadata(
                title: document.title, creator: "ExpReg",
                createDate: pdfDate(document.createdAt), modDate: pdfDate(document.modifiedAt))
            // The largest type that fits one page; otherwise the default sizes (the first scale, 1) on
            // several pages.
            let blocks = OnePagerBlock.parse(document.markup)
            var pages: [[PageItem]] = []
            for scale in OnePagerLayout.textScales {
                var layout = OnePagerLayout(canvas: canvas, charts: charts, textScale: scale)
                let candidate = try layout.layOut(blocks)
                if pages.isEmpty || candidate.count == 1 { pages = candidate }
                if candidate.count == 1 { break }
            }
            pageCount = pages.count
            for (index, items) in pages.enumerated() {
                if index > 0 { canvas.showPage() }
                for item in items { item.draw(on: canvas) }
                drawFooter(document.footer, page: index + 1, of: pages.count, on: canvas)
            }
            try canvas.finish()
        }
        return pageCount
    }

    static func drawFooter(_ text: String, page: Int, of pages: Int, on canvas: CairoCanvas) {
        let y = pageHeight - 24
        canvas.newPath()
        canvas.rectangle(marginX, y - 11, pageWidth - 2 * marginX, 0.5)
        canvas.setColor(OnePagerStyle.rule)
        canvas.fill()
        canvas.setFontSize(7.5)
        canvas.setColor(.muted)
        canvas.showText("ExpReg · " + text, x: marginX, y: y)
        let number = "\(page) / \(pages)"
        canvas.showText(number, x: pageWidth - marginX - canvas.textWidth(number), y: y)
    }

    /// `YYYY-MM-DDThh:mm:ssZ` in UTC (Cairo's PDF metadata date format).
    static func pdfDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", p.year ?? 0, p.month ?? 0, p.day ?? 0,
            p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }
}

/// Colours and type sizes of the one-pager (points).
enum OnePagerStyle {
    static let body = RGBColor(hex: 0x1A1A1A)
    static let strong = RGBColor(hex: 0x0B3A6E)
    static let code = RGBColor(hex: 0x00605A)
    static let rule = RGBColor(hex: 0xC8CED6)
    static let accent = RGBColor(hex: 0x0B3A6E)
    static let pass = RGBColor(hex: 0x1A7F37)
    static let fail = RGBColor(hex: 0xCF222E)
    static let failTint = RGBColor(hex: 0xFDECEC)
    static let headerTint = RGBColor(hex: 0xEEF2F7)

    static func color(_ style: InlineSpan.Style, base: RGBColor) -> RGBColor {
        switch style {
        case .plain: return base
        case .strong: return strong
        case .code: return code
        }
    }
}

/// One thing drawn on a page, in page coordinates (points, y down).
enum PageItem {
    case text(String, x: Double, y: Double, size: Double, color: RGBColor)
    case box(x: Double, y: Double, width: Double, height: Double, color: RGBColor)
    case dot(x: Double, y: Double, radius: Double, color: RGBColor)
    case figure(Chart, x: Double, y: Double, width: Double, height: Double)

    func draw(on canvas: CairoCanvas) {
        switch self {
        case .text(let text, let x, let y, let size, let color):
            canvas.setFontSize(size)
            canvas.setColor(color)
            canvas.showTextWithFallback(text, x: x, y: y)
        case .box(let x, let y, let width, let height, let color):
            canvas.newPath()
            canvas.rectangle(x, y, width, height)
            canvas.setColor(color)
            canvas.fill()
        case .dot(let x, let y, let radius, let color):
            canvas.newPath()
            canvas.circle(x, y, radius: radius)
            canvas.setColor(color)
            canvas.fill()
        case .figure(let chart, let x, let y, let width, let height):
            let scale = width / OnePager.chartLayoutWidth
            let chart = Self.pageChart(chart, width: width, height: height)
            canvas.save()
            canvas.newPath()
            canvas.rectangle(x, y, width, height)
            canvas.clip()
            canvas.translate(x, y)
            canvas.scale(scale)
            ChartRenderer.draw(ChartLayoutInput(chart: chart), on: canvas)
            canvas.restore()
            canvas.newPath()
        }
    }

    /// `chart` as a figure of `width` × `height` points on the page draws it: laid out at
    /// ``OnePager/chartLayoutWidth`` and the height that scales to `height`, without its subtitle
    /// (the page header already names the batch; the space goes to the plot areas). The page clips
    /// the figure to its box, so everything of this chart must lie inside its own bounds.
    static func pageChart(_ chart: Chart, width: Double, height: Double) -> Chart {
        var chart = chart
        chart.width = OnePager.chartLayoutWidth
        chart.height = height / (width / OnePager.chartLayoutWidth)
        chart.subtitle = ""
        return chart
    }
}
