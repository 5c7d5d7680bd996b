/// One probe as reported: the experiment, data, activation, σ and seed it measured, and its curve
/// or why it could not be measured.
public struct ProbeRecord: Sendable, Equatable {
    public var experiment: String
    public var activation: Activation
    /// σ (`model.init_scale`).
    public var sigma: Double
    /// The run seed the probe's W0 stream starts from (``ProbeStream``).
    public var seed: UInt64
    /// The data section as the manifest resolved it.
    public var data: DataConfig
    /// The dataset's n and d (a csv file decides them).
    public var n: Int
    public var d: Int
    /// The measured curve; nil when the probe could not run (``error``).
    public var result: ProbeResult?
    /// Why there is no result (``ProbeError``), else nil.
    public var error: String?
    /// Wall time of the probe in seconds (measured outside the core; nil when not measured).
    public var seconds: Double?
    /// The part of ``seconds`` spent accumulating (``ProbePhase/accumulation``) and at checkpoints.
    public var accumulationSeconds: Double?
    public var checkpointSeconds: Double?

    public init(
        experiment: String, activation: Activation, sigma: Double, seed: UInt64, data: DataConfig, n: Int, d: Int,
        result: ProbeResult?, error: String?, seconds: Double? = nil
    ) {
        self.experiment = experiment
        self.activation = activation
        self.sigma = sigma
        self.seed = seed
        self.data = data
        self.n = n
        self.d = d
        self.result = result
        self.error = error
        self.seconds = seconds
    }

    /// m_c, nil when not reached or not measured.
    public var crossingWidth: Int? { result?.crossing.width }
}

/// The n-law of one group of probes: same experiment, activation, σ, d, data source and labels,
/// differing in `data.n`, the run seed and the data seed.
public struct ConditionLaw: Sendable, Equatable {
    public var experiment: String
    public var activation: Activation
    public var sigma: Double
    public var d: Int
    public var source: DataSourceKind
    public var labels: LabelKind
    public var fit: CrossingLawFit

    /// One law per group of `records` that has crossings at ≥ 2 distinct n, in order of the
    /// groups' first record.
    public static func fits(of records: [ProbeRecord]) -> [ConditionLaw] {
        struct Key: Hashable {
            var experiment: String
            var activation: Activation
            var sigma: Double
            var d: Int
            var source: DataSourceKind
            var labels: LabelKind
        }
        var order: [Key] = []
        var members: [Key: [ProbeRecord]] = [:]
        for record in records {
            let key = Key(
                experiment: record.experiment, activation: record.activation, sigma: record.sigma, d: record.d,
                source: record.data.source, labels: record.data.labels)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(record)
        }
        return order.compactMap { key in
            let group = members[key] ?? []
            let ns = Array(Set(group.map(\.n))).sorted()
            let groups = ns.map { n in
                let atN = group.filter { $0.n == n }
                let lambdas = atN.compactMap { $0.result?.lambdaStar }.sorted()
                return CrossingLawFit.Group(
                    n: n, crossings: atN.compactMap(\.crossingWidth),
                    unreached: atN.filter { $0.crossingWidth == nil }.count,
                    lambdaStar: lambdas.isEmpty ? nil : median(lambdas))
            }
            guard let fit = CrossingLawFit(groups: groups) else { return nil }
            return ConditionLaw(
                experiment: key.experiment, activation: key.activation, sigma: key.sigma, d: key.d,
                source: key.source, labels: key.labels, fit: fit)
        }
    }

    /// The median of ascending `values` (mean of the middle two for an even count).
    private static func median(_ values: [Double]) -> Double {
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
