import Foundation

/// The batch's width analysis (results.json `analysis`): per group of runs that differ only in
/// width and seed, how ‖H(W0) − H*‖ shrinks with the width m, where it reaches the sufficient
/// condition λ*/4, and what a run there would cost; and, when `data.n` is swept too, how that
/// condition width grows with n.
///
/// ## Method
/// - **Groups:** runs with the same experiment and every resolved param equal except `model.width`
///   and `seed` (plan order of first appearance). A group needs ≥ 2 distinct widths with a
///   positive `gram_distance_init` to be fitted.
/// - **Free fit:** log ‖H(W0) − H*‖ = log C + s · log m by least squares (``PowerLawFit``): `gram_distance_slope`
///   s and `gram_distance_constant` C, a diagnostic of how close the sweep is to the C/√m law.
/// - **Projection fit:** the theory's slope −1/2 with C fitted, C½ = exp(mean(log y + ½ log m)),
///   so `condition_width` = (4 C½ / λ*)² with λ* the group's median λ*. At small widths the free
///   slope is shallower than −1/2 and extrapolates too far; the free-slope width is given beside
///   it (`condition_width_free_slope`).
/// - **Agreement:** the free slope agrees with the theory when |s − (−1/2)| ≤ the batch's
///   ``JudgementRules/slopeTolerance`` (`slopeAgreesWithTheory`, archived, not in results.json).
/// - **Costs:** the group's ``WidthCostModel``: time per GD step (training seconds / steps) and
///   spectra seconds per run fitted as C·m^e, with the median steps of the converged runs at the
///   widest width; `memory_bytes` fitted as C·m^e too (`seconds_per_step_exponent`, `memory_exponent`).
/// - **Projection** at m* = ⌈condition_width⌉: `memory_bytes` from ``TrainingMemory`` (the same
///   formula `run` checks), `steps` = the model's steps, `seconds_per_run` = the model at m*.
/// - **Against n:** groups equal but for `data.n` (≥ 2 values of n with a condition width) fit
///   condition_width ≈ C·n^e (theory: m = Ω(n^{2+o(1)} log(n/δ)), so e ≈ 2).
///
/// Made only by ``BatchJudgement/judge(runs:rules:isProvisional:)`` and archived with the batch;
/// readers take it from ``BatchSnapshot/judgement``.
public struct WidthScaling: Sendable, Equatable, Codable {
    /// A run at the projected condition width on this machine.
    public struct Projection: Sendable, Equatable, Codable {
        public var width: Int
        public var secondsPerRun: Double?
        public var memoryBytes: Int
        public var steps: Int?

        public init(width: Int, secondsPerRun: Double?, memoryBytes: Int, steps: Int?) {
            self.width = width
            self.secondsPerRun = secondsPerRun
            self.memoryBytes = memoryBytes
            self.steps = steps
        }

        enum CodingKeys: String, CodingKey {
            case width, steps
            case secondsPerRun = "seconds_per_run"
            case memoryBytes = "memory_bytes"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(width, forKey: .width)
            try c.encode(finite(secondsPerRun), forKey: .secondsPerRun)
            try c.encode(memoryBytes, forKey: .memoryBytes)
            try c.encode(steps, forKey: .steps)
        }
    }

    /// One group of runs differing only in width and seed.
    public struct Group: Sendable, Equatable, Codable {
        public var experiment: String
        public var activation: String
        /// Every resolved param of the group but `model.width` and `seed`.
        public var fixedParams: [String: ParamValue]
        /// Distinct widths, ascending, and the number of runs.
        public var widths: [Int]
        public var runs: Int
        /// Median λ* of the group.
        public var lambdaStar: Double?
        /// Free fit of ‖H(W0) − H*‖ ≈ C·m^slope.
        public var gramDistanceSlope: Double?
        public var gramDistanceConstant: Double?
        /// C of the fit with the theory's slope −1/2.
        public var gramDistanceConstantTheorySlope: Double?
        /// (4 C½ / λ*)², and the free-slope fit's width at λ*/4 beside it.
        public var conditionWidth: Double?
        public var conditionWidthFreeSlope: Double?
        /// Smallest tested width from which every run of the group met the condition (nil: none).
        public var conditionMetFromWidth: Int?
        /// Cost exponents against m.
        public var secondsPerStepExponent: Double?
        public var memoryExponent: Double?
        public var projection: Projection?
        /// Whether the free slope agrees with −1/2 under the batch's rules (nil: no slope, or a
        /// batch judged before it was recorded). Archived; not in results.json.
        public var slopeAgreesWithTheory: Bool? = nil
        /// The group's time model (archived; in results.json only through
        /// `seconds_per_step_exponent` and `projection.seconds_per_run`).
        public var costModel = WidthCostModel(secondsPerStep: nil, spectraSeconds: nil, steps: nil)

        public init(
            experiment: String, activation: String, fixedParams: [String: ParamValue], widths: [Int],
            runs: Int, lambdaStar: Double?, gramDistanceSlope: Double?, gramDistanceConstant: Double?,
            gramDistanceConstantTheorySlope: Double?, conditionWidth: Double?,
            conditionWidthFreeSlope: Double?, conditionMetFromWidth: Int?, secondsPerStepExponent: Double?,
            memoryExponent: Double?, projection: Projection?, slopeAgreesWithTheory: Bool? = nil,
            costModel: WidthCostModel = WidthCostModel(secondsPerStep: nil, spectraSeconds: nil, steps: nil)
        ) {
            self.slopeAgreesWithTheory = slopeAgreesWithTheory
            self.costModel = costModel
            self.experiment = experiment
            self.activation = activation
            self.fixedParams = fixedParams
            self.widths = widths
            self.runs = runs
            self.lambdaStar = lambdaStar
            self.gramDistanceSlope = gramDistanceSlope
            self.gramDistanceConstant = gramDistanceConstant
            self.gramDistanceConstantTheorySlope = gramDistanceConstantTheorySlope
            self.conditionWidth = conditionWidth
            self.conditionWidthFreeSlope = conditionWidthFreeSlope
            self.conditionMetFromWidth = conditionMetFromWidth
            self.secondsPerStepExponent = secondsPerStepExponent
            self.memoryExponent = memoryExponent
            self.projection = projection
        }

        /// Whether `run` belongs to this group: the same experiment, and every parameter either
        /// varies within groups (``WidthScaling/groupVaryingKeys``) or equals the group's fixed value.
        public func contains(_ run: RunRecord) -> Bool {
            run.spec.experiment == experiment
                && run.spec.params.allSatisfy {
                    WidthScaling.groupVaryingKeys.contains($0.key) || fixedParams[$0.key] == $0.value
                }
        }

        enum CodingKeys: String, CodingKey {
            case experiment, activation, widths, runs, projection
            case fixedParams = "fixed_params"
            case lambdaStar = "lambda_star"
            case gramDistanceSlope = "gram_distance_slope"
            case gramDistanceConstant = "gram_distance_constant"
            case gramDistanceConstantTheorySlope = "gram_distance_constant_theory_slope"
            case conditionWidth = "condition_width"
            case conditionWidthFreeSlope = "condition_width_free_slope"
            case conditionMetFromWidth = "condition_met_from_width"
            case secondsPerStepExponent = "seconds_per_step_exponent"
            case memoryExponent = "memory_exponent"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(experiment, forKey: .experiment)
            try c.encode(activation, forKey: .activation)
            try c.encode(fixedParams, forKey: .fixedParams)
            try c.encode(widths, forKey: .widths)
            try c.encode(runs, forKey: .runs)
            try c.encode(finite(lambdaStar), forKey: .lambdaStar)
            try c.encode(finite(gramDistanceSlope), forKey: .gramDistanceSlope)
            try c.encode(finite(gramDistanceConstant), forKey: .gramDistanceConstant)
            try c.encode(finite(gramDistanceConstantTheorySlope), forKey: .gramDistanceConstantTheorySlope)
            try c.encode(finite(conditionWidth), forKey: .conditionWidth)
            try c.encode(finite(conditionWidthFreeSlope), forKey: .conditionWidthFreeSlope)
            try c.encode(conditionMetFromWidth, forKey: .conditionMetFromWidth)
            try c.encode(finite(secondsPerStepExponent), forKey: .secondsPerStepExponent)
            try c.encode(finite(memoryExponent), forKey: .memoryExponent)
            try c.encode(projection, forKey: .projection)
        }
    }

    /// The condition width against n for groups equal but for `data.n`.
    public struct PointsScaling: Sendable, Equatable, Codable {
        public var experiment: String
        public var activation: String
        /// [[n, condition_width], …] ascending in n.
        public var points: [[Double]]
        /// condition_width ≈ coefficient · n^exponent.
        public var exponent: Double
        public var coefficient: Double

        public init(experiment: String, activation: String, points: [[Double]], exponent: Double, coefficient: Double) {
            self.experiment = experiment
            self.activation = activation
            self.points = points
            self.exponent = exponent
            self.coefficient = coefficient
        }
    }

    /// One entry per fitted group, in plan order.
    public var widthScaling: [Group]
    /// One entry per family of groups sweeping `data.n` (empty when n is not swept).
    public var conditionWidthVsN: [PointsScaling]

    enum CodingKeys: String, CodingKey {
        case widthScaling = "width_scaling"
        case conditionWidthVsN = "condition_width_vs_n"
    }

    public init(widthScaling: [Group], conditionWidthVsN: [PointsScaling]) {
        self.widthScaling = widthScaling
        self.conditionWidthVsN = conditionWidthVsN
    }

    /// Keys that vary inside a group.
    public static let groupVaryingKeys: Set<String> = ["model.width", "seed"]

    /// The theory's slope of ‖H(W0) − H*‖ against m (H(W0) is a mean over m neurons).
    public static let theorySlope = -0.5

    /// Analyses the runs of a batch (method above) under `rules`. Only
    /// ``BatchJudgement/judge(runs:rules:isProvisional:)`` calls it.
    init(runs: [RunRecord], rules: JudgementRules) {
        var order: [[Param]] = []
        var members: [[Param]: [RunRecord]] = [:]
        for run in runs {
            let key =
                [Param(key: "experiment", value: .string(run.spec.experiment))]
                + run.spec.params.filter { !Self.groupVaryingKeys.contains($0.key) }
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(run)
        }
        widthScaling = order.compactMap { Self.group(members[$0] ?? [], rules: rules) }
        conditionWidthVsN = Self.againstN(widthScaling)
    }

    static func group(_ runs: [RunRecord], rules: JudgementRules) -> Group? {
        guard let first = runs.first else { return nil }
        let pairs = runs.compactMap { run in
            run.outcome.diagnostics.gramDistanceInit.flatMap {
                $0 > 0 && $0.isFinite ? (Double(run.spec.config.model.width), $0) : nil
            }
        }
        guard let fit = PowerLawFit(x: pairs.map(\.0), y: pairs.map(\.1)) else { return nil }
        let config = first.spec.config
        let widths = Set(runs.map(\.spec.config.model.width)).sorted()
        let lambdaStar = median(runs.compactMap(\.outcome.diagnostics.lambdaStar)).flatMap { $0 > 0 ? $0 : nil }
        let logs = pairs.map { Foundation.log($0.1) - theorySlope * Foundation.log($0.0) }
        let theoryConstant = Foundation.exp(logs.reduce(0, +) / Double(logs.count))
        let conditionWidth = lambdaStar.map { Foundation.pow(4 * theoryConstant / $0, -1 / theorySlope) }
        var metFrom: Int?
        for w in widths.reversed() {
            let atWidth = runs.filter { $0.spec.config.model.width == w }
            if atWidth.allSatisfy({ $0.outcome.diagnostics.widthConditionMet == true }) { metFrom = w } else { break }
        }
        let perStep = runs.compactMap { run -> (Double, Double)? in
            guard let seconds = run.trainingSeconds, run.outcome.stepsRun > 0 else { return nil }
            return (Double(run.spec.config.model.width), seconds / Double(run.outcome.stepsRun))
        }
        let stepFit = PowerLawFit(x: perStep.map(\.0), y: perStep.map(\.1))
        let spectra = runs.compactMap { run in
            run.spectraSeconds.map { (Double(run.spec.config.model.width), $0) }
        }
        let spectraFit = PowerLawFit(x: spectra.map(\.0), y: spectra.map(\.1))
        let memory = runs.compactMap { run in
            run.outcome.memoryBytes.map { (Double(run.spec.config.model.width), Double($0)) }
        }
        let memoryFit = PowerLawFit(x: memory.map(\.0), y: memory.map(\.1))
        let widest = widths.last ?? 0
        let steps = median(
            runs.filter { $0.spec.config.model.width == widest && $0.status == .converged }
                .map { Double($0.outcome.stepsRun) }
        ).map { Int($0.rounded()) }
        let costModel = WidthCostModel(secondsPerStep: stepFit?.law, spectraSeconds: spectraFit?.law, steps: steps)
        var projection: Projection?
        if let conditionWidth, conditionWidth.isFinite, conditionWidth < Double(Int.max / 2) {
            let width = max(1, Int(conditionWidth.rounded(.up)))
            projection = Projection(
                width: width, secondsPerRun: costModel.secondsPerRun(width: Double(width)),
                memoryBytes: TrainingMemory.bytes(n: config.data.n, d: config.data.d, m: width),
                steps: steps)
        }
        return Group(
            experiment: first.spec.experiment, activation: config.model.activation.rawValue,
            fixedParams: Dictionary(
                first.spec.params.filter { !groupVaryingKeys.contains($0.key) }
                    .map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
            widths: widths, runs: runs.count, lambdaStar: lambdaStar,
            gramDistanceSlope: fit.slope, gramDistanceConstant: fit.coefficient,
            gramDistanceConstantTheorySlope: theoryConstant, conditionWidth: conditionWidth,
            conditionWidthFreeSlope: lambdaStar.flatMap { fit.solve(for: $0 / 4) },
            conditionMetFromWidth: metFrom, secondsPerStepExponent: stepFit?.slope,
            memoryExponent: memoryFit?.slope, projection: projection,
            slopeAgreesWithTheory: rules.slopeAgreesWithTheory(fit.slope), costModel: costModel)
    }

    static func againstN(_ groups: [Group]) -> [PointsScaling] {
        var order: [[String: ParamValue]] = []
        var members: [[String: ParamValue]: [Group]] = [:]
        for group in groups {
            var key = group.fixedParams
            key["data.n"] = nil
            key["experiment"] = .string(group.experiment)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(group)
        }
        return order.compactMap { key in
            let family = members[key] ?? []
            let points = family.compactMap { g -> (Double, Double)? in
                guard let n = g.fixedParams["data.n"]?.doubleValue, let w = g.conditionWidth, w.isFinite else {
                    return nil
                }
                return (n, w)
            }.sorted { $0.0 < $1.0 }
            guard let first = family.first, let fit = PowerLawFit(x: points.map(\.0), y: points.map(\.1)) else {
                return nil
            }
            return PointsScaling(
                experiment: first.experiment, activation: first.activation,
                points: points.map { [$0.0, $0.1] }, exponent: fit.slope,
                coefficient: fit.coefficient)
        }
    }
}
