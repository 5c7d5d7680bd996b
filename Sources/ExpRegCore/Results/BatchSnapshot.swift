import struct Foundation.Date

/// Status of a whole batch.
public enum BatchStatus: String, Sendable, Codable, CaseIterable {
    /// Training in progress (or the process died: an archive left `running` by a dead process is partial).
    case running
    /// Every run of the plan has an outcome.
    case completed
    /// Interrupted (signal, crash); `--resume` continues it.
    case partial
    /// The batch could not go on (I/O failure).
    case failed
}

/// Provenance and state of one batch (one `expreg run`).
public struct BatchInfo: Sendable, Equatable, Codable {
    /// `<UTC start>-<manifest name>`, e.g. `20261129T043000Z-nightly-exp`.
    public var id: String
    public var manifestName: String
    public var title: String?
    /// Manifest file path as given on the command line.
    public var manifestPath: String
    /// The manifest's full text and its SHA-256 (hex).
    public var manifestText: String
    public var manifestSHA256: String
    public var toolVersion: String
    /// git commit of the tool's checkout, when known.
    public var gitCommit: String?
    public var host: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: BatchStatus
    public var exitCode: Int?
    /// `--set KEY=VALUE` overrides, as given.
    public var overrides: [String]
    /// Number of runs in the plan.
    public var plannedRuns: Int
    /// The kernel path every run of the batch used (`avx512`, `avx2`, `generic`); nil for batches
    /// archived before it was recorded. Results are bitwise comparable only on one path.
    public var kernelPath: String?
    /// The CPU (`model name` of /proc/cpuinfo), when known.
    public var cpuModel: String?
    /// OpenBLAS's core type (`openblas_get_corename`, e.g. `SkylakeX`), when known.
    public var blasCore: String?

    public init(
        id: String, manifestName: String, title: String?, manifestPath: String, manifestText: String,
        manifestSHA256: String, toolVersion: String, gitCommit: String?, host: String, startedAt: Date,
        finishedAt: Date? = nil, status: BatchStatus = .running, exitCode: Int? = nil,
        overrides: [String] = [], plannedRuns: Int, kernelPath: String? = nil, cpuModel: String? = nil,
        blasCore: String? = nil
    ) {
        self.id = id
        self.manifestName = manifestName
        self.title = title
        self.manifestPath = manifestPath
        self.manifestText = manifestText
        self.manifestSHA256 = manifestSHA256
        self.toolVersion = toolVersion
        self.gitCommit = gitCommit
        self.host = host
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.exitCode = exitCode
        self.overrides = overrides
        self.plannedRuns = plannedRuns
        self.kernelPath = kernelPath
        self.cpuModel = cpuModel
        self.blasCore = blasCore
    }
}

/// One archived run: what was asked (spec), what happened (outcome), and when.
public struct RunRecord: Sendable, Equatable, Codable {
    public var spec: RunSpec
    public var outcome: RunOutcome
    public var startedAt: Date
    public var wallSeconds: Double
    /// The part of `wallSeconds` spent in GD steps and in the spectra (H*, H(W) builds and their
    /// eigen-solves); nil when not measured (runs archived before they were recorded).
    public var trainingSeconds: Double?
    public var spectraSeconds: Double?

    public init(
        spec: RunSpec, outcome: RunOutcome, startedAt: Date, wallSeconds: Double,
        trainingSeconds: Double? = nil, spectraSeconds: Double? = nil
    ) {
        self.spec = spec
        self.outcome = outcome
        self.startedAt = startedAt
        self.wallSeconds = wallSeconds
        self.trainingSeconds = trainingSeconds
        self.spectraSeconds = spectraSeconds
    }

    public var status: RunStatus { outcome.status }
}

/// Outcome of one gate of the manifest.
public struct GateResult: Sendable, Equatable, Codable {
    /// Which gate (its manifest key: `max_final_loss`, `max_diverged`, `max_regression`).
    public var name: GateConfig.Name
    public var passed: Bool
    /// Human-readable detail in English, e.g. "2 of 24 runs above 1e-4".
    public var detail: String
    /// Run keys that breached the gate.
    public var offendingRunKeys: [String]

    public init(name: GateConfig.Name, passed: Bool, detail: String, offendingRunKeys: [String] = []) {
        self.name = name
        self.passed = passed
        self.detail = detail
        self.offendingRunKeys = offendingRunKeys
    }
}

/// A batch with all its runs, gate results and judgement, as read back from the archive: what
/// every report, figure, results.json and webhook reads.
public struct BatchSnapshot: Sendable, Equatable {
    public var info: BatchInfo
    /// Runs in plan order.
    public var runs: [RunRecord]
    public var gates: [GateResult]
    public var gateConfig: GateConfig
    /// The batch's archived judgement (verdicts, width analysis, projection and cost), or a
    /// provisional one while the batch runs.
    public var judgement: BatchJudgement

    public init(
        info: BatchInfo, runs: [RunRecord], gates: [GateResult], gateConfig: GateConfig, judgement: BatchJudgement
    ) {
        self.info = info
        self.runs = runs
        self.gates = gates
        self.gateConfig = gateConfig
        self.judgement = judgement
    }
}
