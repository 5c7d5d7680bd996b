import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

/// Non-finite, empty, single-point, constant and extreme inputs: no crash, a note on the chart,
/// valid files.
@Suite struct DegenerateInputTests {
    static let single = RGBColor(hex: 0x0072B2), constant = RGBColor(hex: 0xE69F00), wide = RGBColor(hex: 0x009E73)

    static func awkwardChart() -> Chart {
        let messy = Series(
            name: "messy", color: Palette.vermillion,
            points: [
                DataPoint(0, 1), DataPoint(1, .nan), DataPoint(2, .infinity), DataPoint(.nan, 3), DataPoint(4, -1),
                DataPoint(5, 0), DataPoint(6, 0.5),
            ])
        let a = Panel(
            title: "A", xAxis: AxisSpec(title: "x"), yAxis: AxisSpec(title: "y (log)", scale: .log10),
            bands: [Band(color: Palette.vermillion, samples: [Band.Sample(x: 0, lower: .nan, upper: 2)])],
            series: [
                messy, Series(name: "empty", color: Palette.skyBlue, points: []),
                Series(name: "single", color: single, points: [DataPoint(3, 0.7)]),
            ])
        let b = Panel(
            title: "B", xAxis: AxisSpec(title: "x"), yAxis: AxisSpec(title: "y"),
            series: [Series(name: "constant", color: constant, points: (0..<20).map { DataPoint(Double($0), 4.2) })],
            references: [ReferenceLine(.horizontal(.nan), label: "nan"), ReferenceLine(.vertical(10), label: "x = 10")])
        let c = Panel(
            title: "C", xAxis: AxisSpec(title: "m (log)", scale: .log10),
            yAxis: AxisSpec(title: "v (log)", scale: .log10),
            series: [
                Series(
                    name: "wide", color: wide,
                    points: (0...40).map { DataPoint(pow(10, Double($0) / 4), pow(10, Double($0) - 30)) })
            ])
        let empty = Panel(
            title: "D", xAxis: AxisSpec(title: "x"), yAxis: AxisSpec(title: "y (log)", scale: .log10),
            series: [Series(name: "nothing", color: Palette.reddishPurple, points: [DataPoint(.nan, .nan)])])
        return Chart(
            title: "退化した入力", subtitle: "degenerate inputs", panels: [a, b, c, empty],
            legend: [LegendEntry("messy", color: Palette.vermillion)])
    }

    @Test func droppedPointsAreCountedInNotes() {
        let layout = ChartLayoutInput(chart: Self.awkwardChart())
        // A: (1,NaN), (2,∞), (NaN,3) and the band sample with a NaN bound are non-finite;
        // (4,−1) and (5,0) are ≤ 0 on the log axis. D: one non-finite point.
        #expect(layout.panels[0].nonFiniteDropped == 4)
        #expect(layout.panels[0].nonPositiveDropped == 2)
        #expect(layout.panels[0].series.map(\.points.count) == [2, 0, 1])
        #expect(layout.notes.contains("A: 非有限値 4 点を除外 / 4 non-finite points not drawn"))
        #expect(layout.notes.contains { $0.hasPrefix("A: ") && $0.contains("2 points <= 0 not drawn on the log axis") })
        #expect(layout.notes.contains { $0.hasPrefix("D: ") && $0.contains("1 non-finite") })
        #expect(layout.panels[3].isEmpty)
        // Constant series: the axis is widened around 4.2; the huge range gets finite decade ticks.
        #expect(layout.panels[1].yTicks.lower < 4.2 && layout.panels[1].yTicks.upper > 4.2)
        #expect(layout.panels[2].yTicks.lower <= 1e-30 && layout.panels[2].yTicks.upper >= 1e10)
        #expect(layout.panels[2].xTicks.lower <= 1 && layout.panels[2].xTicks.upper >= 1e10)
    }

    @Test func awkwardChartRendersSanely() throws {
        let folder = TemporaryDirectory(prefix: "expreg-plot")
        let png = folder.url.appendingPathComponent("awkward.png").path
        let svg = folder.url.appendingPathComponent("awkward.svg").path
        let areas = try ChartRenderer.write(Self.awkwardChart(), pngPath: png, svgPath: svg)
        let image = try RasterImage(pngPath: png)
        #expect(image.width == 1600 && image.height == 1000)
        // The single point is drawn as a dot, the constant series as a line, the 40-decade series too.
        for (index, color) in [(0, Self.single), (1, Self.constant), (2, Self.wide)] {
            let pixels = RenderedFileInspection.pixels(image, in: areas[index], scale: ChartRenderer.pngScale)
            #expect(pixels.contains { $0.distance(to: color) <= 2 }, "colour \(color) missing in panel \(index)")
        }
        let summary = try #require(try RenderedFileInspection.parseSVG(svg))
        // Stroked paths: messy (1), single (1), constant (1), wide (1); empty series draw nothing.
        #expect(summary.paths.filter { $0.stroke == Palette.vermillion }.count == 1)
        #expect(summary.paths.filter { $0.stroke == Palette.skyBlue }.isEmpty)
        #expect(summary.paths.filter { $0.stroke == Self.single }.count == 1)
        #expect(summary.paths.filter { $0.stroke == Palette.reddishPurple }.isEmpty)
    }

    static func emptyBatch() throws -> BatchSnapshot {
        SampleBatch.snapshot(
            id: "20261129T000000Z-empty", startedAt: Date(timeIntervalSince1970: 1_795_900_000), runs: [])
    }

    /// One exp run at one width that diverged: NaN in its curves, diagnostics missing.
    static func divergedBatch() throws -> BatchSnapshot {
        let reference = try SampleBatch.reference("tiny-exp")
        var run = SampleBatch.run(reference, width: 16, widthRank: 0, seed: 0, index: 0)
        run.outcome.status = .diverged
        run.outcome.lossCurve =
            run.outcome.lossCurve.prefix(20) + [
                CurvePoint(step: 20, value: .infinity), CurvePoint(step: 21, value: .nan),
            ]
        run.outcome.kernelPrediction = []
        run.outcome.lossFinal = nil
        run.outcome.diagnostics = TheoryDiagnostics(lambdaStar: run.outcome.diagnostics.lambdaStar)
        run.outcome.spectra = [Spectrum(step: 0, kind: .hW, eigenvalues: [.nan, -1e-17, 0.5, 2])]
        return SampleBatch.snapshot(
            id: "20261129T000000Z-diverged", startedAt: Date(timeIntervalSince1970: 1_795_900_000), runs: [run])
    }

    @Test(arguments: ["empty", "diverged"])
    func batchesLackingDataGiveEveryFigureWithANote(kind: String) throws {
        let batch = kind == "empty" ? try Self.emptyBatch() : try Self.divergedBatch()
        let trend = kind == "empty" ? [] : [BatchHeadline(snapshot: batch)]
        let charts = Figures.charts(batch: batch, trend: trend)
        let notes = Dictionary(
            uniqueKeysWithValues: charts.map { ($0.0, ChartLayoutInput(chart: $0.2).notes.joined(separator: "\n")) })
        for name in ["gram_distance", "rate", "trend"] {
            #expect(notes[name]?.contains("not enough data") == true, "\(kind) \(name): \(notes[name] ?? "")")
        }
        if kind == "empty" {
            for name in Figures.names { #expect(notes[name]?.contains("not enough data") == true, "\(name)") }
        } else {
            #expect(notes["loss"]?.contains("2 non-finite points not drawn") == true, "\(notes["loss"] ?? "")")
            #expect(notes["spectrum"]?.contains("non-finite") == true && notes["spectrum"]?.contains("<= 0") == true)
        }
        let folder = TemporaryDirectory(prefix: "expreg-plot")
        let figures = try Figures.renderAll(batch: batch, trend: trend, into: folder.url)
        #expect(figures.map(\.name) == Figures.names)
        for figure in figures {
            let size = try RenderedFileInspection.pngHeaderSize(figure.pngPath)
            #expect(size?.0 == 1600 && size?.1 == 1000)
            #expect(try RenderedFileInspection.parseSVG(figure.svgPath) != nil)
        }
    }
}

/// PDF comes from the same drawing code.
@Test func pdfIsWritten() throws {
    let folder = TemporaryDirectory(prefix: "expreg-plot")
    let path = folder.url.appendingPathComponent("awkward.pdf").path
    try DegenerateInputTests.awkwardChart().writePDF(path: path)
    let head = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(5)
    #expect(String(decoding: head, as: UTF8.self) == "%PDF-")
}

/// A tight linear axis ends at the data, with nice ticks inside.
@Test func tightAxisEndsAtTheData() {
    let panel = Panel(
        xAxis: AxisSpec(title: "i", tight: true), yAxis: AxisSpec(title: "v"),
        series: [Series(name: "s", color: Palette.blue, points: (1...32).map { DataPoint(Double($0), 1) })])
    let prepared = PreparedPanel(panel)
    #expect(prepared.xTicks.lower == 1 && prepared.xTicks.upper == 32)  // exact data values, no arithmetic
    #expect(prepared.xTicks.ticks.map(\.label) == ["10", "20", "30"])
}

/// The analytic envelope underflowing to 0 is not reported as dropped data.
@Test func envelopeUnderflowIsNotADataNote() throws {
    var run = SampleBatch.run(try SampleBatch.reference("tiny-exp"), width: 16, widthRank: 0, seed: 0, index: 0)
    // 1 − ηλ*/2 = 1e-5: (1e-5)^k underflows to 0 after ~65 steps.
    run.outcome.eta = 2 * (1 - 1e-5) / (try #require(run.outcome.diagnostics.lambdaStar))
    let batch = SampleBatch.snapshot(id: "x", startedAt: Date(timeIntervalSince1970: 0), runs: [run])
    let chart = LossFigure.chart(batch)
    let envelope = try #require(chart.panels.first?.series.first { $0.name.hasSuffix("envelope") })
    #expect(!envelope.points.isEmpty && envelope.points.allSatisfy { $0.y > 0 })
    #expect(ChartLayoutInput(chart: chart).notes.isEmpty)
}
