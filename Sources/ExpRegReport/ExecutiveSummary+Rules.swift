import ExpRegCore
import Foundation

extension ExecutiveSummary {
    /// Applies the rules (see ``ExecutiveSummary``) to a batch and its previous batch (nil: none).
    /// Verdicts, fits and projections are the batch's archived judgement; every threshold is the
    /// batch's archived ``JudgementRules``.
    public init(batch: BatchSnapshot, previous: BatchSnapshot?) {
        let runs = batch.runs
        let info = batch.info
        let judgement = batch.judgement
        date = ReportFormat.date(info.startedAt)
        manifestName = info.manifestName
        hasTitle = !(info.title ?? "").isEmpty
        title = info.title ?? ""
        hasRuns = !runs.isEmpty
        total = ReportFormat.count(runs.count)
        let convergedCount = runs.filter { $0.status == .converged }.count
        converged = ReportFormat.count(convergedCount)
        allConverged = !runs.isEmpty && convergedCount == runs.count
        let targets = Set(runs.map(\.spec.config.train.targetLoss))
        hasSingleTarget = targets.count == 1
        targetLoss = targets.count == 1 ? ReportFormat.loss(targets.first ?? 0) : ""
        interrupted = info.status != .completed
        batchStatus = info.status.rawValue

        // Rule 1: gates and broken runs.
        gates = batch.gates.enumerated().map { index, gate in
            Self.gateLine(gate, config: batch.gateConfig, notFirst: index > 0)
        }
        failedGates = batch.gates.filter { !$0.passed }.enumerated().map { index, gate in
            Self.gateLine(gate, config: batch.gateConfig, notFirst: index > 0)
        }
        hasGates = !gates.isEmpty
        allGatesPassed = failedGates.isEmpty
        let broken = runs.filter(\.isBroken)
        hasBroken = !broken.isEmpty
        brokenCount = ReportFormat.count(broken.count)
        brokenRuns = broken.map(Self.runRef)
        hasAlerts = !failedGates.isEmpty || hasBroken || interrupted

        // Rule 2: finished without reaching the target.
        let notConverged = runs.filter { $0.status == .completed }
        hasNotConverged = !notConverged.isEmpty
        notConvergedCount = ReportFormat.count(notConverged.count)
        notConvergedMaxLoss =
            notConverged.compactMap(\.outcome.lossFinal).filter(\.isFinite).max()
            .map(ReportFormat.loss) ?? ReportFormat.missing

        // Rule 3: envelope per activation.
        envelope = Activation.allCases.compactMap { activation in
            Self.envelopeLine(runs.filter { $0.activation == activation }, activation: activation)
        }
        for index in envelope.indices { envelope[index].notFirst = index > 0 }
        hasEnvelope = !envelope.isEmpty
        envelopeHeldForAll = !envelope.isEmpty && envelope.allSatisfy(\.heldEverywhere)

        // Rule 5: width fits and the sufficient condition.
        fits = Self.fitLines(judgement.analysis)
        for index in fits.indices { fits[index].notFirst = index > 0 }
        hasFits = !fits.isEmpty
        conditionUnmet = Activation.allCases.compactMap { activation in
            let unmet = runs.filter {
                $0.activation == activation && $0.status == .converged
                    && $0.outcome.diagnostics.widthConditionMet == false
            }
            guard let widest = unmet.map(\.width).max() else { return nil }
            return ConditionLine(
                isExp: activation == .exp, isReLU: activation == .relu,
                count: ReportFormat.count(unmet.count), maxWidth: ReportFormat.width(widest))
        }
        hasConditionUnmet = !conditionUnmet.isEmpty

        // Rule 4 and rule 6.
        activations = Self.compareActivations(runs)
        self.previous = Self.comparePrevious(batch: batch, previous: previous)

        allGood = !hasAlerts && allConverged && !self.previous.hasRegressed

        // Rules 9 and 10: verdicts, runs inside the guarantee, projections to the condition width.
        verdicts = Self.verdictCounts(runs, judgement)
        allWithinGuarantee = !runs.isEmpty && runs.allSatisfy { judgement.verdict(of: $0) == .withinGuarantee }
        guarantee = Activation.allCases.compactMap { activation in
            Self.guaranteeLine(runs.filter { $0.activation == activation }, activation: activation, judgement)
        }
        for index in guarantee.indices { guarantee[index].notFirst = index > 0 }
        hasGuarantee = !guarantee.isEmpty
        projections = Self.projectionLines(runs, judgement.analysis)
        hasProjections = !projections.isEmpty

        // Rule 8: held-out error (outside the theorem).
        heldOut = Activation.allCases.compactMap { activation in
            Self.heldOutLine(
                runs.filter { $0.activation == activation }, activation: activation,
                band: judgement.rules.kernelAgreementBand)
        }
        var kernelLines = 0
        for index in heldOut.indices {
            heldOut[index].notFirst = index > 0
            heldOut[index].kernelNotFirst = heldOut[index].hasKernel && kernelLines > 0
            if heldOut[index].hasKernel { kernelLines += 1 }
        }
        hasHeldOut = !heldOut.isEmpty
        hasKernelComparison = kernelLines > 0
        let testCounts = Set(runs.compactMap(\.spec.config.data.testN))
        hasSingleTestN = testCounts.count == 1
        testN = testCounts.count == 1 ? ReportFormat.count(testCounts.first ?? 0) : ""
    }

    /// Rule 8 for the runs of one activation; nil when none has a finite `test_mse`. `band` is the
    /// batch's ``JudgementRules/kernelAgreementBand``.
    static func heldOutLine(_ runs: [RunRecord], activation: Activation, band: Double) -> HeldOutLine? {
        let measured = runs.filter { $0.outcome.heldOut.testMSE?.isFinite == true }
        guard let widest = measured.map(\.width).max() else { return nil }
        let atWidest = measured.filter { $0.width == widest }
        guard let test = median(atWidest.compactMap(\.outcome.heldOut.testMSE)) else { return nil }
        let kernel = median(atWidest.compactMap(\.outcome.heldOut.kernelTestMSE).filter(\.isFinite))
        let ratio = kernel.flatMap { $0 > 0 ? test / $0 : nil }
        return HeldOutLine(
            isExp: activation == .exp, isReLU: activation == .relu, width: ReportFormat.width(widest),
            testMSE: ReportFormat.loss(test), hasKernel: ratio != nil,
            kernelTestMSE: kernel.map(ReportFormat.loss) ?? "",
            ratio: ratio.map(ReportFormat.ratio) ?? "",
            nearKernel: ratio.map { $0 >= 1 / band && $0 <= band } ?? false,
            aboveKernel: ratio.map { $0 > band } ?? false,
            belowKernel: ratio.map { $0 < 1 / band } ?? false,
            notFirst: false, kernelNotFirst: false)
    }

    private static func gateLine(_ gate: GateResult, config: GateConfig, notFirst: Bool) -> GateLine {
        let limit: String
        switch gate.name {
        case .maxFinalLoss: limit = config.maxFinalLoss.map(ReportFormat.gateLoss) ?? ReportFormat.missing
        case .maxDiverged: limit = config.maxDiverged.map(ReportFormat.count) ?? ReportFormat.missing
        case .maxRegression: limit = config.maxRegression.map(ReportFormat.gateRatio) ?? ReportFormat.missing
        }
        return GateLine(
            name: gate.name.rawValue, passed: gate.passed, isMaxFinalLoss: gate.name == .maxFinalLoss,
            isMaxDiverged: gate.name == .maxDiverged, isMaxRegression: gate.name == .maxRegression,
            limit: limit, offending: ReportFormat.count(gate.offendingRunKeys.count),
            detail: gate.detail, notFirst: notFirst)
    }

    static func runRef(_ run: RunRecord) -> RunRef {
        let reason = run.outcome.reason ?? ""
        return RunRef(
            experiment: run.spec.experiment, width: ReportFormat.width(run.width),
            seed: String(run.seed), isDiverged: run.status == .diverged,
            isFailed: run.status == .failed, hasReason: !reason.isEmpty, reason: reason)
    }

    /// Rule 3 for the runs of one activation; nil when there are none.
    static func envelopeLine(_ runs: [RunRecord], activation: Activation) -> EnvelopeLine? {
        guard !runs.isEmpty else { return nil }
        let widths = Set(runs.map(\.width)).sorted()
        func heldAt(_ w: Int) -> Bool {
            runs.filter { $0.width == w }.allSatisfy { $0.outcome.diagnostics.envelopeViolations == 0 }
        }
        // Smallest w with the envelope held at w and at every wider tested width.
        var from: Int?
        for w in widths.reversed() {
            if heldAt(w) { from = w } else { break }
        }
        let lambdas = Set(runs.map { ReportFormat.optional($0.outcome.diagnostics.lambdaStar, ReportFormat.magnitude) })
        let violations = runs.compactMap(\.outcome.diagnostics.envelopeViolations).reduce(0, +)
        return EnvelopeLine(
            isExp: activation == .exp, isReLU: activation == .relu,
            heldEverywhere: from != nil && from == widths.first,
            heldFromWidth: from != nil && from != widths.first,
            neverHeld: from == nil,
            fromWidth: from.map(ReportFormat.width) ?? "",
            hasLambdaStar: lambdas.count == 1 && lambdas.first != ReportFormat.missing,
            lambdaStar: lambdas.count == 1 ? (lambdas.first ?? "") : "",
            violations: ReportFormat.count(violations), notFirst: false)
    }

    /// Rule 5: one fit per archived ``WidthScaling`` group (runs differing only in width and seed),
    /// in plan order. The condition width is the theory-slope projection; the free slope's width is
    /// beside it; "as the theory says" is the group's archived `slopeAgreesWithTheory`.
    static func fitLines(_ analysis: WidthScaling) -> [FitLine] {
        analysis.widthScaling.compactMap { group in
            guard let slope = group.gramDistanceSlope else { return nil }
            let activation = Activation(rawValue: group.activation)
            return FitLine(
                experiment: group.experiment, isExp: activation == .exp, isReLU: activation == .relu,
                slope: ReportFormat.slope(slope), shrinks: slope < 0,
                nearTheory: group.slopeAgreesWithTheory == true,
                minWidth: ReportFormat.width(group.widths.first ?? 0),
                maxWidth: ReportFormat.width(group.widths.last ?? 0),
                hasPrediction: group.conditionWidth != nil,
                predictedWidth: group.conditionWidth.map(ReportFormat.predictedWidth) ?? "",
                hasFreeSlopeWidth: slope < 0 && group.conditionWidthFreeSlope != nil,
                freeSlopeWidth: group.conditionWidthFreeSlope.map(ReportFormat.predictedWidth) ?? "",
                notFirst: false)
        }
    }

    /// Rule 4.
    static func compareActivations(_ runs: [RunRecord]) -> ActivationComparison {
        let exp = runs.filter { $0.activation == .exp }
        let relu = runs.filter { $0.activation == .relu }
        let expWidths = Set(exp.filter { $0.status == .converged }.map(\.width))
        let reluWidths = Set(relu.filter { $0.status == .converged }.map(\.width))
        let matched = expWidths.intersection(reluWidths).sorted()
        var result = ActivationComparison(
            noReLU: relu.isEmpty, noExp: exp.isEmpty,
            noMatchedWidths: !exp.isEmpty && !relu.isEmpty && matched.isEmpty, compared: false,
            matchedWidths: matched.map(ReportFormat.width).joined(separator: "・"),
            expSteps: "", reluSteps: "", expRate: "", reluRate: "",
            expFaster: false, reluFaster: false, sameSpeed: false, speedRatio: "")
        guard !matched.isEmpty else { return result }
        func stats(_ group: [RunRecord]) -> (steps: Double?, rate: Double?) {
            let atMatched = group.filter { matched.contains($0.width) }
            let steps = median(atMatched.filter { $0.status == .converged }.map { Double($0.outcome.stepsRun) })
            let rate = median(atMatched.filter(\.status.isFinished).compactMap(\.outcome.diagnostics.observedRate))
            return (steps, rate)
        }
        let e = stats(exp)
        let r = stats(relu)
        guard let es = e.steps, let rs = r.steps else { return result }
        result.compared = true
        result.expSteps = ReportFormat.steps(es)
        result.reluSteps = ReportFormat.steps(rs)
        result.expRate = ReportFormat.optional(e.rate, ReportFormat.rate)
        result.reluRate = ReportFormat.optional(r.rate, ReportFormat.rate)
        result.expFaster = es < rs
        result.reluFaster = rs < es
        result.sameSpeed = es == rs
        if es != rs, min(es, rs) > 0 {
            result.speedRatio = ReportFormat.ratio(max(es, rs) / min(es, rs))
        }
        return result
    }

    /// Rule 6.
    static func comparePrevious(batch: BatchSnapshot, previous: BatchSnapshot?) -> PreviousComparison {
        var result = PreviousComparison(
            hasPrevious: previous != nil, previousID: previous?.info.id ?? "", compared: "0", hasCompared: false,
            improved: "0", regressed: "0", unchanged: "0", hasRegressed: false, notComparable: "0",
            hasNotComparable: false, worstRatio: "",
            worstExperiment: "", worstWidth: "", worstSeed: "", beyondGate: "0", hasBeyondGate: false,
            gateLimit: batch.gateConfig.maxRegression.map(ReportFormat.gateRatio) ?? "")
        guard let previous else { return result }
        let comparisons = RegressionComparison.compare(current: batch.runs, previous: previous.runs)
        let unchangedBand = batch.judgement.rules.unchangedBand
        // Core's ratio is finite only when both losses are present and finite.
        let finite = comparisons.filter { $0.ratio?.isFinite == true }
        let ratios = finite.compactMap(\.ratio)
        result.notComparable = ReportFormat.count(comparisons.count - finite.count)
        result.hasNotComparable = comparisons.count > finite.count
        result.compared = ReportFormat.count(comparisons.count)
        result.hasCompared = !comparisons.isEmpty
        result.improved = ReportFormat.count(ratios.filter { $0 < 1 / unchangedBand }.count)
        let regressed = ratios.filter { $0 > unchangedBand }.count
        result.regressed = ReportFormat.count(regressed)
        result.unchanged = ReportFormat.count(ratios.filter { $0 >= 1 / unchangedBand && $0 <= unchangedBand }.count)
        result.hasRegressed = regressed > 0
        if let worst = finite.filter({ ($0.ratio ?? 0) > unchangedBand }).max(by: { ($0.ratio ?? 0) < ($1.ratio ?? 0) }
        ),
            let run = batch.runs.first(where: { $0.spec.runKey == worst.runKey })
        {
            result.worstRatio = ReportFormat.ratio(worst.ratio ?? .infinity)
            result.worstExperiment = run.spec.experiment
            result.worstWidth = ReportFormat.width(run.width)
            result.worstSeed = String(run.seed)
        }
        if let limit = batch.gateConfig.maxRegression {
            let beyond = comparisons.filter { $0.isBeyond(limit) }.count
            result.beyondGate = ReportFormat.count(beyond)
            result.hasBeyondGate = beyond > 0
        }
        return result
    }
}
