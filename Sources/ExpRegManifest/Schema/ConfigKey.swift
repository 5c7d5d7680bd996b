import ExpRegCore

/// A key of a run's configuration, by its dotted name.
///
/// These are the keys a manifest's `defaults` and experiments set (nested: `model: {width: …}`),
/// and the keys that sweeps and `--set` address (dotted: `model.width`).
public enum ConfigKey: String, CaseIterable, Sendable, Comparable {
    case seed = "seed"
    case dataSource = "data.source"
    case dataN = "data.n"
    case dataD = "data.d"
    case dataLabels = "data.labels"
    case dataSeed = "data.seed"
    case dataPath = "data.path"
    case dataNormalize = "data.normalize"
    case modelActivation = "model.activation"
    case modelWidth = "model.width"
    case modelInitScale = "model.init_scale"
    case trainSteps = "train.steps"
    case trainLearningRate = "train.learning_rate"
    case trainTargetLoss = "train.target_loss"
    case trainLogEvery = "train.log_every"
    case trainSpectrumEvery = "train.spectrum_every"

    /// Orders keys by their dotted name (the order of `RunSpec.params`).
    public static func < (lhs: ConfigKey, rhs: ConfigKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The section (`data`, `model`, `train`), or nil for top-level `seed`.
    var section: String? {
        let parts = rawValue.split(separator: ".", maxSplits: 1)
        return parts.count == 2 ? String(parts[0]) : nil
    }

    /// The key inside its section (`width` for `model.width`).
    var leaf: String {
        String(rawValue.split(separator: ".", maxSplits: 1).last ?? Substring(rawValue))
    }

    /// The sections, in schema order.
    static let sections = ["data", "model", "train"]

    /// The keys of one section, in schema order.
    static func keys(inSection section: String) -> [ConfigKey] {
        allCases.filter { $0.section == section }
    }

    /// All dotted names, in schema order.
    static var dottedNames: [String] { allCases.map(\.rawValue) }

    /// What the key accepts. Values are checked where they are written; combinations (sphere needs
    /// d ≥ 2, csv needs a path, n·m limits) are checked per resolved run.
    var rule: ValueRule {
        switch self {
        case .seed, .dataSeed: return .seed
        case .dataSource: return .choice(DataSourceKind.allCases.map(\.rawValue))
        case .dataN: return .integer(1...ManifestLimits.maxPoints)
        case .dataD: return .integer(1...ManifestLimits.maxDimension)
        case .dataLabels: return .choice(LabelKind.allCases.map(\.rawValue))
        case .dataPath: return .path
        case .dataNormalize: return .flag
        case .modelActivation: return .choice(Activation.allCases.map(\.rawValue))
        case .modelWidth: return .integer(1...ManifestLimits.maxWidth)
        case .modelInitScale: return .number(atLeast: 0, exclusive: true)
        case .trainSteps: return .integer(1...ManifestLimits.maxSteps)
        case .trainLearningRate: return .learningRate
        case .trainTargetLoss: return .number(atLeast: 0, exclusive: false)
        case .trainLogEvery: return .integer(1...Int.max)
        case .trainSpectrumEvery: return .integer(0...Int.max)
        }
    }

    /// The built-in default (DESIGN.md); `data.path` has none.
    var builtInDefault: SettingValue? {
        switch self {
        case .seed: return .seed(0)
        case .dataSource: return .text(DataSourceKind.sphere.rawValue)
        case .dataN: return .integer(64)
        case .dataD: return .integer(16)
        case .dataLabels: return .text(LabelKind.random.rawValue)
        case .dataSeed: return .seed(1)
        case .dataPath: return nil
        case .dataNormalize: return .flag(true)
        case .modelActivation: return .text(Activation.exp.rawValue)
        case .modelWidth: return .integer(1024)
        case .modelInitScale: return .number(1.0)
        case .trainSteps: return .integer(2000)
        case .trainLearningRate: return .auto
        case .trainTargetLoss: return .number(1e-6)
        case .trainLogEvery: return .integer(10)
        case .trainSpectrumEvery: return .integer(200)
        }
    }

    /// A suggestion for an unknown dotted key: the nearest dotted name, or the dotted name whose
    /// leaf is exactly `word` (`width` → `model.width`).
    static func suggestion(forDotted word: String) -> String? {
        if let near = KeySuggestion.nearest(to: word, among: dottedNames) {
            return "did you mean `\(near)`?"
        }
        let byLeaf = allCases.filter { $0.leaf == word || $0.leaf == word.split(separator: ".").last.map(String.init) }
        if byLeaf.count == 1 { return "did you mean `\(byLeaf[0].rawValue)`?" }
        return nil
    }
}
