import ExpRegCore
import Foundation
import GRDB

extension Archive {
    /// Records a new batch: provenance, the plan as JSON (for `--resume`), the gate configuration,
    /// and the rules the batch will be judged by (``JudgementRules/current`` unless given).
    ///
    /// The status, end time and exit code are stored as given in `info` (normally `running`, nil, nil;
    /// ``finishBatch(id:status:finishedAt:exitCode:)`` sets them at the end).
    /// - Throws: ``StoreError`` when a batch with this id already exists or the write fails.
    public func beginBatch(_ info: BatchInfo, plan: Plan, rules: JudgementRules = .current) throws(StoreError) {
        try write("begin batch \(info.id)") { db in
            if try BatchRow.exists(db, key: info.id) {
                throw StoreError(
                    "archive \(path) already has a batch \(info.id); batch ids are `<UTC start>-<name>`, "
                        + "so wait a second and start again, or continue it with --resume")
            }
            try BatchRow(info: info, plan: plan, rules: rules).insert(db)
        }
    }

    /// Stores one finished run — outcome, loss / kernel-prediction / lambda_min curves, spectra and
    /// diagnostics — in ONE transaction: either all of it is committed or nothing is.
    ///
    /// A run of the same run_key already recorded in this batch is replaced (with all its series)
    /// in the same transaction, so retrying a run never leaves two versions.
    /// - Throws: ``StoreError`` (kind ``StoreError/Kind/unknownBatch``) when the batch does not exist;
    ///   ``StoreError`` when the write fails (nothing of this run is then stored).
    /// - Complexity: O(points + n · spectra) rows/bytes written.
    public func recordRun(_ record: RunRecord, batchID: String) throws(StoreError) {
        let runKey = record.spec.runKey
        try write("record run \(runKey) of batch \(batchID)") { db in
            try requireBatch(batchID, db)
            try RunRow.deleteOne(db, key: ["batch_id": batchID, "run_key": runKey])  // cascades
            try RunRow(record: record, batchID: batchID).insert(db)
            let outcome = record.outcome
            try DiagnosticsRow(outcome.diagnostics, heldOut: outcome.heldOut, batchID: batchID, runKey: runKey).insert(
                db)
            let series: [(MetricRow.Kind, [CurvePoint])] = [
                (.loss, outcome.lossCurve), (.kernelPrediction, outcome.kernelPrediction),
                (.lambdaMin, outcome.lambdaMinCurve),
            ]
            for (kind, curve) in series {
                for row in MetricRow.rows(curve, kind: kind, batchID: batchID, runKey: runKey) {
                    try row.insert(db)
                }
            }
            for (seq, spectrum) in outcome.spectra.enumerated() {
                try SpectrumRow(spectrum, seq: seq, batchID: batchID, runKey: runKey).insert(db)
            }
        }
    }

    /// Replaces the batch's gate results (kept in the given order).
    /// - Throws: ``StoreError`` when the batch does not exist, two gates share a name, or the write fails.
    public func recordGates(_ gates: [GateResult], batchID: String) throws(StoreError) {
        try write("record the gates of batch \(batchID)") { db in
            try requireBatch(batchID, db)
            try GateRow.filter(Column("batch_id") == batchID).deleteAll(db)
            for (position, gate) in gates.enumerated() {
                try GateRow(gate, position: position, batchID: batchID).insert(db)
            }
        }
    }

    /// Records written files (path relative to the batch folder + SHA-256 hex + size); a path
    /// recorded before is replaced (e.g. a report rebuilt by `expreg report`).
    /// - Throws: ``StoreError`` when the batch does not exist or the write fails.
    package func recordArtifacts(_ artifacts: [Artifact], batchID: String) throws(StoreError) {
        try write("record the artifacts of batch \(batchID)") { db in
            try requireBatch(batchID, db)
            for artifact in artifacts {
                try ArtifactRow(artifact, batchID: batchID).insert(db, onConflict: .replace)
            }
        }
    }

    /// Records the files written for a batch and, in the same transaction, that the batch is
    /// published (`published_at`): call it once every file is in place. `publishedAt` nil records
    /// the artifacts only (a running or partial batch's report is not a publication).
    /// - Throws: ``StoreError`` when the batch does not exist or the write fails.
    public func recordPublication(_ artifacts: [Artifact], batchID: String, publishedAt: Date?) throws(StoreError) {
        try write("record the publication of batch \(batchID)") { db in
            try requireBatch(batchID, db)
            for artifact in artifacts {
                try ArtifactRow(artifact, batchID: batchID).insert(db, onConflict: .replace)
            }
            if let publishedAt {
                try db.execute(
                    sql: "UPDATE batches SET published_at = ? WHERE id = ?",
                    arguments: [publishedAt.timeIntervalSinceReferenceDate, batchID])
            }
        }
    }

    /// Sets the batch's final status, end time and exit code and, in the same transaction, judges
    /// the batch under its recorded rules and archives the judgement (a shard batch is not judged:
    /// its merged batch is; see ``judgeUnjudgedBatches()`` for the one place judgements are made).
    /// A `running` status records no judgement.
    /// - Throws: ``StoreError`` (kind ``StoreError/Kind/unknownBatch``) when the batch does not exist.
    public func finishBatch(id: String, status: BatchStatus, finishedAt: Date, exitCode: Int) throws(StoreError) {
        try write("finish batch \(id)") { db in
            try db.execute(
                sql: "UPDATE batches SET status = ?, finished_at = ?, exit_code = ? WHERE id = ?",
                arguments: [status.rawValue, finishedAt.timeIntervalSinceReferenceDate, exitCode, id])
            if db.changesCount == 0 { throw unknownBatch(id) }
            if status != .running { try Self.judgeAndRecord(batchID: id, db) }
        }
    }

    /// Reopens a batch for `--resume`: status back to `running`, end time and exit code cleared, so a
    /// crash during the resumed run leaves it `running` (then `partial` again at the next
    /// ``markInterruptedBatches()``). Its recorded runs are kept.
    /// - Throws: ``StoreError`` (kind ``StoreError/Kind/unknownBatch``) when the batch does not exist.
    public func resumeBatch(id: String) throws(StoreError) {
        try write("reopen batch \(id) for --resume") { db in
            try db.execute(
                sql: "UPDATE batches SET status = 'running', finished_at = NULL, exit_code = NULL WHERE id = ?",
                arguments: [id])
            if db.changesCount == 0 { throw unknownBatch(id) }
            try Self.clearJudgement(batchID: id, db)
        }
    }

    /// Turns every `running` batch into `partial`, judging each (as ``finishBatch(id:status:finishedAt:exitCode:)``
    /// does), and returns their ids (oldest first).
    ///
    /// Call it while holding the ``ArchiveLock``: no live `expreg run` then writes to the archive,
    /// so a batch still `running` belongs to a process that died (crash, kill, power loss).
    /// - Throws: ``StoreError`` when the write fails.
    @discardableResult
    public func markInterruptedBatches() throws(StoreError) -> [String] {
        try write("mark interrupted batches as partial") { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM batches WHERE status = 'running' ORDER BY started_at, id")
            try db.execute(sql: "UPDATE batches SET status = 'partial' WHERE status = 'running'")
            for id in ids { try Self.judgeAndRecord(batchID: id, db) }
            return ids
        }
    }

    // MARK: - Helpers

    func requireBatch(_ id: String, _ db: Database) throws {
        if try !BatchRow.exists(db, key: id) { throw unknownBatch(id) }
    }

    func unknownBatch(_ id: String) -> StoreError {
        StoreError(
            kind: .unknownBatch,
            message:
                "archive \(path) has no batch \(id); list the batches with `expreg history --db \(path)`")
    }
}
