import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

@Suite("Cost figure")
struct CostFigureTests {
    /// The sample batch with the cost the pipeline records: memory by the formula, time ∝ m.
    static func costedBatch() throws -> BatchSnapshot {
        var batch = try SampleBatch.make()
        for index in batch.runs.indices {
            let c = batch.runs[index].spec.config
            batch.runs[index].outcome.memoryBytes = TrainingMemory.bytes(n: c.data.n, d: c.data.d, m: c.model.width)
            batch.runs[index].trainingSeconds =
                1e-6 * Double(c.model.width) * Double(max(1, batch.runs[index].outcome.stepsRun))
            batch.runs[index].spectraSeconds = 1e-5 * Double(c.model.width)
            batch.runs[index].outcome.status = .converged
        }
        batch.judgement = .judge(runs: batch.runs, rules: .current)
        return batch
    }

    @Test("two panels (time, memory); the projection ring and the condition-width line sit at the analysis' width")
    func projectionIsMarked() throws {
        let batch = try Self.costedBatch()
        let chart = CostFigure.chart(batch)
        #expect(chart.panels.count == 2)
        let analysis = batch.judgement.analysis
        for group in analysis.widthScaling {
            let projection = try #require(group.projection)
            let m = Double(projection.width)
            let memory = try #require(chart.panels[1].series.first { $0.name == "\(group.activation) projection" })
            #expect(memory.points == [DataPoint(m, Double(projection.memoryBytes) / CostFigure.gibibyte)])
            #expect(chart.panels[0].references.contains { $0.orientation == .vertical(m) })
            let seconds = try #require(projection.secondsPerRun)
            let time = try #require(chart.panels[0].series.first { $0.name == "\(group.activation) projection" })
            #expect(time.points == [DataPoint(m, seconds)])
            let annotation = chart.panels[1].annotations.first {
                $0.text.hasPrefix("\(group.activation): m* ≈ \(projection.width)")
            }
            #expect(annotation != nil)
            // One time model: the curve through the tested widths, its extrapolation and the ring
            // are the group's archived model (the summary quotes the same projection).
            let model = group.costModel
            let fitted = try #require(chart.panels[0].series.first { $0.name == "\(group.activation) model" })
            let extrapolated = try #require(
                chart.panels[0].series.first { $0.name == "\(group.activation) extrapolation" })
            for point in fitted.points + extrapolated.points {
                #expect(point.y == model.secondsPerRun(width: point.x))
            }
            #expect(extrapolated.points.last?.x == m)
            #expect(extrapolated.points.last?.y == seconds)
            // The memory estimate curve is the trainer's formula.
            let curve = try #require(chart.panels[1].series.first { $0.name == "\(group.activation) estimate" })
            let config = try #require(batch.runs.first { $0.spec.config.model.activation.rawValue == group.activation })
                .spec.config
            let (n, d) = (config.data.n, config.data.d)
            for point in curve.points {
                #expect(
                    point.y == Double(TrainingMemory.bytes(n: n, d: d, m: Int(point.x.rounded()))) / CostFigure.gibibyte
                )
            }
        }
        #expect(chart.notes.isEmpty)
    }

    @Test("it renders to PNG and SVG like the other figures, and a batch without widths gets a note")
    func rendersAndDegrades() throws {
        let dir = TemporaryDirectory()
        let png = dir.url.appendingPathComponent("cost.png").path
        let svg = dir.url.appendingPathComponent("cost.svg").path
        try ChartRenderer.write(CostFigure.chart(try Self.costedBatch()), pngPath: png, svgPath: svg)
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
        let one = try SampleBatch.make()
        let single = SampleBatch.snapshot(
            id: "x", startedAt: Date(timeIntervalSince1970: 0),
            runs: one.runs.filter { $0.spec.config.model.width == 512 })
        #expect(CostFigure.chart(single).notes.contains { $0.contains("not enough data") })
    }
}
