import Foundation
import Testing
@testable import ExpRegPlot

/// Writes the sample figures to $EXPREG_PLOT_PREVIEW (for looking at them); skipped otherwise.
@Test(.enabled(if: ProcessInfo.processInfo.environment["EXPREG_PLOT_PREVIEW"] != nil))
func writePreview() throws {
    let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["EXPREG_PLOT_PREVIEW"] ?? "/tmp")
    let figures = try Figures.renderAll(batch: try SampleBatch.make(), trend: try SampleBatch.trend(count: 7), into: folder)
    _ = try Figures.renderAll(batch: try SampleBatch.make(), trend: try SampleBatch.trend(count: 7),
                              into: folder.appendingPathComponent("again"))
    #expect(figures.count == Figures.names.count)
}
