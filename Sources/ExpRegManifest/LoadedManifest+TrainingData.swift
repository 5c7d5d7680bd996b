import ExpRegCore

extension LoadedManifest {
    /// The training data of `run`, as `expreg run` trains it and `expreg probe` probes it: sphere points
    /// generated from `data.seed` (``SphereData/generate(n:d:labels:seed:)``), or the csv dataset the
    /// loader validated (``csvDataset(for:)``). nil only for a csv run whose file was not loaded with
    /// this manifest.
    /// - Complexity: O(n·d).
    public func trainingDataset(for run: RunSpec) -> Dataset? {
        let data = run.config.data
        switch data.source {
        case .sphere:
            return SphereData.generate(n: data.n, d: data.d, labels: data.labels, seed: data.seed)
        case .csv:
            return csvDataset(for: run)
        }
    }
}
