import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

/// No text of a figure is clipped or drawn over other text or a frame, at the sizes the report and
/// the one-pager draw it: measured on the boxes the renderer records (``ChartDrawing``).
@Suite struct ChartLayoutTests {
    /// The layout faults of one drawing, described (empty when there are none).
    static func faults(_ chart: Chart) throws -> [String] {
        let drawing = try ChartRenderer.drawing(chart)
        let page = Rect(x: 0, y: 0, width: chart.width, height: chart.height)
        var faults: [String] = []
        for label in drawing.labels where !page.contains(label.box) {
            faults.append("\(label.kind) '\(label.text)' leaves the chart (\(label.box) in \(page))")
        }
        let legend = drawing.labels.filter { $0.kind == .legend }
        for label in legend {
            if let area = drawing.plotAreas.first(where: { $0.intersects(label.box) }) {
                faults.append("legend '\(label.text)' over the plot area \(area)")
            }
        }
        for (i, a) in legend.enumerated() {
            for b in legend[(i + 1)...] where a.box.intersects(b.box) {
                faults.append("legend rows '\(a.text)' and '\(b.text)' overlap")
            }
        }
        for (index, area) in drawing.plotAreas.enumerated() {
            let inside = drawing.labels.filter { $0.panel == index }
            let inner = Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 2)
            for label in inside where !inner.contains(label.box) {
                faults.append(
                    "\(label.kind) '\(label.text)' crosses the frame of panel \(index) (\(label.box) in \(area))")
            }
            for (i, a) in inside.enumerated() {
                for b in inside[(i + 1)...] where a.box.intersects(b.box) {
                    faults.append("'\(a.text)' and '\(b.text)' overlap in panel \(index)")
                }
            }
        }
        return faults
    }

    /// The sample batch with its cost recorded (so every figure has all its labels).
    static func batch() throws -> BatchSnapshot { try CostFigureTests.costedBatch() }

    /// A figure's chart height on the one-pager when it is `pageHeight` points tall on the page.
    static func onePagerChartHeight(_ pageHeight: Double) -> Double {
        pageHeight * OnePager.chartLayoutWidth / (OnePager.pageWidth - 2 * OnePager.marginX)
    }

    @Test(
        "every figure at the report's size and at the one-pager's smallest and largest sizes",
        arguments: [
            500.0, onePagerChartHeight(OnePager.figureMaxHeight), onePagerChartHeight(OnePager.figureMinHeight),
        ])
    func everyFigure(height: Double) throws {
        let batch = try Self.batch()
        for (name, _, chart) in Figures.charts(batch: batch, trend: try SampleBatch.trend(count: 3)) {
            var sized = chart
            sized.height = height
            if height != 500 { sized.subtitle = "" }
            let faults = try Self.faults(sized)
            #expect(faults.isEmpty, "\(name) at height \(height): \(faults)")
        }
    }

    @Test("the one-pager's figures as laid out under a nightly-sized summary")
    func onePagerFigures() throws {
        let summary = try String(
            contentsOf: Fixtures.directory.appendingPathComponent("archive/golden/summary.ja.md"), encoding: .utf8)
        let markup =
            "# 指数活性化ネットワークの夜間検証\n% 開始 2026-11-29 04:30:00 UTC · 状態 completed\n" + summary
            + "\n## ゲート\n|+ `max_final_loss` | 合格 | 0 of 18 runs above 1.0e-05\n@figure loss\n@figure gram_distance\n"
        let charts = Dictionary(
            Figures.charts(batch: try Self.batch(), trend: []).map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
        let folder = TemporaryDirectory(prefix: "expreg-layout")
        let canvas = try CairoCanvas(
            kind: .pdf(path: folder.url.appendingPathComponent("x.pdf").path), width: OnePager.pageWidth,
            height: OnePager.pageHeight)
        var layout = OnePagerLayout(canvas: canvas, charts: charts)
        let pages = try layout.layOut(OnePagerBlock.parse(markup))
        var figures = 0
        for case .figure(let chart, _, _, let width, let height) in pages.flatMap({ $0 }) {
            figures += 1
            let faults = try Self.faults(PageItem.pageChart(chart, width: width, height: height))
            #expect(faults.isEmpty, "\(chart.title) at \(Int(height)) pt on the page: \(faults)")
        }
        #expect(figures == 2)
    }

    @Test("a legend too tall for its chart is split into columns, not cut off")
    func legendColumns() throws {
        let entries = (1...14).map { LegendEntry("entry \($0)", color: Palette.color($0)) }
        let chart = Chart(
            title: "t", panels: [Panel(xAxis: AxisSpec(title: "x"), yAxis: AxisSpec(title: "y"))], legend: entries,
            height: 200)
        let drawing = try ChartRenderer.drawing(chart)
        let columns = Set(drawing.labels.filter { $0.kind == .legend }.map(\.box.x))
        #expect(columns.count >= 2)
        #expect(try Self.faults(chart).isEmpty)
    }

    @Test("annotations and reference labels crowded in a short panel move apart, inside the frame")
    func crowdedLabels() throws {
        var panel = Panel(
            xAxis: AxisSpec(title: "x"), yAxis: AxisSpec(title: "y"),
            series: [Series(name: "s", color: Palette.blue, points: [DataPoint(1, 1), DataPoint(2, 2)])])
        panel.annotations = (0..<3).map {
            Annotation("label \($0): slope = -0.500", fractionX: 0.03, fractionY: 0.02 + 0.03 * Double($0))
        }
        panel.references = [
            ReferenceLine(.vertical(1.5), label: "m* exp ≈ 783,000"),
            ReferenceLine(.vertical(1.52), label: "m* relu ≈ 1,230,000"),
            ReferenceLine(.horizontal(1.98), label: "λ*/4 exp"), ReferenceLine(.horizontal(1.99), label: "λ*/4 relu"),
        ]
        let chart = Chart(title: "t", panels: [panel], height: 180)
        #expect(try Self.faults(chart).isEmpty)
    }
}
