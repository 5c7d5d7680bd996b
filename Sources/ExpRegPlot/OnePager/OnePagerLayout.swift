import Foundation

/// Places the one-pager's blocks on A4 pages: wraps text, paginates, sizes the figures.
///
/// Everything is measured with the document's own canvas (the same font and sizes it draws
/// with), so a line laid out here never runs past the right margin when drawn.
struct OnePagerLayout {
    let canvas: CairoCanvas
    let charts: [String: Chart]

    private var pages: [[PageItem]] = [[]]
    private var y = OnePager.marginTop
    private let left = OnePager.marginX
    private let width = OnePager.pageWidth - 2 * OnePager.marginX
    private let bottom = OnePager.pageHeight - OnePager.marginBottom

    /// - Parameter textScale: factor on every type size, leading and spacing (1 = the default
    ///   sizes; ``OnePager`` tries the smaller ``textScales`` in turn to fit one page).
    init(canvas: CairoCanvas, charts: [String: Chart], textScale: Double = 1) {
        self.canvas = canvas
        self.charts = charts
        let f = textScale
        title = TextMetrics(size: 16 * f, leading: 21 * f, before: 0)
        meta = TextMetrics(size: 8.5 * f, leading: 12 * f, before: 1 * f)
        heading = TextMetrics(size: 11.5 * f, leading: 15 * f, before: 8 * f)
        subheading = TextMetrics(size: 9.3 * f, leading: 13 * f, before: 5 * f)
        body = TextMetrics(size: 8.8 * f, leading: 12 * f, before: 2 * f)
        table = TextMetrics(size: 8.2 * f, leading: 11.5 * f, before: 0)
        bulletIndent = 12 * f
    }

    /// Text scale factors tried in turn until the document fits one page (body 8.8 pt … 6.8 pt, still legible on paper).
    static let textScales = [1.0, 0.95, 0.9, 0.86, 0.83, 0.8, 0.77]

    /// Text block metrics: font size, line advance, space before the block.
    struct TextMetrics {
        var size: Double
        var leading: Double
        var before: Double
    }

    let title: TextMetrics
    let meta: TextMetrics
    let heading: TextMetrics
    let subheading: TextMetrics
    let body: TextMetrics
    let table: TextMetrics
    let bulletIndent: Double
    static let figureGap = 10.0

    /// Lays out every block; returns the items of each page (at least one page).
    mutating func layOut(_ blocks: [OnePagerBlock]) throws -> [[PageItem]] {
        var index = 0
        while index < blocks.count {
            switch blocks[index] {
            case .title(let spans):
                text(spans, metrics: title, color: .black)
            case .meta(let spans):
                text(spans, metrics: meta, color: .muted)
                let next = index + 1 < blocks.count ? blocks[index + 1] : nil
                if case .meta = next {
                } else {
                    y += 5
                    add(.box(x: left, y: y, width: width, height: 1.4, color: OnePagerStyle.accent))
                    y += 6
                }
            case .heading(let spans):
                // Keep a heading with at least two lines of what follows.
                ensureSpace(heading.before + heading.leading + 4 + 2 * body.leading)
                text(spans, metrics: heading, color: OnePagerStyle.accent)
                y += 2
                add(.box(x: left, y: y, width: width, height: 0.6, color: OnePagerStyle.rule))
                y += 4
            case .subheading(let spans):
                ensureSpace(subheading.before + subheading.leading + body.leading)
                text(spans, metrics: subheading, color: OnePagerStyle.strong)
            case .paragraph(let spans):
                text(spans, metrics: body, color: OnePagerStyle.body)
            case .bullet(let spans):
                text(spans, metrics: body, color: OnePagerStyle.body, indent: bulletIndent, marker: nil)
            case .numbered(let marker, let spans):
                text(spans, metrics: body, color: OnePagerStyle.body, indent: bulletIndent + 2, marker: marker)
            case .tableRow:
                var rows: [(OnePagerBlock.TableRowKind, [[InlineSpan]])] = []
                while index < blocks.count, case .tableRow(let kind, let cells) = blocks[index] {
                    rows.append((kind, cells))
                    index += 1
                }
                table(rows)
                continue
            case .figure(let name):
                guard let chart = charts[name] else { throw PlotError.unknownFigure(name: name) }
                let remaining = blocks[index...].filter { if case .figure = $0 { return true } else { return false } }
                    .count
                figure(chart, remaining: remaining)
            }
            index += 1
        }
        return pages
    }

    // MARK: Pieces

    private mutating func add(_ item: PageItem) { pages[pages.count - 1].append(item) }

    private mutating func newPage() {
        pages.append([])
        y = OnePager.marginTop
    }

    /// Starts a new page unless `height` more points fit on this one (never on an empty page).
    private mutating func ensureSpace(_ height: Double) {
        if y + height > bottom && !pages[pages.count - 1].isEmpty { newPage() }
    }

    private func breaker(size: Double) -> LineBreaker {
        let canvas = self.canvas
        return LineBreaker { text, _ in
            canvas.setFontSize(size)
            return canvas.textWidthWithFallback(text)
        }
    }

    /// Wrapped text; `marker` is a numbered item's number, a bullet gets a dot when `indent` > 0.
    private mutating func text(
        _ spans: [InlineSpan], metrics: TextMetrics, color: RGBColor,
        indent: Double = 0, marker: String? = nil
    ) {
        let lines = breaker(size: metrics.size).lines(spans, maxWidth: width - indent)
        y += metrics.before
        for (i, line) in lines.enumerated() {
            ensureSpace(metrics.leading)
            y += metrics.leading
            let baseline = y - metrics.leading * 0.28
            if i == 0 && indent > 0 {
                if let marker {
                    add(.text(marker, x: left, y: baseline, size: metrics.size, color: OnePagerStyle.strong))
                } else {
                    add(.dot(x: left + 4, y: baseline - metrics.size * 0.33, radius: 1.5, color: OnePagerStyle.accent))
                }
            }
            for piece in line {
                add(
                    .text(
                        piece.text, x: left + indent + piece.x, y: baseline, size: metrics.size,
                        color: OnePagerStyle.color(piece.style, base: color)))
            }
        }
    }

    /// A table: every column but the last is as wide as its widest cell (at most 30 % of the
    /// width); the last takes the rest and wraps. Failed rows are tinted, the second cell of a
    /// passed / failed row is green / red.
    private mutating func table(_ rows: [(OnePagerBlock.TableRowKind, [[InlineSpan]])]) {
        let m = table
        let padding = 4.0
        let rowPadding = 1.5
        let columns = rows.map(\.1.count).max() ?? 0
        guard columns > 0 else { return }
        canvas.setFontSize(m.size)
        var widths = (0..<columns - 1).map { column in
            min(
                width * 0.3,
                rows.map { row in
                    column < row.1.count ? row.1[column].reduce(0) { $0 + canvas.textWidthWithFallback($1.text) } : 0
                }.max() ?? 0) + 2 * padding
        }
        widths.append(max(40, width - widths.reduce(0, +)))
        let breaker = self.breaker(size: m.size)
        y += 3
        for (kind, cells) in rows {
            let wrapped = (0..<columns).map { column in
                column < cells.count ? breaker.lines(cells[column], maxWidth: widths[column] - 2 * padding) : []
            }
            let lineCount = max(1, wrapped.map(\.count).max() ?? 1)
            let height = Double(lineCount) * m.leading + 2 * rowPadding
            ensureSpace(height)
            switch kind {
            case .header: add(.box(x: left, y: y, width: width, height: height, color: OnePagerStyle.headerTint))
            case .failed: add(.box(x: left, y: y, width: width, height: height, color: OnePagerStyle.failTint))
            case .passed, .plain: break
            }
            var x = left
            for column in 0..<columns {
                var base: RGBColor = kind == .header ? OnePagerStyle.strong : OnePagerStyle.body
                if column == 1 && kind == .passed { base = OnePagerStyle.pass }
                if column == 1 && kind == .failed { base = OnePagerStyle.fail }
                for (i, line) in wrapped[column].enumerated() {
                    let baseline = y + rowPadding + Double(i + 1) * m.leading - m.leading * 0.28
                    for piece in line {
                        let color = piece.style == .plain ? base : OnePagerStyle.color(piece.style, base: base)
                        add(.text(piece.text, x: x + padding + piece.x, y: baseline, size: m.size, color: color))
                    }
                }
                x += widths[column]
            }
            y += height
            add(.box(x: left, y: y - 0.3, width: width, height: 0.6, color: OnePagerStyle.rule))
        }
    }

    /// A figure across the text width, as tall as the page allows between the height limits,
    /// sharing what is left of the page with the `remaining - 1` figures after it.
    private mutating func figure(_ chart: Chart, remaining: Int) {
        func height() -> Double {
            let available = bottom - y - Double(remaining) * Self.figureGap
            return min(OnePager.figureMaxHeight, available / Double(max(1, remaining)))
        }
        var h = height()
        if h < OnePager.figureMinHeight && !pages[pages.count - 1].isEmpty {
            newPage()
            h = height()
        }
        h = max(h, OnePager.figureMinHeight)
        y += Self.figureGap
        add(.figure(chart, x: left, y: y, width: width, height: h))
        y += h
    }
}
