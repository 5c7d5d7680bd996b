import ExpRegCore
import Foundation

extension ExecutiveSummary {
    /// Runs per ``RunVerdict`` (rule 8).
    public struct VerdictCounts: Sendable, Equatable {
        public var withinGuarantee: String
        public var consistent: String
        public var violated: String
        public var hasWithinGuarantee: Bool
        public var hasConsistent: Bool
        public var hasViolated: Bool
    }

    /// Runs of one activation that met the sufficient condition (rule 8).
    public struct GuaranteeLine: Sendable, Equatable {
        public var isExp: Bool
        public var isReLU: Bool
        /// Runs with `width_condition_met == true`, and the smallest width among them.
        public var count: String
        public var fromWidth: String
        /// Of those: `within_guarantee`, and `violated` (a contradiction of the theorem).
        public var within: String
        public var violated: String
        public var hasViolated: Bool
        /// Median observed and predicted rate of the runs inside the guarantee (``ReportFormat/rate(_:)``).
        public var hasRates: Bool
        public var observedRate: String
        public var predictedRate: String
        public var notFirst: Bool
    }

    /// A scale-up to the condition width for one ``WidthScaling`` group (rule 9).
    public struct ProjectionLine: Sendable, Equatable {
        public var experiment: String
        public var isExp: Bool
        public var isReLU: Bool
        /// n of the group.
        public var n: String
        /// Widest tested width, and the projected condition width (theory slope, ``ReportFormat/predictedWidth(_:)``).
        public var widestWidth: String
        public var conditionWidth: String
        /// The free-slope fit's condition width and its slope (beside it, as a diagnostic).
        public var hasFreeSlopeWidth: Bool
        public var freeSlopeWidth: String
        public var freeSlope: String
        /// Working set of one run there (``ReportFormat/memory(_:)``).
        public var memory: String
        /// Time of one run there (``ReportFormat/duration(_:)``), and of the group's seeds one after
        /// another on this machine; with a cluster, one seed per shard takes one run's time.
        public var hasTime: Bool
        public var secondsPerRun: String
        public var seeds: String
        public var totalTime: String
    }

    static func verdictCounts(_ runs: [RunRecord], _ judgement: BatchJudgement) -> VerdictCounts {
        let count = { (v: RunVerdict) in runs.filter { judgement.verdict(of: $0) == v }.count }
        let (w, c, v) = (count(.withinGuarantee), count(.consistent), count(.violated))
        return VerdictCounts(
            withinGuarantee: ReportFormat.count(w), consistent: ReportFormat.count(c),
            violated: ReportFormat.count(v), hasWithinGuarantee: w > 0, hasConsistent: c > 0,
            hasViolated: v > 0)
    }

    /// Rule 8 for one activation; nil when no run of it met the condition.
    static func guaranteeLine(_ runs: [RunRecord], activation: Activation, _ judgement: BatchJudgement)
        -> GuaranteeLine?
    {
        let inside = runs.filter { $0.outcome.diagnostics.widthConditionMet == true }
        guard let from = inside.map(\.width).min() else { return nil }
        let within = inside.filter { judgement.verdict(of: $0) == .withinGuarantee }
        let violated = inside.filter { judgement.verdict(of: $0) == .violated }.count
        let observed = median(within.compactMap(\.outcome.diagnostics.observedRate))
        let predicted = median(within.compactMap(\.outcome.diagnostics.predictedRate))
        return GuaranteeLine(
            isExp: activation == .exp, isReLU: activation == .relu, count: ReportFormat.count(inside.count),
            fromWidth: ReportFormat.width(from), within: ReportFormat.count(within.count),
            violated: ReportFormat.count(violated), hasViolated: violated > 0,
            hasRates: observed != nil && predicted != nil,
            observedRate: ReportFormat.optional(observed, ReportFormat.rate),
            predictedRate: ReportFormat.optional(predicted, ReportFormat.rate), notFirst: false)
    }

    /// Rule 9: archived groups where no tested width met the condition and a projection exists.
    static func projectionLines(_ runs: [RunRecord], _ analysis: WidthScaling) -> [ProjectionLine] {
        analysis.widthScaling.compactMap { group in
            guard group.conditionMetFromWidth == nil, let projection = group.projection,
                let conditionWidth = group.conditionWidth
            else { return nil }
            let members = runs.filter(group.contains)
            let seeds = Set(members.map(\.seed)).count
            let n = group.fixedParams["data.n"]?.doubleValue.map { Int($0) } ?? members.first?.spec.config.data.n ?? 0
            let seconds = projection.secondsPerRun
            return ProjectionLine(
                experiment: group.experiment, isExp: group.activation == Activation.exp.rawValue,
                isReLU: group.activation == Activation.relu.rawValue, n: ReportFormat.count(n),
                widestWidth: ReportFormat.width(group.widths.last ?? 0),
                conditionWidth: ReportFormat.predictedWidth(conditionWidth),
                hasFreeSlopeWidth: group.conditionWidthFreeSlope != nil,
                freeSlopeWidth: group.conditionWidthFreeSlope.map(ReportFormat.predictedWidth) ?? "",
                freeSlope: group.gramDistanceSlope.map(ReportFormat.slope) ?? "",
                memory: ReportFormat.memory(projection.memoryBytes), hasTime: seconds != nil,
                secondsPerRun: seconds.map(ReportFormat.duration) ?? "", seeds: ReportFormat.count(seeds),
                totalTime: seconds.map { ReportFormat.duration($0 * Double(seeds)) } ?? "")
        }
    }
}
