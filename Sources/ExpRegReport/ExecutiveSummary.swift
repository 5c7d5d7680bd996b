import ExpRegCore
import Foundation

/// The facts of the Japanese executive summary, computed from a batch by fixed rules.
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
/// 5. **Width effect.** Per experiment with ≥ 2 distinct widths: ``PowerLawFit`` of
///    `gram_distance_init` vs width; the slope, and the width at which the fit reaches
///    median(λ*)/4 (the sufficient condition). Converged runs with `width_condition_met == false`
///    are counted per activation and reported as a caveat (the condition is sufficient, not
///    necessary). One width only ⇒ "cannot be assessed".
/// 6. **Previous batch.** Per run_key (``RegressionComparison``) with a finite final loss on both
///    sides: improved when ratio < 1/1.1, regressed when ratio > 1.1, else unchanged; the worst
///    (largest) finite ratio with its run. Pairs missing a loss on either side (diverged/failed)
///    are counted as not comparable. Runs beyond the manifest's `max_regression` are counted with
///    Core's gate rule (a missing loss now counts as beyond). No previous batch ⇒ the sentence says so.
/// 7. **Caveat.** Always: the results concern the training loss only, not generalization.
public struct ExecutiveSummary: Sendable, Equatable {
    /// A run named in an alert or a caveat.
    public struct RunRef: Sendable, Equatable {
        public var experiment: String
        public var width: String
        public var seed: String
        public var isDiverged: Bool
        public var isFailed: Bool
        public var hasReason: Bool
        public var reason: String
    }

    /// A gate as the summary shows it.
    public struct GateLine: Sendable, Equatable {
        public var name: String
        public var passed: Bool
        public var isMaxFinalLoss: Bool
        public var isMaxDiverged: Bool
        public var isMaxRegression: Bool
        /// The threshold, formatted as Core's gate detail prints it.
        public var limit: String
        public var offending: String
        public var detail: String
        /// True for every gate but the first in the list (for "、" separators).
        public var notFirst: Bool
    }

    /// Envelope result of one activation (rule 3).
    public struct EnvelopeLine: Sendable, Equatable {
        public var isExp: Bool
        public var isReLU: Bool
        /// Held at every tested width (then `fromWidth` is the smallest tested width).
        public var heldEverywhere: Bool
        /// Held from some width on, but not at the smallest ones.
        public var heldFromWidth: Bool
        public var neverHeld: Bool
        public var fromWidth: String
        public var hasLambdaStar: Bool
        public var lambdaStar: String
        /// Total violating steps over the runs of this activation.
        public var violations: String
        /// True for every line but the first (for "、" separators).
        public var notFirst: Bool
    }

    /// Width fit of one experiment (rule 5).
    public struct FitLine: Sendable, Equatable {
        public var experiment: String
        public var isExp: Bool
        public var isReLU: Bool
        public var slope: String
        public var shrinks: Bool
        public var minWidth: String
        public var maxWidth: String
        public var hasPrediction: Bool
        public var predictedWidth: String
        /// True for every fit but the first.
        public var notFirst: Bool
    }

    /// Converged runs of one activation that did not meet the sufficient width condition (rule 5).
    public struct ConditionLine: Sendable, Equatable {
        public var isExp: Bool
        public var isReLU: Bool
        public var count: String
        public var maxWidth: String
    }

    /// exp vs relu (rule 4).
    public struct ActivationComparison: Sendable, Equatable {
        public var noReLU: Bool
        public var noExp: Bool
        public var noMatchedWidths: Bool
        public var compared: Bool
        public var matchedWidths: String
        public var expSteps: String
        public var reluSteps: String
        public var expRate: String
        public var reluRate: String
        public var expFaster: Bool
        public var reluFaster: Bool
        public var sameSpeed: Bool
        public var speedRatio: String
    }

    /// Comparison with the previous batch (rule 6).
    public struct PreviousComparison: Sendable, Equatable {
        public var hasPrevious: Bool
        public var previousID: String
        public var compared: String
        public var hasCompared: Bool
        public var improved: String
        public var regressed: String
        public var unchanged: String
        public var hasRegressed: Bool
        /// Pairs without a finite loss on one side (diverged/failed then or now): not classified.
        public var notComparable: String
        public var hasNotComparable: Bool
        public var worstRatio: String
        public var worstExperiment: String
        public var worstWidth: String
        public var worstSeed: String
        public var beyondGate: String
        public var hasBeyondGate: Bool
        public var gateLimit: String
    }

    public var date: String
    public var manifestName: String
    public var hasTitle: Bool
    public var title: String
    public var hasRuns: Bool
    public var total: String
    public var converged: String
    public var allConverged: Bool
    public var hasSingleTarget: Bool
    public var targetLoss: String
    public var interrupted: Bool
    public var batchStatus: String

    public var hasGates: Bool
    public var allGatesPassed: Bool
    public var gates: [GateLine]
    public var failedGates: [GateLine]
    public var hasBroken: Bool
    public var brokenCount: String
    public var brokenRuns: [RunRef]
    public var hasAlerts: Bool

    public var hasNotConverged: Bool
    public var notConvergedCount: String
    public var notConvergedMaxLoss: String

    public var envelope: [EnvelopeLine]
    public var hasEnvelope: Bool
    public var envelopeHeldForAll: Bool
    public var fits: [FitLine]
    public var hasFits: Bool
    public var conditionUnmet: [ConditionLine]
    public var hasConditionUnmet: Bool
    public var activations: ActivationComparison
    public var previous: PreviousComparison
    /// No alert, no regression, every run converged.
    public var allGood: Bool
}
