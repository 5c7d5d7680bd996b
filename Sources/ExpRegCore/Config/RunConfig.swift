/// Fully resolved configuration of one training run (every default applied, every sweep value set).
///
/// The manifest module produces it; the trainer consumes it. It is plain data: two equal configs
/// with the same data give bitwise-identical training.
public struct RunConfig: Sendable, Equatable, Codable {
    /// Seed for the model's initialisation (the signs `a_r` and `w_r(0)`).
    public var seed: UInt64
    public var data: DataConfig
    public var model: ModelConfig
    public var train: TrainConfig

    public init(seed: UInt64, data: DataConfig, model: ModelConfig, train: TrainConfig) {
        self.seed = seed
        self.data = data
        self.model = model
        self.train = train
    }
}

/// Activation of the hidden layer: `exp` (the paper's) or `relu` (the classical baseline).
public enum Activation: String, Sendable, Codable, CaseIterable {
    case exp
    case relu
}

/// Where the training points come from.
public enum DataSourceKind: String, Sendable, Codable, CaseIterable {
    /// `n` points uniform on the unit sphere S^(d-1), generated from `DataConfig.seed`.
    case sphere
    /// A CSV file with header `x1..xd,y` (read outside Core).
    case csv
}

/// Labels of generated sphere data.
public enum LabelKind: String, Sendable, Codable, CaseIterable {
    /// y_i ~ N(0, 1), independent of x_i.
    case random
    /// y_i = sin(3 <v, x_i>) for a fixed unit vector v drawn from the data seed.
    case teacher
}

/// The data section of a run.
public struct DataConfig: Sendable, Equatable, Codable {
    public var source: DataSourceKind
    /// Number of points (sphere); for csv the file decides and this is informational.
    public var n: Int
    /// Input dimension (sphere); for csv the file decides.
    public var d: Int
    public var labels: LabelKind
    /// Seed of the sphere generator.
    public var seed: UInt64
    /// csv only: path as written in the manifest (relative to the manifest's folder).
    public var path: String?
    /// csv only: scale each row to unit norm.
    public var normalize: Bool
    /// Held-out csv (`data.test_path`) as written in the manifest (relative to the manifest's
    /// folder; same header and `normalize` rule as `path`); nil when not given. Never used in training.
    public var testPath: String?
    /// Number of held-out points: `data.test_n` for sphere data (drawn by
    /// `SphereData.heldOut(testCount:trainingCount:d:labels:seed:)`), the row count of `testPath`
    /// for a csv test set; nil without a test set.
    public var testN: Int?

    public init(
        source: DataSourceKind = .sphere, n: Int = 64, d: Int = 16, labels: LabelKind = .random,
        seed: UInt64 = 1, path: String? = nil, normalize: Bool = true, testPath: String? = nil,
        testN: Int? = nil
    ) {
        self.source = source
        self.n = n
        self.d = d
        self.labels = labels
        self.seed = seed
        self.path = path
        self.normalize = normalize
        self.testPath = testPath
        self.testN = testN
    }

    /// True when the run has held-out data (`test_path` or `test_n`).
    public var hasTestSet: Bool { testPath != nil || testN != nil }
}

/// The model section: F(W, x) = (1/sqrt(m)) sum_r a_r act(<w_r, x>), w_r(0) ~ N(0, sigma^2 I).
public struct ModelConfig: Sendable, Equatable, Codable {
    public var activation: Activation
    /// Width m (number of hidden neurons), >= 1.
    public var width: Int
    /// sigma, the standard deviation of each entry of w_r(0), > 0.
    public var initScale: Double

    public init(activation: Activation = .exp, width: Int = 1024, initScale: Double = 1.0) {
        self.activation = activation
        self.width = width
        self.initScale = initScale
    }
}

/// Step size rule of gradient descent.
public enum LearningRate: Sendable, Equatable, Codable {
    /// eta = 1 / lambda_max(H(W(0))).
    case auto
    /// A fixed positive eta.
    case fixed(Double)
}

/// The train section.
public struct TrainConfig: Sendable, Equatable, Codable {
    /// Maximum number of GD steps.
    public var steps: Int
    public var learningRate: LearningRate
    /// Stop as soon as L(W(k)) <= targetLoss (status `converged`).
    public var targetLoss: Double
    /// Loss archived every `logEvery` steps (the first and last step always).
    public var logEvery: Int
    /// Full spectrum of H(W) every `spectrumEvery` steps; 0 = start and end only.
    public var spectrumEvery: Int

    public init(
        steps: Int = 2000, learningRate: LearningRate = .auto, targetLoss: Double = 1e-6,
        logEvery: Int = 10, spectrumEvery: Int = 200
    ) {
        self.steps = steps
        self.learningRate = learningRate
        self.targetLoss = targetLoss
        self.logEvery = logEvery
        self.spectrumEvery = spectrumEvery
    }
}
