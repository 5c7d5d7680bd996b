/// Everything a batch is judged to say, made once from its runs under its rules and archived with
/// it: per run its verdict, and the width analysis (fits, condition-width projection and what a run
/// there costs). Reports, figures, results.json, the archive's front page and webhooks read this;
/// none of them judges again.
///
/// ## Extending
/// A new judgement (e.g. a measured condition width beside the projection, or a per-run fact) is
/// a new field here (or in ``RunJudgement`` / ``WidthScaling/Group``), made in
/// ``judge(runs:rules:)``, archived by a new migration, and read by the readers; batches archived
/// before it read it as absent.
public struct BatchJudgement: Sendable, Equatable {
    /// The rules the batch was judged by (archived with it).
    public var rules: JudgementRules
    /// Per run, by `run_key`.
    public var runs: [String: RunJudgement]
    /// The width analysis (results.json `analysis`).
    public var analysis: WidthScaling
    /// True for a batch that is still running (or not judged yet): judged on the runs archived so
    /// far, not archived itself; the batch is judged for good when it finishes.
    public var isProvisional: Bool

    public init(rules: JudgementRules, runs: [String: RunJudgement], analysis: WidthScaling, isProvisional: Bool) {
        self.rules = rules
        self.runs = runs
        self.analysis = analysis
        self.isProvisional = isProvisional
    }

    /// The verdict of `run` (nil for a run the judgement does not cover).
    public func verdict(of run: RunRecord) -> RunVerdict? { runs[run.spec.runKey]?.verdict }

    /// Judges a batch's runs under `rules`: each run's ``RunVerdict`` and the ``WidthScaling``
    /// analysis. Pure and deterministic: the same runs and rules give the same judgement.
    ///
    /// The archive calls this once per batch, when the batch reaches its final status (see
    /// `Archive.finishBatch`), and stores the result; no other module judges.
    /// - Complexity: O(runs · log runs).
    public static func judge(runs: [RunRecord], rules: JudgementRules, isProvisional: Bool = false) -> BatchJudgement {
        BatchJudgement(
            rules: rules,
            runs: Dictionary(
                runs.map { ($0.spec.runKey, RunJudgement(verdict: RunVerdict(outcome: $0.outcome))) },
                uniquingKeysWith: { first, _ in first }),
            analysis: WidthScaling(runs: runs, rules: rules), isProvisional: isProvisional)
    }
}

/// What the judgement says about one run.
public struct RunJudgement: Sendable, Equatable {
    /// The run's verdict on the theorem (`runs.verdict`, results.json `verdict`).
    public var verdict: RunVerdict

    public init(verdict: RunVerdict) { self.verdict = verdict }
}
