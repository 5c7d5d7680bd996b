import ExpRegCore
import Foundation

/// The facts of the Japanese executive summary, read from a batch and its archived judgement
/// (``BatchSnapshot/judgement``: verdicts, width fits, projections, and the thresholds of its
/// ``JudgementRules``), so an archived batch's summary never changes when a rule does.
///
/// The template (`summary.ja.md`, and its HTML twin in `report.html`) turns these facts into
/// prose; this type only decides *what* is true and preformats numbers with ``ReportFormat``.
/// Every number comes from `results.json` fields or from a statistic recomputed from them.
///
/// ## Rules
/// 1. **Alerts first.** Failed gates (`BatchSnapshot.gates` with `passed == false`) and runs that
///    ended `diverged` or `failed` are listed right after the one-sentence conclusion; the
///    conclusion itself names the breached gates. A batch whose status is not `completed` is
///    flagged as interrupted.
/// 2. **Counts.** converged / total; `completed` runs (all steps, target not reached) are counted
///    separately with their largest final loss.
/// 3. **Envelope.** Per activation, the smallest width w such that every run of that activation at
///    every width ≥ w has `envelope_violations == 0` (a missing value counts as a violation).
///    λ* is quoted only when all runs of the activation share the same printed value.
/// 4. **exp vs relu.** Only when both activations have converged runs at a common width
///    ("matched widths"): median `steps_run` of the converged runs at those widths, and median
///    `observed_rate` of the finished runs there. The faster one has fewer median steps; the
///    ratio is slower/faster. Without relu (or exp) runs, or without matched widths, the
///    sentence says so and no comparison is made.
/// 5. **Width effect.** Per ``WidthScaling`` group with ≥ 2 distinct widths: the free slope of
///    `gram_distance_init` vs width, and the width at which the theory-slope fit reaches
///    median(λ*)/4 (the sufficient condition), the free slope's width beside it. The slope is "as the
///    theory says" when the judgement found it within ``JudgementRules/slopeTolerance`` of −1/2.
///    Converged runs with `width_condition_met == false`
///    are counted per activation and reported as a caveat (the condition is sufficient, not
///    necessary). One width only ⇒ "cannot be assessed".
/// 6. **Previous batch.** Per run_key (``RegressionComparison``) with a finite final loss on both
///    sides: improved when ratio < 1/b, regressed when ratio > b, else unchanged, with b the batch's
///    ``JudgementRules/unchangedBand`` (1.1); the worst
///    (largest) finite ratio with its run. Pairs missing a loss on either side (diverged/failed)
///    are counted as not comparable. Runs beyond the manifest's `max_regression` are counted with
///    Core's gate rule (a missing loss now counts as beyond). No previous batch ⇒ the sentence says so.
/// 7. **Caveat.** Always: the theorem concerns the training loss only. Without a test set the
///    summary says generalization was not evaluated.
/// 8. **Held-out error** (runs with a test set, ``HeldOutLine``). Per activation, at the widest
///    width that has a finite `test_mse`: the median over those runs of `test_mse`, and of
///    `kernel_test_mse` when present, with their ratio (test / kernel), called "about the same" within
///    ``JudgementRules/kernelAgreementBand``; the summary still says the theorem does not cover it. The number of test points is quoted when every such run shares it.
/// 9. **Verdicts.** Runs are counted by their archived ``RunVerdict``. The summary says the training went "as the
///    theory guarantees" only when every run is `within_guarantee`. Per activation with runs inside
///    the guarantee (`width_condition_met`): how many, from which width, how many of them
///    `within_guarantee` and how many `violated` (a violation there contradicts the theorem), and
///    the median observed vs predicted rate of those runs.
/// 10. **Next actions from the numbers.** Per ``WidthScaling`` group none of whose tested widths
///    meets the condition: the projected condition width (theory slope −1/2, the free slope's width
///    beside it), time and memory per run there (`analysis.width_scaling[].projection`), the scale-up
///    for the group's seeds one after another on this machine, or one seed per shard on a cluster.
public struct ExecutiveSummary: Sendable, Equatable {
    /// A run named in an alert or a caveat.
    public struct RunRef: Sendable, Equatable {
        /// Experiment name (manifest string).
        public var experiment: String
        /// Width m, ``ReportFormat/width(_:)``.
        public var width: String
        /// Init seed.
        public var seed: String
        /// Status flags (exactly one is true).
        public var isDiverged: Bool
        public var isFailed: Bool
        /// The trainer's reason (results.json `error`), empty when none.
        public var hasReason: Bool
        public var reason: String
    }

    /// A gate as the summary shows it.
    public struct GateLine: Sendable, Equatable {
        /// Manifest key of the gate.
        public var name: String
        public var passed: Bool
        /// Which gate it is (the template names it in Japanese).
        public var isMaxFinalLoss: Bool
        public var isMaxDiverged: Bool
        public var isMaxRegression: Bool
        /// The threshold, formatted as Core's gate detail prints it.
        public var limit: String
        /// Number of runs that breached it.
        public var offending: String
        /// Core's English detail (results.json `gates[].detail`).
        public var detail: String
        /// True for every gate but the first in the list (for "、" separators).
        public var notFirst: Bool
    }

    /// Envelope result of one activation (rule 3).
    public struct EnvelopeLine: Sendable, Equatable {
        /// Which activation the line is about.
        public var isExp: Bool
        public var isReLU: Bool
        /// Held at every tested width (then `fromWidth` is the smallest tested width).
        public var heldEverywhere: Bool
        /// Held from some width on, but not at the smallest ones.
        public var heldFromWidth: Bool
        /// Violated at the widest tested width (so at no width from some point on).
        public var neverHeld: Bool
        /// The smallest width from which the envelope held for every seed (empty when never).
        public var fromWidth: String
        /// λ* when every run of the activation prints the same value (``ReportFormat/magnitude(_:)``).
        public var hasLambdaStar: Bool
        public var lambdaStar: String
        /// Total violating steps over the runs of this activation.
        public var violations: String
        /// True for every line but the first (for "、" separators).
        public var notFirst: Bool
    }

    /// Width fit of one experiment (rule 5).
    public struct FitLine: Sendable, Equatable {
        /// Experiment name (manifest string).
        public var experiment: String
        /// The experiment's activation.
        public var isExp: Bool
        public var isReLU: Bool
        /// Fitted slope of log ||H(0) − H*|| vs log m, ``ReportFormat/slope(_:)``.
        public var slope: String
        /// slope < 0.
        public var shrinks: Bool
        /// The judgement found |slope − (−1/2)| ≤ ``JudgementRules/slopeTolerance``: "quadruple the
        /// width, halve the gap".
        public var nearTheory: Bool
        /// Smallest and largest width in the fit.
        public var minWidth: String
        public var maxWidth: String
        /// The width where the theory-slope fit (−1/2, C fitted) reaches median(λ*)/4,
        /// ``ReportFormat/predictedWidth(_:)`` (`analysis.width_scaling[].condition_width`).
        public var hasPrediction: Bool
        public var predictedWidth: String
        /// The free-slope fit's width at median(λ*)/4 (`condition_width_free_slope`), when the slope is negative.
        public var hasFreeSlopeWidth: Bool
        public var freeSlopeWidth: String
        /// True for every fit but the first.
        public var notFirst: Bool
    }

    /// Converged runs of one activation that did not meet the sufficient width condition (rule 5).
    public struct ConditionLine: Sendable, Equatable {
        /// Which activation the line is about.
        public var isExp: Bool
        public var isReLU: Bool
        /// Converged runs with `width_condition_met == false`.
        public var count: String
        /// The widest of them.
        public var maxWidth: String
    }

    /// exp vs relu (rule 4).
    public struct ActivationComparison: Sendable, Equatable {
        /// No relu (resp. exp) run in the batch: no comparison.
        public var noReLU: Bool
        public var noExp: Bool
        /// Both present but no width where both have a converged run: no comparison.
        public var noMatchedWidths: Bool
        /// A comparison was made (the numbers below are set).
        public var compared: Bool
        /// The matched widths, joined with "・".
        public var matchedWidths: String
        /// Median steps_run of converged runs at matched widths, ``ReportFormat/steps(_:)``.
        public var expSteps: String
        public var reluSteps: String
        /// Median observed_rate of finished runs at matched widths, ``ReportFormat/rate(_:)``.
        public var expRate: String
        public var reluRate: String
        /// Which one needs fewer median steps (exactly one of the three is true when compared).
        public var expFaster: Bool
        public var reluFaster: Bool
        public var sameSpeed: Bool
        /// Slower median steps / faster median steps, ``ReportFormat/ratio(_:)``.
        public var speedRatio: String
    }

    /// Held-out error of one activation (rule 8).
    public struct HeldOutLine: Sendable, Equatable {
        /// Which activation the line is about.
        public var isExp: Bool
        public var isReLU: Bool
        /// The widest width with a finite `test_mse`, ``ReportFormat/width(_:)``.
        public var width: String
        /// Median `test_mse` of the runs at that width, ``ReportFormat/loss(_:)``.
        public var testMSE: String
        /// Median `kernel_test_mse` of the same runs (``ReportFormat/loss(_:)``), when computed.
        public var hasKernel: Bool
        public var kernelTestMSE: String
        /// testMSE / kernelTestMSE, ``ReportFormat/ratio(_:)``, and where it lies (exactly one is
        /// true when `hasKernel`): within ``JudgementRules/kernelAgreementBand`` of 1, above, below.
        public var ratio: String
        public var nearKernel: Bool
        public var aboveKernel: Bool
        public var belowKernel: Bool
        /// True for every line but the first (for "、" separators), and among the lines with a kernel value.
        public var notFirst: Bool
        public var kernelNotFirst: Bool
    }

    /// Comparison with the previous batch (rule 6).
    public struct PreviousComparison: Sendable, Equatable {
        /// A previous batch was given.
        public var hasPrevious: Bool
        /// Its batch id.
        public var previousID: String
        /// Runs paired by run_key.
        public var compared: String
        public var hasCompared: Bool
        /// Paired runs with ratio < 1/1.1, > 1.1, and in between.
        public var improved: String
        public var regressed: String
        public var unchanged: String
        public var hasRegressed: Bool
        /// Pairs without a finite loss on one side (diverged/failed then or now): not classified.
        public var notComparable: String
        public var hasNotComparable: Bool
        /// The largest finite ratio above 1.1 and its run (empty when none regressed).
        public var worstRatio: String
        public var worstExperiment: String
        public var worstWidth: String
        public var worstSeed: String
        /// Paired runs beyond the manifest's `max_regression` (Core's gate rule).
        public var beyondGate: String
        public var hasBeyondGate: Bool
        /// The `max_regression` threshold, ``ReportFormat/gateRatio(_:)`` (empty when unset).
        public var gateLimit: String
    }

    /// UTC date of the batch start, `yyyy-MM-dd`.
    public var date: String
    /// Manifest `name` and optional `title` (manifest strings).
    public var manifestName: String
    public var hasTitle: Bool
    public var title: String
    /// The batch has at least one run.
    public var hasRuns: Bool
    /// Number of runs, and of `converged` runs.
    public var total: String
    public var converged: String
    public var allConverged: Bool
    /// The target loss when all runs share one (``ReportFormat/loss(_:)``).
    public var hasSingleTarget: Bool
    public var targetLoss: String
    /// The batch status is not `completed` (rule 1), and that status.
    public var interrupted: Bool
    public var batchStatus: String

    /// Gates set in the manifest, all of them and the failed ones (rule 1).
    public var hasGates: Bool
    public var allGatesPassed: Bool
    public var gates: [GateLine]
    public var failedGates: [GateLine]
    /// Runs that ended `diverged` or `failed` (rule 1).
    public var hasBroken: Bool
    public var brokenCount: String
    public var brokenRuns: [RunRef]
    /// Something belongs in the alert block: a failed gate, a broken run, an interrupted batch.
    public var hasAlerts: Bool

    /// Runs that ended `completed` (target not reached) and their largest final loss (rule 2).
    public var hasNotConverged: Bool
    public var notConvergedCount: String
    public var notConvergedMaxLoss: String

    /// Envelope per activation (rule 3); `envelopeHeldForAll`: every tested width of every activation.
    public var envelope: [EnvelopeLine]
    public var hasEnvelope: Bool
    public var envelopeHeldForAll: Bool
    /// Width fits per experiment (rule 5).
    public var fits: [FitLine]
    public var hasFits: Bool
    /// Converged runs outside the sufficient width condition, per activation (rule 5).
    public var conditionUnmet: [ConditionLine]
    public var hasConditionUnmet: Bool
    /// exp vs relu (rule 4).
    public var activations: ActivationComparison
    /// Comparison with the previous batch (rule 6).
    public var previous: PreviousComparison
    /// No alert, no regression, every run converged.
    public var allGood: Bool
    /// Held-out errors per activation (rule 8); `hasHeldOut` when a line exists.
    public var heldOut: [HeldOutLine]
    public var hasHeldOut: Bool
    /// Some line has a kernel prediction to compare with.
    public var hasKernelComparison: Bool
    /// The number of test points, when every run with a test set has the same (else empty).
    public var hasSingleTestN: Bool
    public var testN: String
    /// Verdict counts (rule 10).
    public var verdicts: VerdictCounts
    /// Every run is `within_guarantee` (then, and only then, "as the theory guarantees").
    public var allWithinGuarantee: Bool
    /// Runs that met the sufficient condition, per activation (rule 10).
    public var guarantee: [GuaranteeLine]
    public var hasGuarantee: Bool
    /// Projections to the condition width for groups that never met it (rule 10).
    public var projections: [ProjectionLine]
    public var hasProjections: Bool
}
