import ExpRegCore
import Foundation
import GRDB

extension Archive {
    /// The whole batch — provenance, runs in plan order with curves, spectra and diagnostics, gates,
    /// gate configuration and judgement (archived, or provisional while it runs) — exactly as
    /// written; nil when the archive has no such batch.
    /// - Throws: ``StoreError`` when reading fails or a stored value cannot be decoded.
    /// - Complexity: O(rows of the batch).
    public func snapshot(batchID: String) throws(StoreError) -> BatchSnapshot? {
        try read("read batch \(batchID)") { db in
            guard let batch = try BatchRow.fetchOne(db, key: batchID) else { return nil }
            let runs = try Self.runRecords(batchID: batchID, withSeries: true, db)
            let gates = try GateRow.filter(Column("batch_id") == batchID).order(Column("position")).fetchAll(db)
                .map { try $0.gate() }
            return BatchSnapshot(
                info: try batch.info(), runs: runs.map(\.record), gates: gates,
                gateConfig: try ArchiveJSON.decode(GateConfig.self, from: batch.gateConfig),
                judgement: try Self.judgement(of: batch, runs: runs, db))
        }
    }

    /// A run as read back, with its archived verdict text (nil before the batch is judged).
    struct ArchivedRun {
        var record: RunRecord
        var verdict: String?
    }

    /// The runs of a batch in plan order; `withSeries` false leaves out the curves and spectra
    /// (what a judgement reads does not need them).
    static func runRecords(batchID: String, withSeries: Bool, _ db: Database) throws -> [ArchivedRun] {
        let filter = Column("batch_id") == batchID
        let runRows = try RunRow.filter(filter).order(Column("plan_index"), Column("run_key")).fetchAll(db)
        let diagnosticRows = Dictionary(
            try DiagnosticsRow.filter(filter).fetchAll(db).map { ($0.runKey, $0) },
            uniquingKeysWith: { first, _ in first })
        var curves: [String: [MetricRow.Kind: [CurvePoint]]] = [:]
        var spectra: [String: [Spectrum]] = [:]
        if withSeries {
            for row in try MetricRow.filter(filter).order(Column("run_key"), Column("kind"), Column("seq")).fetchAll(db)
            {
                curves[row.runKey, default: [:]][row.kind, default: []].append(row.point)
            }
            for row in try SpectrumRow.filter(filter).order(Column("run_key"), Column("seq")).fetchAll(db) {
                spectra[row.runKey, default: []].append(try row.spectrum())
            }
        }
        return try runRows.map { row in
            let series = curves[row.runKey] ?? [:]
            let outcome = RunOutcome(
                status: try row.runStatus(), reason: row.reason, stepsRun: row.stepsRun,
                eta: row.eta?.value, lossInitial: row.lossInitial?.value, lossFinal: row.lossFinal?.value,
                lossCurve: series[.loss] ?? [], kernelPrediction: series[.kernelPrediction] ?? [],
                lambdaMinCurve: series[.lambdaMin] ?? [], spectra: spectra[row.runKey] ?? [],
                diagnostics: diagnosticRows[row.runKey]?.diagnostics ?? TheoryDiagnostics(),
                heldOut: diagnosticRows[row.runKey]?.heldOut ?? HeldOutErrors(),
                memoryBytes: row.memoryBytes, flops: row.flops?.value)
            let record = RunRecord(
                spec: try row.spec(), outcome: outcome,
                startedAt: Date(timeIntervalSinceReferenceDate: row.startedAt),
                wallSeconds: row.wallSeconds.value, trainingSeconds: row.trainingSeconds?.value,
                spectraSeconds: row.spectraSeconds?.value)
            return ArchivedRun(record: record, verdict: row.verdict)
        }
    }

    /// The stored plan of a batch (for `--resume`), exactly as given to ``beginBatch(_:plan:rules:)``;
    /// nil when the archive has no such batch.
    /// - Throws: ``StoreError`` when reading or decoding fails.
    public func plan(batchID: String) throws(StoreError) -> Plan? {
        try read("read the plan of batch \(batchID)") { db in
            guard
                let text = try String.fetchOne(
                    db, sql: "SELECT plan_json FROM batches WHERE id = ?",
                    arguments: [batchID])
            else { return nil }
            return try ArchiveJSON.decode(StoredPlan.self, from: text).plan
        }
    }

    /// Run keys that already have an outcome in the batch (any status: converged, completed,
    /// diverged or failed — training is deterministic, so none of them is trained again on resume).
    /// Empty for an unknown batch.
    /// - Throws: ``StoreError`` when reading fails.
    public func finishedRunKeys(batchID: String) throws(StoreError) -> Set<String> {
        try read("read the finished runs of batch \(batchID)") { db in
            Set(try String.fetchAll(db, sql: "SELECT run_key FROM runs WHERE batch_id = ?", arguments: [batchID]))
        }
    }

    /// The files recorded for a batch, sorted by path (empty for an unknown batch).
    /// - Throws: ``StoreError`` when reading fails.
    public func artifacts(batchID: String) throws(StoreError) -> [Artifact] {
        try read("read the artifacts of batch \(batchID)") { db in
            try ArtifactRow.filter(Column("batch_id") == batchID).order(Column("path")).fetchAll(db).map(\.artifact)
        }
    }

    /// Newest batch id overall, any status (`--batch latest`); nil for an empty archive.
    /// "Newest" = greatest (started_at, id).
    /// - Throws: ``StoreError`` when reading fails.
    public func latestBatchID() throws(StoreError) -> String? {
        try read("find the latest batch") { db in
            try String.fetchOne(db, sql: "SELECT id FROM batches ORDER BY started_at DESC, id DESC LIMIT 1")
        }
    }

    /// Ids of `completed` batches whose publishing did not finish (`published_at` NULL), oldest
    /// first. (An archive from before `published_at` has it backfilled by its migration: completed
    /// batches with exit code 0 or 3 count as published.)
    /// - Throws: ``StoreError`` when reading fails.
    public func unpublishedBatchIDs() throws(StoreError) -> [String] {
        try read("find unpublished batches") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM batches WHERE status = 'completed' AND published_at IS NULL ORDER BY started_at, id
                    """)
        }
    }

    /// True when the archive has a batch `id`.
    /// - Throws: ``StoreError`` when reading fails.
    public func batchExists(_ id: String) throws(StoreError) -> Bool {
        try read("look up batch \(id)") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batches WHERE id = ?", arguments: [id]) ?? 0 > 0
        }
    }

    /// Newest `completed` batch id (what `output/latest` may point at); nil when there is none.
    /// "Newest" = greatest (started_at, id).
    /// - Throws: ``StoreError`` when reading fails.
    public func latestCompletedBatchID() throws(StoreError) -> String? {
        try read("find the latest completed batch") { db in
            try String.fetchOne(
                db, sql: "SELECT id FROM batches WHERE status = 'completed' ORDER BY started_at DESC, id DESC LIMIT 1")
        }
    }

    /// The newest batch of `manifestName` that started before `batchID` and ended `completed` or
    /// `partial` (not `failed`, not `running`): the baseline of `compare_with: previous` and of the
    /// `max_regression` gate. Order: (started_at, id). Nil when there is none or `batchID` is unknown.
    /// - Throws: ``StoreError`` when reading fails.
    public func previousBatchID(before batchID: String, manifestName: String) throws(StoreError) -> String? {
        try read("find the batch before \(batchID)") { db in
            guard
                let start = try Double.fetchOne(
                    db, sql: "SELECT started_at FROM batches WHERE id = ?",
                    arguments: [batchID])
            else { return nil }
            return try String.fetchOne(
                db,
                sql: """
                    SELECT id FROM batches
                    WHERE manifest_name = ? AND status IN ('completed', 'partial') AND (started_at, id) < (?, ?)
                    ORDER BY started_at DESC, id DESC LIMIT 1
                    """, arguments: [manifestName, start, batchID])
        }
    }

    /// The batch `--resume` continues: the newest batch of `manifestName` with status `partial` or
    /// `running`. Call it while holding the ``ArchiveLock`` (then a `running` batch is one whose
    /// process died), typically after ``markInterruptedBatches()``. Nil when there is none.
    /// - Throws: ``StoreError`` when reading fails.
    public func resumableBatchID(manifestName: String) throws(StoreError) -> String? {
        try read("find a batch of \(manifestName) to resume") { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT id FROM batches WHERE manifest_name = ? AND status IN ('partial', 'running')
                    ORDER BY started_at DESC, id DESC LIMIT 1
                    """, arguments: [manifestName])
        }
    }
}
