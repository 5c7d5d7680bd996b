import ExpRegCore
import ExpRegReport
import Foundation
import Testing

/// The executive-summary rules on crafted batches (facts and the rendered Japanese sentences).
@Suite struct SummaryRulesTests {
    typealias Shape = ReportFixtures.RunShape
    let renderer: ReportRenderer

    init() throws {
        renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
    }

    private func summary(_ batch: BatchSnapshot, previous: BatchSnapshot?) throws -> String {
        try renderer.render(batch: batch, previous: previous, figures: []).summary
    }

    /// The lines of a section (between its bold heading and the next blank line).
    private func section(_ text: String, _ heading: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "**\(heading)**") else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    @Test func allConvergedOutsideTheGuaranteeNamesTheScaleUpInsteadOfContinuing() throws {
        let batch = ReportFixtures.allConverged
        let facts = ExecutiveSummary(batch: batch, previous: ReportFixtures.previousNight)
        #expect(facts.allConverged && facts.allGatesPassed && !facts.hasAlerts && facts.allGood)
        let text = try summary(batch, previous: ReportFixtures.previousNight)
        let lines = text.components(separatedBy: "\n")
        #expect(lines[2] == "**結論:** 全10件が目標誤差(1.00e-06)に到達し、ゲートはすべて通過しました。")
        #expect(!text.contains("要対応"))
        // The exp group never met the condition: the one next action is its projected scale-up.
        let group = try #require(batch.judgement.analysis.widthScaling.first { $0.experiment == "exp-width" })
        let conditionWidth = try #require(group.conditionWidth)
        let projection = try #require(group.projection)
        let actions = section(text, "次のアクション")
        #expect(actions.count == 1)
        #expect(actions.first?.contains("幅をおよそ \(ReportFormat.predictedWidth(conditionWidth)) まで") == true)
        #expect(actions.first?.contains("メモリ約 \(ReportFormat.memory(projection.memoryBytes))") == true)
        #expect(!text.contains("現行の設定のまま"))
        // Outside the guarantee, the summary never says the training went as the theory guarantees.
        #expect(!text.contains("理論の保証どおり"))
        // relu at 4,096 met the condition (2 runs inside the guarantee); exp 256 seed 1 left the envelope.
        #expect(
            facts.verdicts.withinGuarantee == "2" && facts.verdicts.consistent == "7" && facts.verdicts.violated == "1")
        #expect(!facts.allWithinGuarantee)
        #expect(
            section(text, "リスク・注意点").contains(
                "- 前回バッチ `20261128T043000Z-nightly-exp` との比較(10件):改善 2件、悪化 0件、変化なし(一割以内)8件。"))
    }

    @Test func divergedRunsAndGateBreachesComeFirst() throws {
        let batch = ReportFixtures.troubled
        let text = try summary(batch, previous: ReportFixtures.previousNight)
        let lines = text.components(separatedBy: "\n")
        // Line 3 is the conclusion: it names the breached gates and the exit code.
        #expect(lines[2].hasPrefix("**結論:** 10件中7件が目標誤差(1.00e-06)に到達し、2件が発散・失敗し、ゲート「最終誤差の上限」"))
        #expect(lines[2].hasSuffix("に抵触しています(終了コード 3)。"))
        // The alert block follows immediately, before the key points.
        #expect(lines[4] == "**要対応**")
        let alerts = section(text, "要対応")
        #expect(alerts.count == 5)
        #expect(alerts.contains("- ゲート `max_diverged` 不合格:発散・失敗が 2件(上限 0件)。"))
        #expect(alerts.contains("- 発散:実験 `exp-width`、幅 256、シード 0(理由 `loss is NaN at step 12`)"))
        let keyPoints = try #require(lines.firstIndex(of: "**要点**"))
        #expect(keyPoints > 4 + alerts.count)
        #expect(section(text, "次のアクション").first == "- 発散・失敗した 2件の設定について、学習率と初期化の大きさを確認し、再実験を検討する。")
    }

    @Test func regressionAgainstPreviousNightIsQuantified() throws {
        let facts = ExecutiveSummary(batch: ReportFixtures.troubled, previous: ReportFixtures.previousNight)
        #expect(facts.previous.hasRegressed)
        #expect(facts.previous.regressed == "1")
        #expect(facts.previous.improved == "2")
        #expect(facts.previous.notComparable == "2")
        #expect(facts.previous.worstRatio == "2.69")  // 2.56e-6 / 9.5e-7 = 2.6947…
        #expect(facts.previous.worstWidth == "4,096")
        #expect(facts.previous.beyondGate == "3")  // Core's gate also counts the 2 diverged runs
        let text = try summary(ReportFixtures.troubled, previous: ReportFixtures.previousNight)
        #expect(text.contains("最も悪化したのは実験 `exp-width`・幅 4,096・シード 0 で、最終誤差が 2.69 倍になりました(ゲート上限 2.00 倍を超えたもの 3件)。"))
        #expect(text.contains("- 前回から悪化した 1件について、前回とのコード差分と設定を確認する。"))
        #expect(text.contains("- 「前回より悪化した設定があります。原因を特定してから判断します。」"))
    }

    @Test func reluFasterThanExpIsSaidOnlyWithItsRatio() throws {
        let batch = ReportFixtures.batch(ReportFixtures.healthyShapes(expSteps: 600, reluSteps: 200))
        let facts = ExecutiveSummary(batch: batch, previous: nil)
        #expect(facts.activations.compared && facts.activations.reluFaster && !facts.activations.expFaster)
        #expect(facts.activations.matchedWidths == "1,024・4,096")
        // exp at matched widths: 600, 610, 600, 610 -> 605; relu: 200, 220, 200, 220 -> 210.
        #expect(facts.activations.expSteps == "605")
        #expect(facts.activations.reluSteps == "210")
        #expect(facts.activations.speedRatio == "2.88")
        let text = try summary(batch, previous: nil)
        #expect(text.contains("今回の条件では ReLU が約 2.88 倍速く収束しました。"))
        #expect(!text.contains("指数活性化が約"))
    }

    @Test func expFasterWhenItTakesFewerSteps() {
        let facts = ExecutiveSummary(batch: ReportFixtures.allConverged, previous: nil)
        #expect(facts.activations.expFaster && !facts.activations.reluFaster)
        #expect(facts.activations.expSteps == "315")
        #expect(facts.activations.reluSteps == "550")
    }

    @Test func noPreviousBatchSaysSoAndInventsNoComparison() throws {
        let batch = ReportFixtures.batch(ReportFixtures.healthyShapes())
        let facts = ExecutiveSummary(batch: batch, previous: nil)
        #expect(!facts.previous.hasPrevious && !facts.previous.hasRegressed)
        let text = try summary(batch, previous: nil)
        #expect(text.contains("- 比較できる前回のバッチがないため、前回比の評価は行っていません。"))
        #expect(text.contains("- 次回のバッチで前回比の比較結果を確認する。"))
        #expect(!text.contains("改善"))
        #expect(!text.contains("悪化"))
    }

    @Test func withoutReLUTheComparisonIsNotMade() throws {
        let shapes = ReportFixtures.healthyShapes().filter { $0.activation == .exp }
        let text = try summary(ReportFixtures.batch(shapes), previous: nil)
        #expect(text.contains("今回のマニフェストには ReLU の実験がないため、比較は行っていません。"))
        #expect(!text.contains("速く収束"))
    }

    @Test func noMatchedWidthMeansNoSpeedClaim() throws {
        var shapes = ReportFixtures.healthyShapes()
        for i in shapes.indices where shapes[i].activation == .exp && shapes[i].width != 256 {
            shapes[i].status = .completed
            shapes[i].steps = 2000
            shapes[i].lossFinal = 5e-6
        }
        let facts = ExecutiveSummary(batch: ReportFixtures.batch(shapes), previous: nil)
        #expect(facts.activations.noMatchedWidths && !facts.activations.compared)
        #expect(
            try summary(ReportFixtures.batch(shapes), previous: nil)
                .contains("両者がともに目標誤差に到達した共通の幅がないため、速さは比較できません。"))
    }

    @Test func oneWidthOnlyMeansNoWidthEffect() throws {
        let shapes = ReportFixtures.healthyShapes().filter { $0.width == 1024 }
        let facts = ExecutiveSummary(batch: ReportFixtures.batch(shapes), previous: nil)
        #expect(!facts.hasFits)
        #expect(
            try summary(ReportFixtures.batch(shapes), previous: nil)
                .contains("幅が一種類の実験しかないため、幅の効果は評価できません。"))
    }

    @Test func widthFitRecoversTheCraftedSlopeAndPredictsTheConditionWidth() throws {
        // Crafted ||H(0)-H*|| = 310 (1 + 0.05 seed) / sqrt(m): slope exactly -1/2 on the log-log plot.
        let facts = ExecutiveSummary(batch: ReportFixtures.allConverged, previous: nil)
        let exp = try #require(facts.fits.first)
        #expect(exp.experiment == "exp-width" && exp.isExp && exp.shrinks)
        #expect(exp.slope == "-0.50" && exp.nearTheory)
        // m = (4C/lambda*)^2 with C = 310 * 1.025 (geometric-mean seed factor ~ 1.0247), lambda* = 1.5792:
        // (4 * 317.66 / 1.5792)^2 ≈ 647,4xx -> rounded up to 3 significant digits.
        #expect(exp.predictedWidth == "648,000")
        #expect(exp.minWidth == "256" && exp.maxWidth == "4,096")
    }

    @Test func aSlopeFarFromMinusOneHalfIsNotCalledTheoretical() throws {
        // Make ||H(0) - H*|| fall like m^-1 for exp by breaking the envelope-free fixture's widths:
        // keep only widths 1,024 and 4,096 and give 4,096 a quarter of the 1,024 value (slope -1).
        var batch = ReportFixtures.batch(
            ReportFixtures.healthyShapes().filter { $0.activation == .exp && $0.width >= 1024 })
        for i in batch.runs.indices where batch.runs[i].spec.config.model.width == 4096 {
            batch.runs[i].outcome.diagnostics.gramDistanceInit =
                (batch.runs[i - 2].outcome.diagnostics.gramDistanceInit ?? 0) / 4
        }
        batch = ReportFixtures.rejudged(batch)
        let fit = try #require(ExecutiveSummary(batch: batch, previous: nil).fits.first)
        #expect(fit.slope == "-1.00" && fit.shrinks && !fit.nearTheory)
        let text = try summary(batch, previous: nil)
        #expect(text.contains("傾きが -1.00(理論値 −1/2)で、幅とともに縮んでいます。"))
        #expect(!text.contains("理論どおりの縮み方"))
    }

    @Test func envelopeSmallestWidthIsPerActivation() {
        let facts = ExecutiveSummary(batch: ReportFixtures.allConverged, previous: nil)
        // exp seed 1 at width 256 has 3 violations: held from 1,024; relu held at every tested width.
        let exp = facts.envelope[0]
        let relu = facts.envelope[1]
        #expect(exp.isExp && exp.heldFromWidth && exp.fromWidth == "1,024" && exp.lambdaStar == "1.579")
        #expect(relu.isReLU && relu.heldEverywhere && relu.fromWidth == "1,024")
        #expect(!facts.envelopeHeldForAll)
    }

    @Test func envelopeBrokenAtTheWidestWidthIsNeverHeld() {
        var shapes = ReportFixtures.healthyShapes()
        shapes[5].violations = 7  // exp, width 4,096, seed 1
        let facts = ExecutiveSummary(batch: ReportFixtures.batch(shapes), previous: nil)
        #expect(facts.envelope[0].neverHeld && facts.envelope[0].violations == "10")
    }

    @Test func sufficientConditionUnmetButConvergedIsReported() throws {
        let text = try summary(ReportFixtures.allConverged, previous: nil)
        #expect(text.contains("- 指数活性化で収束した 6件(最大の幅 4,096)は、論文の十分条件 ‖H(0)−H*‖ ≤ λ*/4 を満たしていません。"))
        #expect(text.contains("- ReLUで収束した 2件(最大の幅 1,024)は、"))
    }

    @Test func trainingLossCaveatIsAlwaysPresentAndNoGeneralizationIsClaimed() throws {
        for (batch, previous) in [
            (ReportFixtures.allConverged, ReportFixtures.previousNight),
            (ReportFixtures.troubled, ReportFixtures.previousNight),
            (ReportFixtures.batch([]), nil),
        ] {
            let text = try summary(batch, previous: previous)
            #expect(text.contains("- 本結果は訓練誤差に関するもので、未知データへの汎化性能は評価していません。"))
            // "汎化" appears only in that caveat; "未知" only in the caveat and the closing phrase.
            #expect(text.components(separatedBy: "汎化").count == 2)
            #expect(text.components(separatedBy: "未知").count == 3)
        }
    }

    @Test func emptyAndInterruptedBatchesRenderWithoutClaims() throws {
        let empty = try summary(ReportFixtures.batch([], status: .failed), previous: nil)
        #expect(empty.contains("**結論:** このバッチには結果のある run がありません。検証は行われていません。"))
        #expect(empty.contains("- バッチは完了していません(状態 `failed`)。"))
        #expect(!empty.contains("到達"))
        let partial = try summary(ReportFixtures.batch(ReportFixtures.healthyShapes(), status: .partial), previous: nil)
        #expect(partial.contains("- 中断されたバッチを `expreg run --resume` で再開する。"))
    }

    @Test func withoutGatesTheConclusionSaysSo() throws {
        let batch = ReportFixtures.batch(ReportFixtures.healthyShapes(), gates: GateConfig())
        let text = try summary(batch, previous: nil)
        #expect(text.contains("**結論:** 全10件が目標誤差(1.00e-06)に到達しました(ゲートの設定はありません)。"))
    }

    @Test func everyRunInsideTheGuaranteeSaysSoAndWhatItFound() throws {
        var shapes = ReportFixtures.healthyShapes()
        for index in shapes.indices {
            shapes[index].conditionMet = true
            shapes[index].violations = 0
        }
        let batch = ReportFixtures.batch(shapes, previous: ReportFixtures.previousNight)
        let facts = ExecutiveSummary(batch: batch, previous: ReportFixtures.previousNight)
        #expect(facts.allWithinGuarantee && !facts.hasProjections && facts.hasGuarantee)
        let text = try summary(batch, previous: ReportFixtures.previousNight)
        #expect(text.contains("学習は理論の保証どおりに進みました"))
        #expect(text.contains("指数活性化では十分条件を満たした 6件(幅 256 以上)のうち 6件が保証線を守って目標誤差に到達しました"))
        #expect(section(text, "次のアクション") == ["- 現行の設定のまま夜間検証を継続する。"])
    }

    @Test func aViolationInsideTheGuaranteeIsCalledAContradiction() throws {
        var shapes = ReportFixtures.healthyShapes()
        for index in shapes.indices { shapes[index].conditionMet = true }
        let batch = ReportFixtures.batch(shapes)
        let facts = ExecutiveSummary(batch: batch, previous: nil)
        #expect(!facts.allWithinGuarantee && facts.verdicts.violated == "1")
        let text = try summary(batch, previous: nil)
        #expect(text.contains("ただし 1件は保証線を上回っており、定理と矛盾します。"))
        #expect(!text.contains("理論の保証どおり"))
    }
}
