import ExpRegCore
import Foundation
import GRDB

/// A row of `runs`: what a run asked for (spec) and its scalar outcome.
struct RunRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "runs"

    var batchID: String
    var runKey: String
    var planIndex: Int
    var experiment: String
    /// `RunConfig` JSON.
    var configJSON: String
    /// JSON array of ``StoredParam``.
    var paramsJSON: String
    /// JSON array of dotted keys.
    var sweptKeys: String
    var status: String
    var reason: String?
    var stepsRun: Int
    var eta: ArchivedDouble?
    var lossInitial: ArchivedDouble?
    var lossFinal: ArchivedDouble?
    /// Seconds since 2001-01-01T00:00:00Z.
    var startedAt: Double
    var wallSeconds: ArchivedDouble
    /// Added by `v2-width-cost`; written with the batch's judgement (NULL until the batch is judged).
    var verdict: String?
    var memoryBytes: Int?
    var flops: ArchivedDouble?
    var trainingSeconds: ArchivedDouble?
    var spectraSeconds: ArchivedDouble?

    enum CodingKeys: String, CodingKey {
        case experiment, status, reason, eta
        case batchID = "batch_id"
        case runKey = "run_key"
        case planIndex = "plan_index"
        case configJSON = "config_json"
        case paramsJSON = "params_json"
        case sweptKeys = "swept_keys"
        case stepsRun = "steps_run"
        case lossInitial = "loss_initial"
        case lossFinal = "loss_final"
        case startedAt = "started_at"
        case wallSeconds = "wall_seconds"
        case verdict, flops
        case memoryBytes = "memory_bytes"
        case trainingSeconds = "training_seconds"
        case spectraSeconds = "spectra_seconds"
    }

    init(record: RunRecord, batchID: String) throws {
        let spec = record.spec
        let outcome = record.outcome
        self.batchID = batchID
        runKey = spec.runKey
        planIndex = spec.index
        experiment = spec.experiment
        configJSON = try ArchiveJSON.encode(spec.config)
        paramsJSON = try ArchiveJSON.encode(spec.params.map(StoredParam.init))
        sweptKeys = try ArchiveJSON.encode(spec.sweptKeys)
        status = outcome.status.rawValue
        reason = outcome.reason
        stepsRun = outcome.stepsRun
        eta = ArchivedDouble.wrap(outcome.eta)
        lossInitial = ArchivedDouble.wrap(outcome.lossInitial)
        lossFinal = ArchivedDouble.wrap(outcome.lossFinal)
        startedAt = record.startedAt.timeIntervalSinceReferenceDate
        wallSeconds = ArchivedDouble(record.wallSeconds)
        verdict = nil
        memoryBytes = outcome.memoryBytes
        flops = ArchivedDouble.wrap(outcome.flops)
        trainingSeconds = ArchivedDouble.wrap(record.trainingSeconds)
        spectraSeconds = ArchivedDouble.wrap(record.spectraSeconds)
    }

    /// The run's spec as the Core type.
    /// - Throws: `DecodingError` when a JSON column cannot be read.
    func spec() throws -> RunSpec {
        RunSpec(
            index: planIndex, experiment: experiment, runKey: runKey,
            config: try ArchiveJSON.decode(RunConfig.self, from: configJSON),
            params: try ArchiveJSON.decode([StoredParam].self, from: paramsJSON).map(\.param),
            sweptKeys: try ArchiveJSON.decode([String].self, from: sweptKeys))
    }

    /// The run's status as the Core type.
    func runStatus() throws -> RunStatus {
        guard let value = RunStatus(rawValue: status) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown run status '\(status)'"))
        }
        return value
    }
}
