import ExpRegCore
import Foundation
import GRDB

/// A row of `batches`: a batch's provenance, state, plan and gate configuration.
struct BatchRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "batches"

    var id: String
    var manifestName: String
    var title: String?
    var manifestPath: String
    var manifestText: String
    var manifestSHA256: String
    var toolVersion: String
    var gitCommit: String?
    var host: String
    /// Seconds since 2001-01-01T00:00:00Z.
    var startedAt: Double
    var finishedAt: Double?
    var status: String
    var exitCode: Int?
    /// JSON array of `KEY=VALUE` strings.
    var overrides: String
    var plannedRuns: Int
    /// ``StoredPlan`` JSON.
    var planJSON: String
    /// `GateConfig` JSON.
    var gateConfig: String
    /// Compute provenance (schema v2, NULL in older rows): kernel path, CPU model, OpenBLAS core.
    var kernelPath: String?
    var cpuModel: String?
    var blasCore: String?
    /// ``JudgementRules`` JSON (`v3-judgements`): the rules the batch is judged by.
    var judgementRules: String
    /// When the batch's judgement was recorded (seconds since 2001-01-01T00:00:00Z); nil until then.
    var judgedAt: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, host, status, overrides
        case manifestName = "manifest_name"
        case manifestPath = "manifest_path"
        case manifestText = "manifest_text"
        case manifestSHA256 = "manifest_sha256"
        case toolVersion = "tool_version"
        case gitCommit = "git_commit"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case exitCode = "exit_code"
        case plannedRuns = "planned_runs"
        case planJSON = "plan_json"
        case gateConfig = "gate_config"
        case kernelPath = "kernel_path"
        case cpuModel = "cpu_model"
        case blasCore = "blas_core"
        case judgementRules = "judgement_rules"
        case judgedAt = "judged_at"
    }

    /// A request for the batches' provenance without the (large) plan JSON: `plan_json` and
    /// `gate_config` are read as `'{}'`. For listings, which only need ``info()``.
    static func withoutPlan() -> QueryInterfaceRequest<BatchRow> {
        let skipped: Set<CodingKeys> = [.planJSON, .gateConfig]
        let columns: [any SQLSelectable] = CodingKeys.allCases.map { key in
            skipped.contains(key)
                ? SQL(sql: "'{}' AS \(key.rawValue)") as any SQLSelectable : Column(key.rawValue)
        }
        return BatchRow.select(columns)
    }

    init(info: BatchInfo, plan: Plan, rules: JudgementRules) throws {
        id = info.id
        manifestName = info.manifestName
        title = info.title
        manifestPath = info.manifestPath
        manifestText = info.manifestText
        manifestSHA256 = info.manifestSHA256
        toolVersion = info.toolVersion
        gitCommit = info.gitCommit
        host = info.host
        startedAt = info.startedAt.timeIntervalSinceReferenceDate
        finishedAt = info.finishedAt?.timeIntervalSinceReferenceDate
        status = info.status.rawValue
        exitCode = info.exitCode
        overrides = try ArchiveJSON.encode(info.overrides)
        plannedRuns = info.plannedRuns
        planJSON = try ArchiveJSON.encode(StoredPlan(plan))
        gateConfig = try ArchiveJSON.encode(plan.gates)
        kernelPath = info.kernelPath
        cpuModel = info.cpuModel
        blasCore = info.blasCore
        judgementRules = try ArchiveJSON.encode(rules)
        judgedAt = nil
    }

    /// The rules the batch is judged by.
    /// - Throws: `DecodingError` when the JSON cannot be read.
    func rules() throws -> JudgementRules { try ArchiveJSON.decode(JudgementRules.self, from: judgementRules) }

    /// The provenance and state as the Core type.
    /// - Throws: `DecodingError` when the status or the overrides JSON cannot be read.
    func info() throws -> BatchInfo {
        guard let status = BatchStatus(rawValue: status) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "unknown batch status '\(status)'"))
        }
        return BatchInfo(
            id: id, manifestName: manifestName, title: title, manifestPath: manifestPath,
            manifestText: manifestText, manifestSHA256: manifestSHA256, toolVersion: toolVersion,
            gitCommit: gitCommit, host: host, startedAt: Date(timeIntervalSinceReferenceDate: startedAt),
            finishedAt: finishedAt.map(Date.init(timeIntervalSinceReferenceDate:)), status: status,
            exitCode: exitCode, overrides: try ArchiveJSON.decode([String].self, from: overrides),
            plannedRuns: plannedRuns, kernelPath: kernelPath, cpuModel: cpuModel, blasCore: blasCore)
    }
}
