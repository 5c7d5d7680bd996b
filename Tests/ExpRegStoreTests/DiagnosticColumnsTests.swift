import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

@testable import ExpRegStore

/// The diagnostics field list is declared once in Core (``DiagnosticField``); the archive's columns
/// are the migrations' SQL, so this checks that the two agree and that every field round-trips.
@Suite("Archive: the diagnostics columns are Core's field list")
struct DiagnosticColumnsTests {
    @Test("every DiagnosticField has its column in `diagnostics`, of its kind")
    func columnsMatchTheFieldList() throws {
        let fixture = ArchiveFixture()
        _ = try fixture.open()
        let columns = try DatabaseQueue(path: fixture.path).read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(diagnostics)").map {
                ($0["name"] as String, $0["type"] as String)
            }
        }
        let types = Dictionary(columns, uniquingKeysWith: { a, _ in a })
        for field in DiagnosticField.allCases {
            #expect(types[field.rawValue] == (field.kind == .real ? "REAL" : "INTEGER"), "\(field.rawValue)")
        }
    }

    @Test("each field round-trips through the archive on its own, NaN and ±infinity included")
    func everyFieldRoundTrips() throws {
        let fixture = ArchiveFixture()
        let archive = try fixture.open()
        let plan = StoreSamples.plan(runs: 1)
        try archive.beginBatch(StoreSamples.info(id: "b", planned: 1), plan: plan)
        for (i, field) in DiagnosticField.allCases.enumerated() {
            var run = StoreSamples.record(plan.runs[0])
            run.outcome.diagnostics = TheoryDiagnostics()
            switch field.kind {
            case .real: run.outcome.diagnostics[field] = .real([.nan, .infinity, -0.5, 1e-300][i % 4])
            case .count: run.outcome.diagnostics[field] = .count(7)
            case .flag: run.outcome.diagnostics[field] = .flag(false)
            }
            try archive.recordRun(run, batchID: "b")
            let read = try #require(try archive.snapshot(batchID: "b")?.runs.first).outcome.diagnostics
            for other in DiagnosticField.allCases {
                let expected = run.outcome.diagnostics[other]
                if case .real(let v) = expected, let v, v.isNaN {
                    guard case .real(let r) = read[other], let r, r.isNaN else {
                        Issue.record("\(field.rawValue): NaN lost")
                        continue
                    }
                } else {
                    #expect(read[other] == expected, "\(field.rawValue) set, \(other.rawValue) read")
                }
            }
        }
    }
}
