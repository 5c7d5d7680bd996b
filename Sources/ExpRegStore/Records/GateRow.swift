import ExpRegCore
import GRDB

/// A row of `gates`: one gate result of a batch, at its position in evaluation order.
struct GateRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "gates"

    var batchID: String
    var name: String
    var position: Int
    var passed: Bool
    var detail: String
    /// JSON array of offending run keys.
    var offending: String

    enum CodingKeys: String, CodingKey {
        case name, position, passed, detail, offending
        case batchID = "batch_id"
    }

    init(_ gate: GateResult, position: Int, batchID: String) throws {
        self.batchID = batchID
        name = gate.name.rawValue
        self.position = position
        passed = gate.passed
        detail = gate.detail
        offending = try ArchiveJSON.encode(gate.offendingRunKeys)
    }

    /// - Throws: `DecodingError` for a gate name this build does not know or unreadable JSON.
    func gate() throws -> GateResult {
        guard let gate = GateConfig.Name(rawValue: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown gate '\(name)'"))
        }
        return GateResult(
            name: gate, passed: passed, detail: detail,
            offendingRunKeys: try ArchiveJSON.decode([String].self, from: offending))
    }
}
