import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

/// Layout details found on real batches (one width, rates near 1, labels over data).
@Suite struct FigurePolishTests {
    /// A batch with one width only (relu m = 16, three seeds).
    static func oneWidthBatch() throws -> BatchSnapshot {
        let reference = try SampleBatch.reference("tiny-relu")
        let runs = (0..<3).map { SampleBatch.run(reference, width: 16, widthRank: 0, seed: $0, index: $0) }
        return SampleBatch.snapshot(id: "one-width", startedAt: Date(timeIntervalSince1970: 0), runs: runs)
    }

    @Test func oneWidthIsCentredAndItsMediansAreStrokes() throws {
        let batch = try Self.oneWidthBatch()
        for chart in [RateFigure.chart(batch), GramDistanceFigure.chart(batch)] {
            let prepared = try #require(ChartLayoutInput(chart: chart).panels.first)
            #expect(prepared.xTicks.lower == 8 && prepared.xTicks.upper == 32, "\(chart.title): width 16 not centred")
            #expect(prepared.xTicks.ticks.filter { !$0.label.isEmpty }.map(\.label) == ["16"])
        }
        // A lone median point would be drawn as a dot like the runs' dots: it is a short stroke.
        let rate = RateFigure.chart(batch)
        for name in ["relu observed", "relu predicted"] {
            let series = try #require(rate.panels[0].series.first { $0.name == name })
            #expect(series.points.count == 2 && series.points[0].y == series.points[1].y)
            #expect(series.points[0].x < 16 && series.points[1].x > 16)
        }
    }

    @Test func topOfALinearAxisLeavesRoomAboveTheData() {
        // Predicted rates sit just under 1: they must not be drawn on the frame.
        let panel = Panel(
            xAxis: AxisSpec(title: "m"), yAxis: AxisSpec(title: "rate"),
            series: [
                Series(name: "rates", color: Palette.blue, points: [DataPoint(1, 0.94), DataPoint(2, 0.99995)])
            ])
        let ticks = PreparedPanel(panel).yTicks
        #expect(ticks.upper - 0.99995 >= 0.01 * (0.99995 - 0.94), "upper \(ticks.upper) hugs the data")
        #expect(ticks.lower <= 0.94 && ticks.lower >= 0.9)
    }

    @Test func referenceLabelOverDataIsReadable() throws {
        // A 24 pt band of pure colour under a reference line's label, which sits just above the line.
        let band = RGBColor(hex: 0x0072B2)
        let panel = Panel(
            xAxis: AxisSpec(title: "x"), yAxis: AxisSpec(title: "y"),
            series: [
                Series(name: "thick", color: band, lineWidth: 24, points: [DataPoint(0, 0.5), DataPoint(1, 0.5)]),
                Series(name: "range", color: band, points: [DataPoint(0, 0), DataPoint(0, 1)]),
            ],
            references: [ReferenceLine(.horizontal(0.5), label: "λ* = 1.00e-03 WWWW", color: .black)])
        let folder = TemporaryDirectory(prefix: "expreg-plot")
        let png = folder.url.appendingPathComponent("label.png").path
        let areas = try ChartRenderer.write(
            Chart(title: "t", panels: [panel]), pngPath: png,
            svgPath: folder.url.appendingPathComponent("label.svg").path)
        let area = try #require(areas.first)
        let image = try RasterImage(pngPath: png)
        // The label's box: right-aligned 4 pt from the right edge, baseline 4 pt above the line (y = 0.5).
        let ticks = PreparedPanel(panel).yTicks
        let lineY = area.y + area.height * (1 - (0.5 - ticks.lower) / (ticks.upper - ticks.lower))
        let box = Rect(x: area.x + area.width - 60, y: lineY - 12, width: 52, height: 6)
        let pixels = RenderedFileInspection.pixels(image, in: box, scale: ChartRenderer.pngScale, inset: 0)
        #expect(!pixels.isEmpty)
        // Between the glyphs, the band shows only through the translucent white backing.
        #expect(!pixels.contains { $0.distance(to: band) <= 2 }, "the band is drawn unmasked behind the label")
        // Outside the box the band is untouched.
        let left = RenderedFileInspection.pixels(
            image, in: Rect(x: area.x + 10, y: lineY - 8, width: 20, height: 4),
            scale: ChartRenderer.pngScale, inset: 0)
        #expect(left.allSatisfy { $0.distance(to: band) <= 2 })
    }
}
