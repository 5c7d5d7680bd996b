import ExpRegCore
import ExpRegReport
import Foundation
import Testing

/// The held-out section and summary rule 8, rendered with the real templates.
@Suite struct HeldOutReportTests {
    static func render(_ batch: BatchSnapshot) throws -> RenderedReport {
        try ReportRenderer(templatesDirectory: ReportFixtures.templates).render(
            batch: batch, previous: nil, figures: [])
    }

    @Test func withATestSetTheSummaryQuotesTheMeasuredErrorAndTheKernelPrediction() throws {
        let batch = ReportFixtures.withHeldOut
        let summary = ExecutiveSummary(batch: batch, previous: nil)
        #expect(summary.hasHeldOut)
        #expect(summary.testN == "256")
        let exp = try #require(summary.heldOut.first)
        #expect(exp.isExp && exp.width == "4,096")
        // Median over the two seeds at width 4,096 of base·(1 + 0.03 s)·(1 + 9/4096), s = 0, 1.
        let expected = 0.8123 * 1.015 * (1 + 9.0 / 4096)
        #expect(exp.testMSE == ReportFormat.loss(expected))
        #expect(exp.kernelTestMSE == ReportFormat.loss(0.8123 * 1.015))
        #expect(exp.ratio == ReportFormat.ratio(1 + 9.0 / 4096))
        #expect(exp.nearKernel && !exp.aboveKernel && !exp.belowKernel)
        let text = try Self.render(batch).summary
        #expect(text.contains("テストデータ(256 点)"))
        #expect(text.contains("指数活性化(幅 4,096)で \(exp.testMSE)"))
        #expect(text.contains("指数活性化は予測 \(exp.kernelTestMSE) の \(exp.ratio) 倍(ほぼ一致)"))
        #expect(text.contains("論文の定理の対象外"))
        #expect(!text.contains("未知データへの汎化性能は評価していません"))
    }

    @Test func withoutATestSetTheSummaryStillSaysItWasNotEvaluated() throws {
        let batch = ReportFixtures.allConverged
        #expect(!ExecutiveSummary(batch: batch, previous: nil).hasHeldOut)
        let report = try Self.render(batch)
        #expect(report.summary.contains("未知データへの汎化性能は評価していません"))
        #expect(!report.markdown.contains("汎化(テストデータ)"))
        #expect(!report.html.contains("汎化(テストデータ)"))
    }

    @Test func theSectionHasOneRowPerRunWithATestSetAndShowsTheNote() throws {
        let report = try Self.render(ReportFixtures.withHeldOut)
        #expect(report.markdown.contains("## 汎化(テストデータ)"))
        // The held-out section's table: one row per run with a test set (10), up to the next section.
        let section =
            try #require(report.markdown.components(separatedBy: "## 汎化(テストデータ)").last)
            .components(separatedBy: "\n## ").first ?? ""
        let rows = section.components(separatedBy: "\n").filter {
            $0.hasPrefix("| `exp-width`") || $0.hasPrefix("| `relu-width`")
        }
        #expect(rows.count == 10)
        #expect(report.markdown.contains("numerically singular"))
        #expect(report.html.contains("<h2>汎化(テストデータ)</h2>"))
    }
}
