import ExpRegCore
import Foundation

extension ReportViewModel {
    /// One row of the 「幅のコスト」 section: a ``WidthScaling`` group (results.json
    /// `analysis.width_scaling[]`), its fits and its projection, preformatted.
    public struct CostRow: Sendable, Equatable {
        public var experiment: String
        public var activation: String
        /// n of the group and the tested widths (smallest〜largest).
        public var n: String
        public var minWidth: String
        public var maxWidth: String
        /// Free slope of ‖H(W0) − H*‖ vs m, and the condition widths (theory slope; free slope).
        public var slope: String
        public var conditionWidth: String
        public var conditionWidthFreeSlope: String
        /// Fitted exponents of seconds per step and memory against m (`—` when not fitted).
        public var timeExponent: String
        public var memoryExponent: String
        /// Projection at the condition width: time per run (H:MM:SS), memory (with unit), steps.
        public var hasProjection: Bool
        public var projectedTime: String
        public var hasProjectedTime: Bool
        public var projectedMemory: String
        public var projectedSteps: String
        /// The condition already held from a tested width on (then that width).
        public var conditionMet: Bool
        public var metFromWidth: String
        /// Projected width / widest tested width (``ReportFormat/ratio(_:)``).
        public var widthFactor: String
    }

    /// The condition width against n for a family of groups sweeping `data.n`
    /// (results.json `analysis.condition_width_vs_n[]`).
    public struct PointsRow: Sendable, Equatable {
        public var experiment: String
        public var activation: String
        /// The n values and their condition widths, `n = 8: 1,200・n = 16: 4,900`.
        public var points: String
        /// The fitted exponent (``ReportFormat/slope(_:)``; the paper's bound is about 2).
        public var exponent: String
    }

    /// The condition-width-against-n rows of a batch (its archived analysis).
    static func pointsRows(_ batch: BatchSnapshot) -> [PointsRow] {
        batch.judgement.analysis.conditionWidthVsN.map { fit in
            PointsRow(
                experiment: fit.experiment, activation: fit.activation,
                points: fit.points.map {
                    "n = \(ReportFormat.count(Int($0[0]))): \(ReportFormat.predictedWidth($0[1]))"
                }
                .joined(separator: "・"),
                exponent: ReportFormat.slope(fit.exponent))
        }
    }

    /// The cost rows of a batch (its archived analysis), in plan order.
    static func costRows(_ batch: BatchSnapshot) -> [CostRow] {
        batch.judgement.analysis.widthScaling.map { g in
            let n = g.fixedParams["data.n"]?.doubleValue.map { Int($0) }
            let p = g.projection
            let widest = Double(g.widths.last ?? 0)
            return CostRow(
                experiment: g.experiment, activation: g.activation,
                n: n.map(ReportFormat.count) ?? ReportFormat.missing,
                minWidth: ReportFormat.width(g.widths.first ?? 0), maxWidth: ReportFormat.width(g.widths.last ?? 0),
                slope: ReportFormat.optional(g.gramDistanceSlope, ReportFormat.slope),
                conditionWidth: ReportFormat.optional(g.conditionWidth, ReportFormat.predictedWidth),
                conditionWidthFreeSlope: ReportFormat.optional(g.conditionWidthFreeSlope, ReportFormat.predictedWidth),
                timeExponent: ReportFormat.optional(g.secondsPerStepExponent, ReportFormat.slope),
                memoryExponent: ReportFormat.optional(g.memoryExponent, ReportFormat.slope),
                hasProjection: p != nil,
                projectedTime: ReportFormat.optional(p?.secondsPerRun, ReportFormat.duration),
                hasProjectedTime: p?.secondsPerRun != nil,
                projectedMemory: p.map { ReportFormat.memory($0.memoryBytes) } ?? ReportFormat.missing,
                projectedSteps: ReportFormat.optional(p?.steps, ReportFormat.count),
                conditionMet: g.conditionMetFromWidth != nil,
                metFromWidth: g.conditionMetFromWidth.map(ReportFormat.width) ?? "",
                widthFactor: p.flatMap { widest > 0 ? ReportFormat.ratio(Double($0.width) / widest) : nil }
                    ?? ReportFormat.missing)
        }
    }
}
