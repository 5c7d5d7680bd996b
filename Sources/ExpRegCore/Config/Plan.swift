/// A scalar value of a resolved configuration key, as it appears in `results.json` `params`.
public enum ParamValue: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return v
        case .bool(let v): return v ? "true" : "false"
        }
    }

    /// The value as a Double when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
            return
        }
        if let i = try? c.decode(Int.self) {
            self = .int(i)
            return
        }
        if let d = try? c.decode(Double.self) {
            self = .double(d)
            return
        }
        self = .string(try c.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        }
    }
}

/// One resolved `key = value` of a run, with a dotted key such as `model.width`.
public struct Param: Sendable, Equatable, Hashable, Codable {
    public var key: String
    public var value: ParamValue
    public init(key: String, value: ParamValue) {
        self.key = key
        self.value = value
    }
}

/// One run of the plan: an experiment's fully resolved configuration and its stable key.
public struct RunSpec: Sendable, Equatable, Codable {
    /// Position in the plan (deterministic expansion order), starting at 0.
    public var index: Int
    public var experiment: String
    /// SHA-256 (hex) of the canonical resolved config plus ``Trainer/algorithmVersion``.
    public var runKey: String
    public var config: RunConfig
    /// Every resolved key of the run, dotted, sorted by key.
    public var params: [Param]
    /// The keys this run's sweep set (for labelling runs in plots and tables), in sweep order.
    public var sweptKeys: [String]

    public init(
        index: Int, experiment: String, runKey: String, config: RunConfig, params: [Param],
        sweptKeys: [String]
    ) {
        self.index = index
        self.experiment = experiment
        self.runKey = runKey
        self.config = config
        self.params = params
        self.sweptKeys = sweptKeys
    }

    /// The resolved value of a dotted key, if the run has it.
    public func param(_ key: String) -> ParamValue? {
        params.first { $0.key == key }?.value
    }
}

/// Gate thresholds of a manifest; `nil` means the gate is not set.
public struct GateConfig: Sendable, Equatable, Codable {
    /// The gates a manifest can set (its `gates:` keys), in evaluation order.
    public enum Name: String, Sendable, Codable, CaseIterable {
        /// Every run's final loss ≤ the limit (``GateConfig/maxFinalLoss``).
        case maxFinalLoss = "max_final_loss"
        /// At most the limit of runs `diverged` or `failed` (``GateConfig/maxDiverged``).
        case maxDiverged = "max_diverged"
        /// No run's final loss grew beyond the factor vs the previous batch (``GateConfig/maxRegression``).
        case maxRegression = "max_regression"
    }

    /// Every run's final loss must be <= this.
    public var maxFinalLoss: Double?
    /// At most this many runs may end `diverged` (or `failed`).
    public var maxDiverged: Int?
    /// A run's final loss may grow at most this factor vs the same run_key in the previous batch.
    public var maxRegression: Double?

    public init(maxFinalLoss: Double? = nil, maxDiverged: Int? = nil, maxRegression: Double? = nil) {
        self.maxFinalLoss = maxFinalLoss
        self.maxDiverged = maxDiverged
        self.maxRegression = maxRegression
    }
}

/// Which batch a report compares with.
public enum CompareWith: String, Sendable, Codable, CaseIterable {
    case previous
    case none
}

/// The validated, expanded manifest: everything `expreg run` needs before training.
public struct Plan: Sendable, Equatable, Codable {
    /// Manifest `name` ([A-Za-z0-9._-]+); batches of the same name are compared.
    public var name: String
    /// Optional report title.
    public var title: String?
    /// Runs in deterministic plan order.
    public var runs: [RunSpec]
    public var gates: GateConfig
    public var compareWith: CompareWith
    /// `--set KEY=VALUE` overrides applied, as given.
    public var overrides: [String]

    public init(
        name: String, title: String?, runs: [RunSpec], gates: GateConfig, compareWith: CompareWith,
        overrides: [String]
    ) {
        self.name = name
        self.title = title
        self.runs = runs
        self.gates = gates
        self.compareWith = compareWith
        self.overrides = overrides
    }

    /// Names of the experiments in manifest order.
    public var experimentNames: [String] {
        var seen = Set<String>()
        return runs.map(\.experiment).filter { seen.insert($0).inserted }
    }
}
