import ExpRegCore
import ExpRegReport
import Foundation
import Testing

@Suite struct CostSectionTests {
    @Test func theCostSectionShowsEachGroupsProjectionAndASentenceToActOn() throws {
        var batch = ReportFixtures.allConverged
        for index in batch.runs.indices {
            let c = batch.runs[index].spec.config
            batch.runs[index].outcome.memoryBytes = TrainingMemory.bytes(n: c.data.n, d: c.data.d, m: c.model.width)
            batch.runs[index].trainingSeconds =
                2e-6 * Double(c.model.width) * Double(batch.runs[index].outcome.stepsRun)
            batch.runs[index].spectraSeconds = 0.01
        }
        batch = ReportFixtures.rejudged(batch)
        let report = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
            .render(batch: batch, previous: nil, figures: [])
        let analysis = batch.judgement.analysis
        let exp = try #require(analysis.widthScaling.first { $0.experiment == "exp-width" })
        let projection = try #require(exp.projection)
        let md = report.markdown
        let section = try #require(md.range(of: "## 幅のコスト")).upperBound
        let body = String(md[section...].prefix { _ in true }).components(separatedBy: "\n## ").first ?? ""
        let time = ReportFormat.duration(try #require(projection.secondsPerRun))
        #expect(
            body.contains(
                "| `exp-width` | exp | 64 | 256〜4,096 | -0.50 | \(ReportFormat.predictedWidth(try #require(exp.conditionWidth)))"
            ))
        #expect(body.contains("\(time) | \(ReportFormat.memory(projection.memoryBytes)) |"))
        #expect(
            body.contains(
                "- `exp-width`(exp):十分条件を満たすには今回の最大幅の約 \(ReportFormat.ratio(Double(projection.width) / 4096)) 倍"))
        // relu met the condition at its widest width: no scale-up needed there.
        #expect(body.contains("- `relu-width`(relu):幅 4,096 以上で十分条件を満たしており"))
        #expect(report.html.contains("<h2>幅のコスト</h2>"))
    }

    @Test func sweepingNShowsTheConditionWidthAgainstN() throws {
        // Two nights' shapes relabelled as n = 32 and n = 64 (the exp gap grows with n).
        let base = ReportFixtures.allConverged.runs.filter { $0.spec.config.model.activation == .exp }
        var runs: [RunRecord] = []
        for (factor, n) in [(1.0, 32), (2.0, 64)] {
            for var run in base {
                run.spec.params = run.spec.params.map { $0.key == "data.n" ? Param(key: "data.n", value: .int(n)) : $0 }
                run.spec.config.data.n = n
                run.spec.runKey += "-\(n)"
                run.outcome.diagnostics.gramDistanceInit = run.outcome.diagnostics.gramDistanceInit.map { $0 * factor }
                runs.append(run)
            }
        }
        var batch = ReportFixtures.allConverged
        batch.runs = runs
        batch = ReportFixtures.rejudged(batch)
        let report = try ReportRenderer(templatesDirectory: ReportFixtures.templates).render(
            batch: batch, previous: nil, figures: [])
        let fit = try #require(batch.judgement.analysis.conditionWidthVsN.first)
        #expect(abs(fit.exponent - 2) < 1e-9)  // doubling C quadruples (4C/λ*)²
        #expect(report.markdown.contains("n に対する指数は 2.00 でした"))
        #expect(report.html.contains("n に対する指数は 2.00 でした"))
    }
}
