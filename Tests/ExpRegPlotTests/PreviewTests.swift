import ExpRegCore
import Foundation
import Testing

@testable import ExpRegPlot

/// Writes the sample figures to $EXPREG_PLOT_PREVIEW (for looking at them); skipped otherwise.
@Test(.enabled(if: ProcessInfo.processInfo.environment["EXPREG_PLOT_PREVIEW"] != nil))
func writePreview() throws {
    let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["EXPREG_PLOT_PREVIEW"] ?? "/tmp")
    let batch = try SampleBatch.make()
    let trend = try SampleBatch.trend(count: 7)
    let clock = ContinuousClock()
    var figures: [RenderedFigure] = []
    let elapsed = try clock.measure { figures = try Figures.renderAll(batch: batch, trend: trend, into: folder) }
    print("renderAll: \(figures.count) figures in \(elapsed)")
    _ = try Figures.renderAll(
        batch: try SampleBatch.make(), trend: try SampleBatch.trend(count: 7),
        into: folder.appendingPathComponent("again"))
    #expect(figures.count == Figures.names.count)
}

/// Writes the degenerate-input figures to $EXPREG_PLOT_PREVIEW/degenerate (for looking at them).
@Test(.enabled(if: ProcessInfo.processInfo.environment["EXPREG_PLOT_PREVIEW"] != nil))
func writeDegeneratePreview() throws {
    let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["EXPREG_PLOT_PREVIEW"] ?? "/tmp")
        .appendingPathComponent("degenerate")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try ChartRenderer.write(
        DegenerateInputTests.awkwardChart(), pngPath: folder.appendingPathComponent("awkward.png").path,
        svgPath: folder.appendingPathComponent("awkward.svg").path)
    let batch = try DegenerateInputTests.divergedBatch()
    _ = try Figures.renderAll(
        batch: batch, trend: [BatchHeadline(snapshot: batch)], into: folder.appendingPathComponent("diverged"))
    _ = try Figures.renderAll(
        batch: try DegenerateInputTests.emptyBatch(), trend: [], into: folder.appendingPathComponent("empty"))
}
