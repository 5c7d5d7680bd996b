import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

/// Every figure rendered from the reference trainer output (plus synthetic widths), checked on
/// the files themselves.
@Suite struct FigureRenderingTests {
    /// Anti-aliasing never changes the core pixels of a ≥ 1.3 pt line at 2× (≥ 2.6 px wide),
    /// so a series colour must occur exactly; 2 units allow for premultiplied-alpha rounding.
    static let colorTolerance = 2

    static func chart(_ name: String) throws -> Chart {
        let batch = SampleBatch.withHeldOut(try SampleBatch.make())
        let charts = Figures.charts(batch: batch, trend: try SampleBatch.trend(count: 5))
        return try #require(charts.first { $0.0 == name }).2
    }

    @Test(arguments: Figures.names + Figures.optionalNames)
    func figureFilesAreValidAndShowEverySeries(name: String) throws {
        let folder = TemporaryDirectory(prefix: "expreg-plot")
        let chart = try Self.chart(name)
        let png = folder.url.appendingPathComponent("\(name).png").path
        let svg = folder.url.appendingPathComponent("\(name).svg").path
        let areas = try ChartRenderer.write(chart, pngPath: png, svgPath: svg)
        let prepared = ChartLayoutInput(chart: chart)

        // PNG: signature, 2x pixel size.
        let size = try #require(try RenderedFileInspection.pngHeaderSize(png), "\(png) is not a PNG")
        #expect(size.0 == 1600 && size.1 == 1000)
        let image = try RasterImage(pngPath: png)
        #expect(image.width == 1600 && image.height == 1000)

        // Each plot area has ink and every drawable series' colour.
        #expect(areas.count == chart.panels.count)
        for (panel, area) in zip(prepared.panels, areas) {
            let pixels = RenderedFileInspection.pixels(image, in: area, scale: ChartRenderer.pngScale)
            let ink = pixels.filter { $0.distance(to: .white) > 40 && $0.distance(to: .grid) > 10 }.count
            if !panel.isEmpty { #expect(ink > 500, "\(name) panel '\(panel.panel.title)' looks blank") }
            for series in panel.series where !series.points.isEmpty {
                #expect(
                    pixels.contains { $0.distance(to: series.color) <= Self.colorTolerance },
                    "\(name): colour \(series.color) of '\(series.name)' not found in its plot area")
            }
        }

        // SVG: well-formed, one stroked path per line series (and reference) of each colour.
        let summary = try #require(try RenderedFileInspection.parseSVG(svg), "\(svg) is not well-formed XML")
        #expect(summary.rootName == "svg")
        var expected: [RGBColor: Int] = [:]
        for panel in prepared.panels {
            for series in panel.series where !series.points.isEmpty {
                if case .line = series.mark { expected[series.color, default: 0] += 1 }
            }
            for reference in panel.panel.references {
                switch reference.orientation {
                case .horizontal(let v) where v.isFinite && (panel.panel.yAxis.scale == .linear || v > 0):
                    expected[reference.color, default: 0] += 1
                case .vertical(let v) where v.isFinite && (panel.panel.xAxis.scale == .linear || v > 0):
                    expected[reference.color, default: 0] += 1
                default: break
                }
            }
        }
        #expect(!expected.isEmpty)
        for (color, count) in expected {
            let found = summary.paths.filter { $0.stroke == color }.count
            #expect(found == count, "\(name): \(found) stroked paths of \(color), expected \(count)")
        }
        // Scatter series are filled paths in their colour.
        for panel in prepared.panels {
            for series in panel.series where !series.points.isEmpty {
                if case .scatter = series.mark {
                    #expect(summary.paths.contains { $0.fill == series.color }, "\(name): no dots of \(series.color)")
                }
            }
        }
        // Every glyph exists in the font (glyph 0 of a Cairo subset is .notdef, the "tofu" box).
        #expect(!summary.glyphReferences.isEmpty)
        #expect(!summary.glyphReferences.contains { $0.hasSuffix("-0") }, "\(name): text uses a missing glyph")
    }

    @Test func renderAllWritesEveryFigureAtomically() throws {
        let folder = TemporaryDirectory(prefix: "expreg-plot")
        let target = folder.url.appendingPathComponent("plots")  // created by renderAll
        let figures = try Figures.renderAll(
            batch: try SampleBatch.make(), trend: try SampleBatch.trend(count: 3), into: target)
        #expect(figures.map(\.name) == Figures.names)
        #expect(figures.first?.title == "損失の推移")
        let files = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
        #expect(
            files == Figures.names.flatMap { ["\($0).png", "\($0).svg"] }.sorted(), "leftover temporary files: \(files)"
        )
        for figure in figures {
            #expect(figure.pngPath == target.appendingPathComponent("\(figure.name).png").path)
            #expect(FileManager.default.fileExists(atPath: figure.svgPath))
            #expect(!figure.title.isEmpty && !figure.englishTitle.isEmpty)
        }
    }

    @Test func theGeneralizationFigureIsDrawnOnlyForABatchWithATestSet() throws {
        let folder = TemporaryDirectory(prefix: "expreg-plot")
        let batch = SampleBatch.withHeldOut(try SampleBatch.make())
        let figures = try Figures.renderAll(batch: batch, trend: [], into: folder.url)
        #expect(figures.map(\.name) == Figures.names + ["generalization"])
        let chart = try #require(Figures.charts(batch: batch, trend: []).first { $0.0 == "generalization" }).2
        // Per activation: the runs (dots), the median, the kernel and the NTK lines.
        let names = chart.panels.flatMap(\.series).map(\.name)
        #expect(
            names == [
                "exp test runs", "exp test median", "exp kernel", "exp NTK",
                "relu test runs", "relu test median", "relu kernel", "relu NTK",
            ])
        let kernel = try #require(chart.panels[0].series.first { $0.name == "exp kernel" })
        // Medians over seeds 0, 1, 2 of 0.61·(1 + 0.04 s): 0.61·1.04 at every width.
        #expect(kernel.points.map(\.x) == [512, 1024, 2048])
        #expect(kernel.points.allSatisfy { abs($0.y - 0.61 * 1.04) < 1e-12 })
        #expect(chart.notes.contains { $0.contains("outside the theorem") })
    }

    @Test func sameInputGivesByteIdenticalFiles() throws {
        let batch = try SampleBatch.make()
        let trend = try SampleBatch.trend(count: 4)
        let first = TemporaryDirectory(prefix: "expreg-plot")
        let second = TemporaryDirectory(prefix: "expreg-plot")
        let a = try Figures.renderAll(batch: batch, trend: trend, into: first.url)
        let b = try Figures.renderAll(batch: batch, trend: trend, into: second.url)
        for (x, y) in zip(a, b) {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: x.pngPath))
                    == Data(contentsOf: URL(fileURLWithPath: y.pngPath)),
                "\(x.name).png differs between two renders")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: x.svgPath))
                    == Data(contentsOf: URL(fileURLWithPath: y.svgPath)),
                "\(x.name).svg differs between two renders")
        }
    }

    @Test func gramDistanceFigurePrintsTheFittedSlope() throws {
        let chart = try Self.chart("gram_distance")
        let texts = chart.panels.flatMap(\.annotations).map(\.text)
        // The sample's finite-width error is built ∝ m^(-1/2) (seed noise aside): the fit must say so.
        let exp = try #require(texts.first { $0.hasPrefix("exp: slope = ") })
        let slope = try #require(Double(exp.dropFirst("exp: slope = ".count).prefix { $0 != " " }))
        #expect(abs(slope + 0.5) < 0.05, "fitted slope \(slope)")
    }
}
