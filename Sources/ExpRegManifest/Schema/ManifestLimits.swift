import ExpRegCore

/// Sanity limits that protect the machine from a typo (`width: 10000000000`). Each violation is an
/// ordinary manifest error with a message that names the limit.
public enum ManifestLimits {
    /// Largest manifest file read, in bytes (1 MiB).
    public static let maxManifestBytes = 1 << 20
    /// Largest csv data file read, in bytes (256 MiB).
    public static let maxDataFileBytes = 256 << 20
    /// Most training points n (the n × n Gram matrices and their eigendecompositions must fit).
    public static let maxPoints = 8192
    /// Largest input dimension d.
    public static let maxDimension = 4096
    /// Largest width m.
    public static let maxWidth = 1 << 24
    /// Largest n·m and d·m (elements of the n × m activations and the m × d weights): the one rule
    /// the trainer and the benchmark apply too, ``TrainingMemory/maxBufferElements`` (2^31 − 1).
    public static let maxElements = TrainingMemory.maxBufferElements
    /// Most GD steps of one run.
    public static let maxSteps = 10_000_000
    /// Most runs in one plan.
    public static let maxRuns = 10_000
}
