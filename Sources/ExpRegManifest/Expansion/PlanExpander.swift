import ExpRegCore
import Foundation

/// Expands a checked ``ManifestDocument`` into the runs of a plan.
///
/// Resolution order for every key of every run, later wins: built-in defaults → `defaults:` →
/// the experiment's own sections → its sweep values → `--set` overrides.
///
/// Expansion order (deterministic, part of the contract for sharding): experiments in manifest
/// order; within an experiment, the cartesian product of its sweep lists with the FIRST listed key
/// varying slowest and the last fastest (like nested loops written in manifest order), each list in
/// the order written. `RunSpec.index` is the position in the plan.
///
/// Checks that need the resolved values are done here: a sphere needs d ≥ 2; csv data needs a path,
/// a readable valid file, and one `normalize` setting per file; a csv `test_path` is loaded like
/// `path` (same `normalize`) and must have the training file's d; n·m and d·m stay within
/// ``ManifestLimits/maxElements``; a plan has at most ``ManifestLimits/maxRuns`` runs.
struct PlanExpander {
    /// Manifest file name as shown in diagnostics.
    var file: String
    /// Absolute folder that relative csv paths start from.
    var baseDirectory: String
    /// The same folder as shown in diagnostics ("" for the working folder).
    var displayDirectory: String

    /// Loaded csv files by absolute path (nil when the file failed; its problems were reported).
    private var csvFiles: [String: CSVDataFile?] = [:]
    /// The `normalize` setting each csv file is loaded with, and where it was first used.
    private var csvNormalize: [String: (Bool, Origin)] = [:]
    /// The manifest's `defaults:` settings (to tell sphere defaults inherited by a csv experiment).
    private var defaultLayer: [ConfigKey: LocatedSetting] = [:]

    init(file: String, baseDirectory: String, displayDirectory: String) {
        self.file = file
        self.baseDirectory = baseDirectory
        self.displayDirectory = displayDirectory
    }

    /// The absolute, standardised, symlink-resolved path of a data path as written.
    static func resolve(_ path: String, baseDirectory: String) -> String {
        let base = URL(fileURLWithPath: baseDirectory, isDirectory: true)
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path, relativeTo: base)
        return url.standardizedFileURL.resolvingSymlinksInPath().path
    }

    private func displayPath(_ path: String) -> String {
        let joined = path.hasPrefix("/") || displayDirectory.isEmpty ? path : displayDirectory + "/" + path
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return (joined.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    /// The runs and the csv datasets they use (keyed by absolute path). Problems go to `sink`;
    /// runs with problems are left out (the caller throws when the sink is not empty).
    mutating func expand(
        _ document: ManifestDocument, overrides: [(key: ConfigKey, setting: LocatedSetting)],
        sink: inout DiagnosticSink
    ) -> (runs: [RunSpec], datasets: [String: Dataset]) {
        var runs: [RunSpec] = []
        var total = 0
        defaultLayer = document.defaults
        for (experimentIndex, experiment) in document.experiments.enumerated() {
            let path = "experiments[\(experimentIndex)]"
            let counts = experiment.sweep.map(\.values.count)
            var count = 1
            var overflow = false
            for c in counts {
                let (product, didOverflow) = count.multipliedReportingOverflow(by: c)
                if didOverflow || product > ManifestLimits.maxRuns {
                    overflow = true
                    break
                }
                count = product
            }
            if overflow {
                let sweepOrigin = experiment.sweep.first?.origin ?? experiment.origin
                sink.error(
                    at: sweepOrigin.with(keyPath: "\(path).sweep"),
                    "the sweep expands to more than \(ManifestLimits.maxRuns) runs (\(counts.map(String.init).joined(separator: " × ")))",
                    suggestion: "split it into several experiments or shorten the lists")
                continue
            }
            total += count
            if total > ManifestLimits.maxRuns {
                sink.error(
                    at: experiment.origin,
                    "the plan has more than \(ManifestLimits.maxRuns) runs (limit reached at this experiment)",
                    suggestion: "split the manifest")
                break
            }
            var base: [ConfigKey: LocatedSetting] = [:]
            for key in ConfigKey.allCases {
                if let value = key.builtInDefault {
                    base[key] = LocatedSetting(
                        value: value, origin: experiment.origin.with(keyPath: "\(path).\(key.rawValue)"))
                }
            }
            base.merge(document.defaults) { $1 }
            base.merge(experiment.layer) { $1 }
            var odometer = [Int](repeating: 0, count: experiment.sweep.count)
            for _ in 0..<count {
                var resolved = base
                for (axis, position) in zip(experiment.sweep, odometer) {
                    resolved[axis.key] = axis.values[position]
                }
                for (key, setting) in overrides { resolved[key] = setting }
                if let run = makeRun(resolved, experiment: experiment, index: runs.count, sink: &sink) {
                    runs.append(run)
                }
                // Advance: the last axis varies fastest.
                var axis = odometer.count - 1
                while axis >= 0 {
                    odometer[axis] += 1
                    if odometer[axis] < experiment.sweep[axis].values.count { break }
                    odometer[axis] = 0
                    axis -= 1
                }
            }
        }
        var datasets: [String: Dataset] = [:]
        for (path, loaded) in csvFiles {
            if let loaded { datasets[path] = loaded.dataset }
        }
        return (runs, datasets)
    }

    /// True when `origin` is where a built-in default of `experiment` is placed (its own position),
    /// i.e. the value was not written in the manifest nor given with `--set`.
    static func isBuiltInDefault(_ origin: Origin, of experiment: ExperimentSpec) -> Bool {
        origin.file == experiment.origin.file && origin.line == experiment.origin.line
            && origin.column == experiment.origin.column
    }

    /// One run from resolved settings, or nil after reporting why it cannot be built.
    private mutating func makeRun(
        _ resolved: [ConfigKey: LocatedSetting], experiment: ExperimentSpec, index: Int,
        sink: inout DiagnosticSink
    ) -> RunSpec? {
        var values: [ConfigKey: SettingValue] = [:]
        var valid = true
        for (key, setting) in resolved {
            if let value = setting.value { values[key] = value } else { valid = false }
        }
        func int(_ key: ConfigKey) -> Int? {
            if case .integer(let v)? = values[key] { return v }
            return nil
        }
        func seed(_ key: ConfigKey) -> UInt64? {
            if case .seed(let v)? = values[key] { return v }
            return nil
        }
        func text(_ key: ConfigKey) -> String? {
            if case .text(let v)? = values[key] { return v }
            return nil
        }
        func number(_ key: ConfigKey) -> Double? {
            if case .number(let v)? = values[key] { return v }
            return nil
        }
        func origin(_ key: ConfigKey) -> Origin {
            resolved[key]?.origin ?? experiment.origin
        }

        let source = text(.dataSource).flatMap(DataSourceKind.init(rawValue:))
        var csv: CSVDataFile?
        switch source {
        case .sphere?:
            if let d = int(.dataD), d < 2 {
                sink.error(
                    at: origin(.dataD), "a sphere dataset needs d ≥ 2 (points on S^(d-1)), found d = \(d)",
                    suggestion: "use d: 2 or more, or `source: csv`")
                valid = false
            }
        case .csv?:
            guard let setting = resolved[.dataPath] else {
                sink.error(
                    at: origin(.dataSource), "data.source is csv but data.path is not set",
                    suggestion:
                        "add e.g. `path: data/train.csv` under `data:`; paths are relative to the manifest's folder")
                return nil
            }
            guard case .text(let path)? = setting.value, case .flag(let normalize)? = values[.dataNormalize] else {
                return nil
            }
            csv = loadCSV(path, normalize: normalize, origin: setting.origin, sink: &sink)
            if csv == nil { valid = false }
        case nil:
            valid = false
        }
        if let csv {
            // data.n / data.d written for a csv source must be the file's. Not checked: the built-in
            // defaults, and `defaults:` values meant for sphere experiments (`defaults:` not csv).
            let defaultsAreCSV = defaultLayer[.dataSource]?.value == .text(DataSourceKind.csv.rawValue)
            for (key, actual, what) in [
                (ConfigKey.dataN, csv.dataset.n, "data rows"), (.dataD, csv.dataset.d, "x columns"),
            ] {
                guard let setting = resolved[key], !Self.isBuiltInDefault(setting.origin, of: experiment),
                    defaultsAreCSV || setting.origin != defaultLayer[key]?.origin,
                    case .integer(let given)? = setting.value, given != actual
                else { continue }
                sink.error(
                    at: setting.origin,
                    "\(key.rawValue) is \(given), but the csv data file has \(actual) \(what)",
                    suggestion: "remove \(key.rawValue) (a csv file decides it) or set it to \(actual)")
                valid = false
            }
            values[.dataN] = .integer(csv.dataset.n)
            values[.dataD] = .integer(csv.dataset.d)
        }
        // Held-out data: a csv test file for csv data, generated points (test_n) for sphere data;
        // the other key does not apply and is dropped.
        var testCSV: CSVDataFile?
        if source == .csv {
            values[.dataTestN] = nil
            if let setting = resolved[.dataTestPath], case .text(let testPath)? = setting.value,
                case .flag(let normalize)? = values[.dataNormalize]
            {
                testCSV = loadCSV(testPath, normalize: normalize, origin: setting.origin, sink: &sink)
                if let testCSV, let training = csv, testCSV.dataset.d != training.dataset.d {
                    sink.error(
                        at: setting.origin,
                        "the test data \(displayPath(testPath)) has d = \(testCSV.dataset.d) input columns, but the training data has d = \(training.dataset.d)",
                        suggestion: "use a test file with the header of the training file")
                    valid = false
                } else if let testCSV {
                    values[.dataTestN] = .integer(testCSV.dataset.n)
                } else {
                    valid = false
                }
            }
        } else {
            values[.dataTestPath] = nil
        }
        if let n = int(.dataN), let d = int(.dataD), let m = int(.modelWidth) {
            for (name, size) in [("n", n), ("d", d)] {
                if !TrainingMemory.fitsOneBuffer(size, m) {
                    sink.error(
                        at: origin(.modelWidth),
                        "\(name)·m = \(size)·\(m) exceeds the limit of \(ManifestLimits.maxElements) (2^31 − 1) elements",
                        suggestion: "use a smaller width or fewer \(name == "n" ? "points" : "dimensions")")
                    valid = false
                }
            }
        }
        guard valid, let source,
            let seedValue = seed(.seed), let n = int(.dataN), let d = int(.dataD),
            let labels = text(.dataLabels).flatMap(LabelKind.init(rawValue:)), let dataSeed = seed(.dataSeed),
            case .flag(let normalize)? = values[.dataNormalize],
            let activation = text(.modelActivation).flatMap(Activation.init(rawValue:)),
            let width = int(.modelWidth), let initScale = number(.modelInitScale),
            let steps = int(.trainSteps), let targetLoss = number(.trainTargetLoss),
            let logEvery = int(.trainLogEvery), let spectrumEvery = int(.trainSpectrumEvery),
            let name = experiment.name
        else { return nil }
        let learningRate: LearningRate
        switch values[.trainLearningRate] {
        case .number(let eta)?: learningRate = .fixed(eta)
        case .auto?: learningRate = .auto
        default: return nil
        }
        let path = source == .csv ? text(.dataPath) : nil
        let config = RunConfig(
            seed: seedValue,
            data: DataConfig(
                source: source, n: n, d: d, labels: labels, seed: dataSeed, path: path, normalize: normalize,
                testPath: text(.dataTestPath), testN: int(.dataTestN)),
            model: ModelConfig(activation: activation, width: width, initScale: initScale),
            train: TrainConfig(
                steps: steps, learningRate: learningRate, targetLoss: targetLoss,
                logEvery: logEvery, spectrumEvery: spectrumEvery))
        if source != .csv { values[.dataPath] = nil }
        let params = ConfigKey.sortedCases.compactMap { key in
            values[key].map { Param(key: key.rawValue, value: $0.param) }
        }
        return RunSpec(
            index: index, experiment: name,
            runKey: RunKey.compute(values, dataSHA256: csv?.sha256, testSHA256: testCSV?.sha256),
            config: config, params: params, sweptKeys: experiment.sweep.map(\.key.rawValue))
    }

    /// Loads (once per file) and validates a csv file; problems are reported at the manifest's
    /// `path:` value for a missing file, else at the file's own lines.
    private mutating func loadCSV(
        _ path: String, normalize: Bool, origin: Origin,
        sink: inout DiagnosticSink
    ) -> CSVDataFile? {
        let absolute = Self.resolve(path, baseDirectory: baseDirectory)
        if let (first, firstOrigin) = csvNormalize[absolute], first != normalize {
            sink.error(
                at: origin,
                "data file \(displayPath(path)) is used with normalize: \(normalize) here but normalize: \(first) at \(firstOrigin.keyPath) (line \(firstOrigin.line ?? 0)); one file, one setting",
                suggestion: "use the same `normalize` for every run of this file, or copy the file")
            return nil
        }
        csvNormalize[absolute] = csvNormalize[absolute] ?? (normalize, origin)
        if let cached = csvFiles[absolute] { return cached }
        let display = displayPath(path)
        let loaded: CSVDataFile?
        switch FileBytes.read(absolute, limit: ManifestLimits.maxDataFileBytes) {
        case .failure(.missing):
            sink.error(
                at: origin, "data file not found: \(display) (resolved to \(absolute))",
                suggestion: "csv paths are relative to the manifest's folder")
            loaded = nil
        case .failure(let problem):
            sink.error(at: origin, "cannot read the data file: \(problem.message)")
            loaded = nil
        case .success(let bytes):
            do {
                loaded = try CSVDataFile(bytes: bytes, displayName: display, normalize: normalize)
            } catch {
                sink.append(contentsOf: error.diagnostics)
                sink.error(at: origin, "the data file \(display) is invalid (see the errors reported for it)")
                loaded = nil
            }
        }
        csvFiles[absolute] = .some(loaded)
        return loaded
    }
}
