import Foundation

/// Lays out and draws a ``Chart`` on a ``CairoCanvas`` (the files: ChartRenderer+Files.swift).
///
/// Layout (points, y down): title and subtitle on top, panels side by side, the legend in a
/// column on the right (outside every plot area), notes in the footer. Everything in a plot area
/// is clipped to it.
enum ChartRenderer {
    /// Pixels per point of the PNG (800 × 500 pt → 1600 × 1000 px).
    static let pngScale = 2.0

    // MARK: Drawing

    static let titleSize = 17.0
    static let subtitleSize = 10.5
    static let panelTitleSize = 12.0
    static let axisTitleSize = 10.5
    static let tickSize = 9.5
    static let legendSize = 10.0
    static let noteSize = 9.0
    static let margin = 16.0

    /// Advance between legend rows, and the gap between legend columns (points).
    static let legendRow = 16.0
    static let legendColumnGap = 8.0

    /// Draws the whole chart; returns where everything went (``ChartDrawing``).
    // swift-format-ignore: AlwaysUseLowerCamelCase
    @discardableResult
    static func draw(_ input: ChartLayoutInput, on canvas: CairoCanvas) -> ChartDrawing {
        let chart = input.chart
        var drawing = ChartDrawing()
        func label(_ text: String, _ kind: ChartDrawing.Kind, left: Double, baseline: Double, size: Double) {
            let box = textBox(left: left, baseline: baseline, width: canvas.richTextWidth(text, size: size), size: size)
            drawing.labels.append(.init(text: text, kind: kind, box: box))
        }
        // W × H: the chart size, as in the layout formulas below.
        let W = chart.width
        let H = chart.height
        canvas.drawRichText(chart.title, x: margin, y: 30, size: titleSize, color: .black)
        label(chart.title, .title, left: margin, baseline: 30, size: titleSize)
        var headerBottom = 40.0
        if !chart.subtitle.isEmpty {
            canvas.drawRichText(chart.subtitle, x: margin, y: 48, size: subtitleSize, color: .muted)
            label(chart.subtitle, .subtitle, left: margin, baseline: 48, size: subtitleSize)
            headerBottom = 56
        }

        // Footer notes.
        let notes = input.notes
        let noteLine = 12.5
        let footerTop = H - 8 - Double(notes.count) * noteLine
        for (i, note) in notes.enumerated() {
            let baseline = footerTop + Double(i + 1) * noteLine - 2.5
            canvas.drawRichText(note, x: margin, y: baseline, size: noteSize, color: RGBColor(hex: 0xA33D00))
            label(note, .note, left: margin, baseline: baseline, size: noteSize)
        }

        // Legend on the right: one column, or as many as it takes to end above the footer (a short
        // chart, e.g. on the one-pager, gets a wider legend rather than one cut off at the bottom).
        var regionRight = W - margin
        if !chart.legend.isEmpty {
            let labelWidth = chart.legend.map { canvas.richTextWidth($0.label, size: legendSize) }.max() ?? 0
            let columnWidth = min(230, labelWidth + 32)
            let firstRow = headerBottom + 26
            // A row's text reaches 6.5 points below its swatch's centre line.
            let rowsThatFit = max(1, Int(((footerTop - 4 - 6.5 - firstRow) / legendRow).rounded(.down)) + 1)
            let columns = (chart.legend.count + rowsThatFit - 1) / rowsThatFit
            let rows = (chart.legend.count + columns - 1) / columns
            let legendWidth = Double(columns) * columnWidth + Double(columns - 1) * legendColumnGap
            let x0 = W - margin - legendWidth
            regionRight = x0 - 12
            for (index, entry) in chart.legend.enumerated() {
                let x = x0 + Double(index / rows) * (columnWidth + legendColumnGap)
                let y = firstRow + Double(index % rows) * legendRow
                drawSwatch(entry, x: x, y: y, on: canvas)
                canvas.drawRichText(entry.label, x: x + 28, y: y + 3.5, size: legendSize, color: .axis)
                label(entry.label, .legend, left: x + 28, baseline: y + 3.5, size: legendSize)
            }
        }

        // Panels side by side.
        let top = headerBottom + 6
        let bottom = footerTop - 4
        let gap = 14.0
        let count = Double(max(1, input.panels.count))
        let panelWidth = (regionRight - margin - gap * (count - 1)) / count
        for (i, panel) in input.panels.enumerated() {
            let x = margin + Double(i) * (panelWidth + gap)
            let frame = Rect(x: x, y: top, width: panelWidth, height: bottom - top)
            let (area, labels) = drawPanel(panel, frame: frame, on: canvas)
            drawing.plotAreas.append(area)
            drawing.labels += labels.map { label in
                var placed = label
                placed.panel = i
                return placed
            }
        }
        return drawing
    }

    static func drawSwatch(_ entry: LegendEntry, x: Double, y: Double, on canvas: CairoCanvas) {
        // Filled shapes only: legend swatches never add stroked paths in a series colour.
        canvas.newPath()
        switch entry.swatch {
        case .line(.solid):
            canvas.rectangle(x, y - 1.25, 22, 2.5)
            canvas.setColor(entry.color)
        case .thinLine:
            canvas.rectangle(x, y - 0.65, 22, 1.3)
            canvas.setColor(entry.color)
        case .line(.dashed):
            canvas.rectangle(x, y - 1, 6, 2)
            canvas.rectangle(x + 9, y - 1, 6, 2)
            canvas.rectangle(x + 18, y - 1, 4, 2)
            canvas.setColor(entry.color)
        case .line(.dotted):
            for k in 0..<5 { canvas.circle(x + 1.5 + Double(k) * 4.75, y, radius: 1.1) }
            canvas.setColor(entry.color)
        case .band:
            canvas.rectangle(x, y - 5, 22, 10)
            canvas.setColor(entry.color, alpha: 0.25)
        case .marker:
            canvas.circle(x + 11, y, radius: 3.5)
            canvas.setColor(entry.color)
        }
        canvas.fill()
    }

    /// Draws one panel inside `frame`; returns its plot area and the labels drawn inside it.
    static func drawPanel(_ panel: PreparedPanel, frame: Rect, on canvas: CairoCanvas)
        -> (area: Rect, labels: [ChartDrawing.Label])
    {
        let spec = panel.panel
        let yLabelWidth = panel.yTicks.ticks.map { canvas.richTextWidth($0.label, size: tickSize) }.max() ?? 0
        let lastXLabel = panel.xTicks.ticks.last(where: { !$0.label.isEmpty })
        let lastXWidth = lastXLabel.map { canvas.richTextWidth($0.label, size: tickSize) } ?? 0
        let titleHeight = spec.title.isEmpty ? 8.0 : 22.0
        let plot = Rect(
            x: frame.x + 18 + yLabelWidth + 6,
            y: frame.y + titleHeight,
            width: 0, height: 0)
        var area = plot
        area.width = max(20, frame.x + frame.width - max(6, lastXWidth / 2 + 2) - plot.x)
        area.height = max(20, frame.y + frame.height - 34 - plot.y)
        let map = AxisMapping(
            xTicks: panel.xTicks, xScale: spec.xAxis.scale, yTicks: panel.yTicks,
            yScale: spec.yAxis.scale, area: area)

        if !spec.title.isEmpty {
            canvas.drawRichText(
                spec.title, x: area.x + area.width / 2, y: frame.y + 14, size: panelTitleSize,
                color: .black, anchor: .middle)
        }

        // Grid.
        canvas.setLineWidth(0.6)
        canvas.setDash([])
        canvas.setColor(.grid)
        canvas.newPath()
        // Unlabelled (minor) ticks get grid lines only while they stay sparse.
        func gridTicks(_ ticks: [Tick]) -> [Tick] { ticks.count <= 16 ? ticks : ticks.filter { !$0.label.isEmpty } }
        for tick in gridTicks(panel.yTicks.ticks) {
            let y = map.y(tick.value)
            canvas.move(to: area.x, y)
            canvas.line(to: area.x + area.width, y)
        }
        for tick in gridTicks(panel.xTicks.ticks) {
            let x = map.x(tick.value)
            canvas.move(to: x, area.y)
            canvas.line(to: x, area.y + area.height)
        }
        canvas.stroke()

        // Tick labels (x labels that would overlap the previous one are skipped).
        for tick in panel.yTicks.ticks where !tick.label.isEmpty {
            canvas.drawRichText(
                tick.label, x: area.x - 5, y: map.y(tick.value) + 3.3, size: tickSize,
                color: .axis, anchor: .end)
        }
        var lastRight = -Double.infinity
        for tick in panel.xTicks.ticks where !tick.label.isEmpty {
            let x = map.x(tick.value)
            let width = canvas.richTextWidth(tick.label, size: tickSize)
            guard x - width / 2 > lastRight + 4 else { continue }
            canvas.drawRichText(
                tick.label, x: x, y: area.y + area.height + 13, size: tickSize, color: .axis,
                anchor: .middle)
            lastRight = x + width / 2
        }

        // Axis titles.
        canvas.drawRichText(
            spec.xAxis.title, x: area.x + area.width / 2, y: area.y + area.height + 28,
            size: axisTitleSize, color: .axis, anchor: .middle)
        canvas.save()
        canvas.translate(frame.x + 11, area.y + area.height / 2)
        canvas.rotate(-Double.pi / 2)
        canvas.drawRichText(spec.yAxis.title, x: 0, y: 0, size: axisTitleSize, color: .axis, anchor: .middle)
        canvas.restore()

        // Data, clipped to the plot area.
        canvas.save()
        canvas.newPath()
        canvas.rectangle(area.x, area.y, area.width, area.height)
        canvas.clip()
        for band in panel.bands where band.samples.count >= 1 {
            canvas.newPath()
            let samples = band.samples
            if samples.count == 1 {
                let s = samples[0]
                let x = map.x(s.x)
                canvas.rectangle(x - 2, map.y(s.upper), 4, map.y(s.lower) - map.y(s.upper))
            } else {
                canvas.move(to: map.x(samples[0].x), map.y(samples[0].upper))
                for s in samples.dropFirst() { canvas.line(to: map.x(s.x), map.y(s.upper)) }
                for s in samples.reversed() { canvas.line(to: map.x(s.x), map.y(s.lower)) }
                canvas.closePath()
            }
            canvas.setColor(band.color, alpha: band.opacity)
            canvas.fill()
        }
        for reference in spec.references {
            canvas.newPath()
            canvas.setLineWidth(1.3)
            canvas.setDash(reference.style.dashPattern(lineWidth: 1.3))
            canvas.setColor(reference.color)
            switch reference.orientation {
            case .horizontal(let value):
                guard map.drawable(y: value) else { continue }
                canvas.move(to: area.x, map.y(value))
                canvas.line(to: area.x + area.width, map.y(value))
            case .vertical(let value):
                guard map.drawable(x: value) else { continue }
                canvas.move(to: map.x(value), area.y)
                canvas.line(to: map.x(value), area.y + area.height)
            }
            canvas.stroke()
        }
        for series in panel.series where !series.points.isEmpty {
            canvas.newPath()
            canvas.setDash([])
            switch series.mark {
            case .line(let style):
                canvas.setLineWidth(series.lineWidth)
                canvas.setDash(style.dashPattern(lineWidth: series.lineWidth))
                canvas.setRoundCaps(style == .dotted)
                let first = series.points[0]
                canvas.move(to: map.x(first.x), map.y(first.y))
                if series.points.count == 1 {
                    // A single point: a short tick so it is visible.
                    canvas.line(to: map.x(first.x) + 0.01, map.y(first.y))
                    canvas.setRoundCaps(true)
                    canvas.setLineWidth(max(series.lineWidth, 5))
                } else {
                    for p in series.points.dropFirst() { canvas.line(to: map.x(p.x), map.y(p.y)) }
                }
                canvas.setColor(series.color)
                canvas.stroke()
                canvas.setRoundCaps(false)
            case .scatter(let radius):
                for p in series.points { canvas.circle(map.x(p.x), map.y(p.y), radius: radius) }
                canvas.setColor(series.color)
                canvas.fill()
            }
        }
        canvas.setDash([])
        canvas.restore()

        // Reference labels and annotations, placed so that none crosses the frame or another one.
        var placer = LabelPlacer(area: area)
        for reference in spec.references where !reference.label.isEmpty {
            let width = canvas.richTextWidth(reference.label, size: tickSize)
            switch reference.orientation {
            case .horizontal(let value):
                guard map.drawable(y: value) else { continue }
                let y = map.y(value)
                let below = y < area.y + 16
                let baseline = placer.place(
                    reference.label, .reference, left: area.x + area.width - 4 - width,
                    baseline: below ? y + 12 : y - 4, width: width, size: tickSize, downward: below)
                drawBackedLabel(
                    reference.label, x: area.x + area.width - 4, y: baseline, size: tickSize,
                    color: reference.color, anchor: .end, on: canvas)
            case .vertical(let value):
                guard map.drawable(x: value) else { continue }
                let left = min(map.x(value) + 4, area.x + area.width - width - 3)
                let baseline = placer.place(
                    reference.label, .reference, left: left, baseline: area.y + 12, width: width, size: tickSize)
                drawBackedLabel(
                    reference.label, x: left, y: baseline, size: tickSize, color: reference.color, on: canvas)
            }
        }
        for annotation in spec.annotations {
            let size = 10.0
            let width = canvas.richTextWidth(annotation.text, size: size)
            let left = area.x + annotation.fractionX * area.width
            let baseline = placer.place(
                annotation.text, .annotation, left: left, baseline: area.y + annotation.fractionY * area.height,
                width: width, size: size)
            drawBackedLabel(annotation.text, x: left, y: baseline, size: size, color: annotation.color, on: canvas)
        }
        if panel.isEmpty {
            let text = "データなし / no data"
            let size = min(13, 13 * (area.width - 8) / max(1, canvas.richTextWidth(text, size: 13)))
            canvas.drawRichText(
                text, x: area.x + area.width / 2, y: area.y + area.height / 2,
                size: size, color: .muted, anchor: .middle)
        }
        canvas.newPath()
        canvas.setLineWidth(0.8)
        canvas.setColor(.axis)
        canvas.rectangle(area.x, area.y, area.width, area.height)
        canvas.stroke()
        return (area, placer.placed)
    }
}

/// Places labels inside a plot area: at their requested baseline when their box fits there, else
/// moved down (or, for a label asked to go `downward`, only down) in steps of a fifth of their size
/// until it stays 3 points inside the frame and off every label placed before.
struct LabelPlacer {
    let area: Rect
    private(set) var placed: [ChartDrawing.Label] = []
    static let inset = 3.0

    init(area: Rect) { self.area = area }

    /// Returns the baseline the label is drawn at and records its box.
    mutating func place(
        _ text: String, _ kind: ChartDrawing.Kind, left: Double, baseline: Double, width: Double, size: Double,
        downward: Bool = true
    ) -> Double {
        let inside = Rect(
            x: area.x + Self.inset, y: area.y + Self.inset, width: area.width - 2 * Self.inset,
            height: area.height - 2 * Self.inset)
        func box(_ y: Double) -> Rect { ChartRenderer.textBox(left: left, baseline: y, width: width, size: size) }
        func free(_ y: Double) -> Bool {
            let b = box(y)
            return b.y >= inside.y && b.y + b.height <= inside.y + inside.height
                && !placed.contains { $0.box.intersects(b) }
        }
        // Never above the frame's inside edge; then down past whatever is in the way.
        var y = max(baseline, inside.y + size * 0.95)
        let step = size / 5
        let lowest = inside.y + inside.height - size * 0.35
        while !free(y) && y + step <= lowest { y += step }
        if !free(y) && !downward {
            y = max(baseline, inside.y + size * 0.95)
            while !free(y) && y - step >= inside.y + size * 0.95 { y -= step }
        }
        placed.append(.init(text: text, kind: kind, box: box(y)))
        return y
    }
}

extension ChartRenderer {
    /// Opacity of the white backing behind labels drawn over data (data stays faintly visible).
    static let labelBackingOpacity = 0.8

    /// Draws `markup` with baseline at `y` on a translucent white backing, so a label placed over
    /// the data (reference-line labels, annotations) stays readable without hiding the lines.
    static func drawBackedLabel(
        _ markup: String, x: Double, y: Double, size: Double, color: RGBColor,
        anchor: TextAnchor = .start, on canvas: CairoCanvas
    ) {
        let width = canvas.richTextWidth(markup, size: size)
        let left = anchor.left(x, width: width)
        canvas.newPath()
        canvas.rectangle(left - 2, y - size * 0.95, width + 4, size * 1.3)
        canvas.setColor(.white, alpha: labelBackingOpacity)
        canvas.fill()
        canvas.drawRichText(markup, x: x, y: y, size: size, color: color, anchor: anchor)
    }
}
