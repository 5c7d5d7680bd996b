import ExpRegCore

/// A key of a run's configuration, by its dotted name.
///
/// These are the keys a manifest's `defaults` and experiments set (nested: `model: {width: …}`),
/// and the keys that sweeps and `--set` address (dotted: `model.width`).
public enum ConfigKey: String, CaseIterable, Sendable, Comparable {
    /// Seed of the model initialisation (a_r, w_r(0)); 0...UInt64.max, default 0.
    case seed = "seed"
    /// `sphere` or `csv`, default sphere.
    case dataSource = "data.source"
    /// Number of sphere points, 1...8192, default 64 (csv: taken from the file).
    case dataN = "data.n"
    /// Input dimension, 1...4096 (sphere: ≥ 2), default 16 (csv: taken from the file).
    case dataD = "data.d"
    /// Sphere labels, `random` or `teacher`, default random.
    case dataLabels = "data.labels"
    /// Seed of the sphere generator, default 1.
    case dataSeed = "data.seed"
    /// csv file, relative to the manifest's folder; no default.
    case dataPath = "data.path"
    /// csv: scale rows to unit norm (true) or require it (false), default true.
    case dataNormalize = "data.normalize"
    /// csv: held-out csv file (same header and `normalize` rule as `data.path`), relative to the
    /// manifest's folder; no default (no test set). Ignored for sphere data.
    case dataTestPath = "data.test_path"
    /// sphere: number of held-out points, 1...8192, drawn from the data seed's jumped stream
    /// (`SphereData.heldOut`); no default (no test set). Ignored for csv data.
    case dataTestN = "data.test_n"
    /// `exp` or `relu`, default exp.
    case modelActivation = "model.activation"
    /// Width m, 1...2^24, default 1024.
    case modelWidth = "model.width"
    /// sigma of w_r(0) ~ N(0, sigma^2 I), finite and > 0, default 1.0.
    case modelInitScale = "model.init_scale"
    /// Most GD steps, 1...10_000_000, default 2000.
    case trainSteps = "train.steps"
    /// `auto` (1/lambda_max(H(W(0)))) or a finite eta > 0, default auto.
    case trainLearningRate = "train.learning_rate"
    /// Stop once the loss is <= this, finite and >= 0, default 1e-6.
    case trainTargetLoss = "train.target_loss"
    /// Archive the loss every k >= 1 steps, default 10.
    case trainLogEvery = "train.log_every"
    /// Full spectrum of H(W) every k steps (0 = start and end only), default 200.
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

    /// All keys sorted by dotted name (the order of `RunSpec.params`).
    static let sortedCases: [ConfigKey] = allCases.sorted()

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
        case .dataTestPath: return .path
        case .dataTestN: return .integer(1...ManifestLimits.maxPoints)
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

    /// The built-in default (docs/manifest.md); `data.path`, `data.test_path` and `data.test_n` have none.
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
        case .dataTestPath, .dataTestN: return nil
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
