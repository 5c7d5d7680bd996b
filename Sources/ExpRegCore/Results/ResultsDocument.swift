import Foundation

/// The `results.json` document (schema_version 2, see docs/results-json.md), built from an archived batch.
/// Version 2 adds per run `train_mse`, `test_mse`, `kernel_test_mse` and `ntk_test_mse`, and
/// `batch.kernel_path`, `batch.cpu_model` and `batch.blas_core` (null when not computed or unknown),
/// per run the verdict and cost fields, and the batch-level `analysis`.
///
/// Numbers are JSON numbers; a diagnostic that could not be computed is `null`. `params` holds every
/// resolved key of the run, dotted. Encoding is deterministic (sorted keys, fixed date format).
public struct ResultsDocument: Sendable, Equatable, Codable {
    public static let schemaVersion = 2

    public struct Batch: Sendable, Equatable, Codable {
        public var id: String
        public var manifestName: String
        public var manifestSHA256: String
        public var startedAt: String
        public var finishedAt: String?
        public var status: String
        public var toolVersion: String
        public var host: String
        public var gitCommit: String?
        public var overrides: [String]
        /// The kernel path of the batch's runs, the CPU model and OpenBLAS's core type (null when unknown).
        public var kernelPath: String?
        public var cpuModel: String?
        public var blasCore: String?

        enum CodingKeys: String, CodingKey {
            case id, status, host, overrides
            case manifestName = "manifest_name"
            case manifestSHA256 = "manifest_sha256"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case toolVersion = "tool_version"
            case gitCommit = "git_commit"
            case kernelPath = "kernel_path"
            case cpuModel = "cpu_model"
            case blasCore = "blas_core"
        }

        // As synthesised, except that the compute provenance is always present (null when unknown).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(manifestName, forKey: .manifestName)
            try c.encode(manifestSHA256, forKey: .manifestSHA256)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
            try c.encode(status, forKey: .status)
            try c.encode(toolVersion, forKey: .toolVersion)
            try c.encode(host, forKey: .host)
            try c.encodeIfPresent(gitCommit, forKey: .gitCommit)
            try c.encode(overrides, forKey: .overrides)
            try c.encode(kernelPath, forKey: .kernelPath)
            try c.encode(cpuModel, forKey: .cpuModel)
            try c.encode(blasCore, forKey: .blasCore)
        }
    }

    public struct Run: Sendable, Equatable, Codable {
        public var runKey: String
        public var experiment: String
        public var params: [String: ParamValue]
        public var status: String
        public var stepsRun: Int
        public var eta: Double?
        public var lossInitial: Double?
        public var lossFinal: Double?
        /// [[step, loss], ...]
        public var lossCurve: [[Double]]
        /// The run's ``TheoryDiagnostics`` (non-finite values as null), one key per
        /// ``DiagnosticField`` at the run's top level (`lambda_star`, …, `max_preactivation`).
        public var diagnostics: TheoryDiagnostics
        /// (1/n) Σ (F(W(T), x_i) − y_i)² on the training points.
        public var trainMSE: Double?
        /// Held-out MSE of the trained network; null without a test set.
        public var testMSE: Double?
        /// Held-out MSE of the kernel-regime limit from this run's W(0); null without a test set.
        public var kernelTestMSE: Double?
        /// Held-out MSE of the NTK interpolant H*(x, X) H*⁻¹ y; null without a test set.
        public var ntkTestMSE: Double?
        public var wallSeconds: Double
        public var error: String?
        /// ``RunVerdict`` raw value, as archived with the batch's judgement.
        public var verdict: String?
        /// Working set bytes (``TrainingMemory``) and flops by formula (``TrainingFlops``).
        public var memoryBytes: Int?
        public var flops: Double?
        /// Wall time in GD steps and in spectra (their sum is at most `wall_seconds`).
        public var trainingSeconds: Double?
        public var spectraSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case experiment, params, status, eta, error
            case runKey = "run_key"
            case stepsRun = "steps_run"
            case lossInitial = "loss_initial"
            case lossFinal = "loss_final"
            case lossCurve = "loss_curve"
            case wallSeconds = "wall_seconds"
            case trainMSE = "train_mse"
            case testMSE = "test_mse"
            case kernelTestMSE = "kernel_test_mse"
            case ntkTestMSE = "ntk_test_mse"
            case verdict, flops
            case memoryBytes = "memory_bytes"
            case trainingSeconds = "training_seconds"
            case spectraSeconds = "spectra_seconds"
        }

        // Encode optionals as explicit nulls so every field of the contract is always present; the
        // diagnostics go into the same object, one key per field.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(runKey, forKey: .runKey)
            try c.encode(experiment, forKey: .experiment)
            try c.encode(params, forKey: .params)
            try c.encode(status, forKey: .status)
            try c.encode(stepsRun, forKey: .stepsRun)
            try c.encode(eta, forKey: .eta)
            try c.encode(lossInitial, forKey: .lossInitial)
            try c.encode(lossFinal, forKey: .lossFinal)
            try c.encode(lossCurve, forKey: .lossCurve)
            try diagnostics.encode(to: encoder)
            try c.encode(trainMSE, forKey: .trainMSE)
            try c.encode(testMSE, forKey: .testMSE)
            try c.encode(kernelTestMSE, forKey: .kernelTestMSE)
            try c.encode(ntkTestMSE, forKey: .ntkTestMSE)
            try c.encode(wallSeconds, forKey: .wallSeconds)
            try c.encode(error, forKey: .error)
            try c.encode(verdict, forKey: .verdict)
            try c.encode(memoryBytes, forKey: .memoryBytes)
            try c.encode(flops, forKey: .flops)
            try c.encode(trainingSeconds, forKey: .trainingSeconds)
            try c.encode(spectraSeconds, forKey: .spectraSeconds)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            runKey = try c.decode(String.self, forKey: .runKey)
            experiment = try c.decode(String.self, forKey: .experiment)
            params = try c.decode([String: ParamValue].self, forKey: .params)
            status = try c.decode(String.self, forKey: .status)
            stepsRun = try c.decode(Int.self, forKey: .stepsRun)
            eta = try c.decodeIfPresent(Double.self, forKey: .eta)
            lossInitial = try c.decodeIfPresent(Double.self, forKey: .lossInitial)
            lossFinal = try c.decodeIfPresent(Double.self, forKey: .lossFinal)
            lossCurve = try c.decode([[Double]].self, forKey: .lossCurve)
            diagnostics = try TheoryDiagnostics(from: decoder)
            trainMSE = try c.decodeIfPresent(Double.self, forKey: .trainMSE)
            testMSE = try c.decodeIfPresent(Double.self, forKey: .testMSE)
            kernelTestMSE = try c.decodeIfPresent(Double.self, forKey: .kernelTestMSE)
            ntkTestMSE = try c.decodeIfPresent(Double.self, forKey: .ntkTestMSE)
            wallSeconds = try c.decode(Double.self, forKey: .wallSeconds)
            error = try c.decodeIfPresent(String.self, forKey: .error)
            verdict = try c.decodeIfPresent(String.self, forKey: .verdict)
            memoryBytes = try c.decodeIfPresent(Int.self, forKey: .memoryBytes)
            flops = try c.decodeIfPresent(Double.self, forKey: .flops)
            trainingSeconds = try c.decodeIfPresent(Double.self, forKey: .trainingSeconds)
            spectraSeconds = try c.decodeIfPresent(Double.self, forKey: .spectraSeconds)
        }

        init(record: RunRecord, verdict: RunVerdict?) {
            let o = record.outcome
            runKey = record.spec.runKey
            experiment = record.spec.experiment
            params = Dictionary(record.spec.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            status = o.status.rawValue
            stepsRun = o.stepsRun
            eta = finite(o.eta)
            lossInitial = finite(o.lossInitial)
            lossFinal = finite(o.lossFinal)
            lossCurve = o.lossCurve.filter { $0.value.isFinite }.map { [Double($0.step), $0.value] }
            diagnostics = o.diagnostics.finite
            trainMSE = finite(o.heldOut.trainMSE)
            testMSE = finite(o.heldOut.testMSE)
            kernelTestMSE = finite(o.heldOut.kernelTestMSE)
            ntkTestMSE = finite(o.heldOut.ntkTestMSE)
            wallSeconds = record.wallSeconds
            error = o.reason
            self.verdict = verdict?.rawValue
            memoryBytes = o.memoryBytes
            flops = finite(o.flops)
            trainingSeconds = finite(record.trainingSeconds)
            spectraSeconds = finite(record.spectraSeconds)
        }
    }

    public struct Gate: Sendable, Equatable, Codable {
        public var name: GateConfig.Name
        public var passed: Bool
        public var detail: String
    }

    public var schemaVersion: Int
    public var batch: Batch
    public var runs: [Run]
    public var gates: [Gate]
    /// The width analysis of the batch (``WidthScaling``), as archived with its judgement.
    public var analysis: WidthScaling

    enum CodingKeys: String, CodingKey {
        case batch, runs, gates, analysis
        case schemaVersion = "schema_version"
    }

    /// Builds the document of an archived batch (runs in plan order) from its runs and its archived
    /// judgement (verdicts and analysis): nothing is judged here.
    public init(snapshot: BatchSnapshot) {
        let info = snapshot.info
        schemaVersion = Self.schemaVersion
        batch = Batch(
            id: info.id, manifestName: info.manifestName, manifestSHA256: info.manifestSHA256,
            startedAt: Self.timestamp(info.startedAt), finishedAt: info.finishedAt.map(Self.timestamp),
            status: info.status.rawValue, toolVersion: info.toolVersion, host: info.host,
            gitCommit: info.gitCommit, overrides: info.overrides, kernelPath: info.kernelPath,
            cpuModel: info.cpuModel, blasCore: info.blasCore)
        runs = snapshot.runs.map { Run(record: $0, verdict: snapshot.judgement.verdict(of: $0)) }
        analysis = snapshot.judgement.analysis
        gates = snapshot.gates.map { Gate(name: $0.name, passed: $0.passed, detail: $0.detail) }
    }

    /// Deterministic UTF-8 JSON: sorted keys, pretty-printed, no escaped slashes, trailing newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// ISO-8601 UTC with seconds, e.g. `2026-11-29T04:30:00Z`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// The value when it is finite, else nil (JSON has no NaN/Inf; results never report them).
func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}
