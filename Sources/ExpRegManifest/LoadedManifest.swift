import ExpRegCore

/// A manifest that parsed and validated, with its expanded plan and the csv datasets it uses.
public struct LoadedManifest: Sendable {
    /// The runs in deterministic order, gates, report settings and the `--set` overrides applied.
    public var plan: Plan
    /// The manifest's text.
    public var text: String
    /// SHA-256 (lowercase hex) of the manifest's UTF-8 bytes.
    public var sha256: String
    /// The manifest's path as given.
    public var path: String
    /// Absolute, standardised folder that relative csv paths (also from `--set data.path=…`)
    /// are resolved against: the manifest's folder.
    package var baseDirectory: String
    /// Datasets of `source: csv` runs, keyed by the resolved absolute path (standardised, symlinks
    /// resolved), validated and (with `normalize: true`) scaled while loading. A file is used with
    /// a single `normalize` setting (the loader rejects a manifest that mixes them), so the path
    /// identifies the dataset. Prefer ``csvDataset(for:)``.
    public var csvDatasets: [String: Dataset]
    /// The `notify:` webhooks, in manifest order (empty when there are none).
    public var notify: [WebhookSpec]

    /// Creates a loaded manifest; ``ManifestLoader`` is the usual way to get one.
    public init(
        plan: Plan, text: String, sha256: String, path: String, baseDirectory: String,
        csvDatasets: [String: Dataset], notify: [WebhookSpec] = []
    ) {
        self.plan = plan
        self.text = text
        self.sha256 = sha256
        self.path = path
        self.baseDirectory = baseDirectory
        self.csvDatasets = csvDatasets
        self.notify = notify
    }

    /// The absolute path a data path as written in the manifest resolves to (the key of
    /// ``csvDatasets``): relative paths start at ``baseDirectory``.
    package func resolvedDataPath(_ path: String) -> String {
        PlanExpander.resolve(path, baseDirectory: baseDirectory)
    }

    /// The loaded dataset of a `source: csv` run, or nil for sphere runs (generate those with
    /// `SphereData.generate(n:d:labels:seed:)`).
    public func csvDataset(for run: RunSpec) -> Dataset? {
        guard run.config.data.source == .csv, let path = run.config.data.path else { return nil }
        return csvDatasets[resolvedDataPath(path)]
    }

    /// The held-out dataset of a `source: csv` run with `data.test_path`, or nil (sphere runs draw
    /// theirs with `SphereData.heldOut(testCount:trainingCount:d:labels:seed:)`).
    public func csvTestDataset(for run: RunSpec) -> Dataset? {
        guard run.config.data.source == .csv, let path = run.config.data.testPath else { return nil }
        return csvDatasets[resolvedDataPath(path)]
    }
}
