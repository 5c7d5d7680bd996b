import ExpRegCore
import ExpRegManifest

/// The condition probes of a manifest: one per distinct (experiment, data, activation, σ, seed)
/// among its runs, in plan order of first appearance. Runs that differ only in `model.width` or
/// `train.*` share a probe (the probe depends on neither); a probe that two experiments share is
/// listed under each (for their n-law fits) but computed once (``computation``).
public struct ProbePlan: Sendable {
    /// One probe of the plan.
    public struct Target: Sendable {
        public var experiment: String
        /// The first run of the plan that asks for this probe.
        public var run: RunSpec
        public var dataset: Dataset
        /// Index into the distinct computations: targets with equal indices have equal numbers.
        public var computation: Int

        public var activation: Activation { run.config.model.activation }
        public var sigma: Double { run.config.model.initScale }
        public var seed: UInt64 { run.config.seed }
    }

    /// The probes in plan order.
    public var targets: [Target]
    /// Number of distinct computations (≤ targets.count).
    public var computations: Int

    /// The probes of `manifest`'s plan.
    /// - Throws: ``PipelineError`` (invalid input) when a csv file was not loaded with the manifest.
    public init(manifest: LoadedManifest) throws {
        /// What a probe's numbers depend on: the data (not its held-out part), activation, σ, seed.
        struct Key: Hashable {
            var source: DataSourceKind
            var n: Int
            var d: Int
            var labels: LabelKind
            var dataSeed: UInt64
            var path: String?
            var normalize: Bool
            var activation: Activation
            var sigmaBits: UInt64
            var seed: UInt64
        }
        struct Listed: Hashable {
            var experiment: String
            var key: Key
        }
        var listed = Set<Listed>()
        var computationIndex: [Key: Int] = [:]
        var targets: [Target] = []
        for run in manifest.plan.runs {
            let c = run.config
            let data = c.data
            let key = Key(
                source: data.source, n: data.n, d: data.d, labels: data.labels, dataSeed: data.seed,
                path: data.path.map { manifest.resolvedDataPath($0) }, normalize: data.normalize,
                activation: c.model.activation, sigmaBits: c.model.initScale.bitPattern, seed: c.seed)
            guard listed.insert(Listed(experiment: run.experiment, key: key)).inserted else { continue }
            guard let dataset = manifest.trainingDataset(for: run) else {
                throw PipelineError.invalid("csv data \(data.path ?? "?") was not loaded with the manifest")
            }
            let index = computationIndex[key] ?? computationIndex.count
            computationIndex[key] = index
            targets.append(Target(experiment: run.experiment, run: run, dataset: dataset, computation: index))
        }
        self.targets = targets
        computations = computationIndex.count
    }
}
