import ExpRegCore
import GRDB

/// A row of `diagnostics`: one column per ``DiagnosticField`` (the column is the field's name;
/// REAL values as ``ArchivedDouble``, counts as INTEGER, flags as 0/1) and per `HeldOutErrors`
/// field (NULL = not computed). The diagnostic columns are coded by iterating the field list, so
/// a diagnostic added in Core needs only its migration here.
struct DiagnosticsRow: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "diagnostics"

    var batchID: String
    var runKey: String
    var diagnostics: TheoryDiagnostics
    var heldOut: HeldOutErrors

    /// The held-out columns (`v2-heldout`).
    enum HeldOutColumn: String, CaseIterable {
        case trainMSE = "train_mse"
        case testMSE = "test_mse"
        case kernelTestMSE = "kernel_test_mse"
        case ntkTestMSE = "ntk_test_mse"
    }

    init(_ d: TheoryDiagnostics, heldOut: HeldOutErrors, batchID: String, runKey: String) {
        self.batchID = batchID
        self.runKey = runKey
        diagnostics = d
        self.heldOut = heldOut
    }

    init(row: Row) throws {
        batchID = row["batch_id"]
        runKey = row["run_key"]
        diagnostics = TheoryDiagnostics()
        for field in DiagnosticField.allCases {
            let value: DatabaseValue = row[field.rawValue]
            switch field.kind {
            case .real: diagnostics[field] = .real(ArchivedDouble.fromDatabaseValue(value)?.value)
            case .count: diagnostics[field] = .count(Int.fromDatabaseValue(value))
            case .flag: diagnostics[field] = .flag(Bool.fromDatabaseValue(value))
            }
        }
        func real(_ column: HeldOutColumn) -> Double? { ArchivedDouble.fromDatabaseValue(row[column.rawValue])?.value }
        heldOut = HeldOutErrors(
            trainMSE: real(.trainMSE), testMSE: real(.testMSE), kernelTestMSE: real(.kernelTestMSE),
            ntkTestMSE: real(.ntkTestMSE), note: row["heldout_note"])
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["batch_id"] = batchID
        container["run_key"] = runKey
        for field in DiagnosticField.allCases {
            switch diagnostics[field] {
            case .real(let value): container[field.rawValue] = ArchivedDouble.wrap(value)
            case .count(let value): container[field.rawValue] = value
            case .flag(let value): container[field.rawValue] = value
            }
        }
        container[HeldOutColumn.trainMSE.rawValue] = ArchivedDouble.wrap(heldOut.trainMSE)
        container[HeldOutColumn.testMSE.rawValue] = ArchivedDouble.wrap(heldOut.testMSE)
        container[HeldOutColumn.kernelTestMSE.rawValue] = ArchivedDouble.wrap(heldOut.kernelTestMSE)
        container[HeldOutColumn.ntkTestMSE.rawValue] = ArchivedDouble.wrap(heldOut.ntkTestMSE)
        container["heldout_note"] = heldOut.note
    }
}
