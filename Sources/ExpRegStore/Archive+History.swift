import ExpRegCore
import Foundation
import GRDB

extension Archive {
    /// Batches newest first (by started_at, then id); at most `limit` when given (a limit <= 0
    /// gives none).
    /// - Throws: ``StoreError`` when reading fails.
    public func batches(limit: Int?) throws(StoreError) -> [BatchInfo] {
        if let limit, limit <= 0 { return [] }
        return try read("list batches") { db in
            var request = BatchRow.withoutPlan().order(Column("started_at").desc, Column("id").desc)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db).map { try $0.info() }
        }
    }

    /// Batches of one manifest name, oldest first (for trend plots).
    /// - Throws: ``StoreError`` when reading fails.
    public func batches(manifestName: String) throws(StoreError) -> [BatchInfo] {
        try read("list batches of \(manifestName)") { db in
            try batchRows(manifestName: manifestName, db).map { try $0.info() }
        }
    }

    /// The headline numbers (`BatchHeadline`) of every batch of a manifest name, oldest first —
    /// for `expreg history` and the nightly trend plot.
    ///
    /// Reads only what a headline needs (run status, activation, final loss, lambda_star, gate
    /// verdicts) in three queries for all batches, not the curves and spectra; the numbers are
    /// computed by `BatchHeadline(info:runs:gates:)` itself, so they equal those of the full snapshots.
    /// - Throws: ``StoreError`` when reading fails.
    /// - Complexity: O(batches + runs) rows read.
    public func headlines(manifestName: String) throws(StoreError) -> [BatchHeadline] {
        try read("summarise the batches of \(manifestName)") { db in
            let batches = try batchRows(manifestName: manifestName, db)
            var runs: [String: [RunRecord]] = [:]
            let runCursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.batch_id, r.run_key, r.status, r.loss_final,
                           json_extract(r.config_json, '$.model.activation') AS activation, d.lambda_star
                    FROM runs r
                    JOIN batches b ON b.id = r.batch_id
                    LEFT JOIN diagnostics d ON d.batch_id = r.batch_id AND d.run_key = r.run_key
                    WHERE b.manifest_name = ?
                    ORDER BY r.batch_id, r.plan_index
                    """, arguments: [manifestName])
            while let row = try runCursor.next() {
                let batchID: String = row["batch_id"]
                runs[batchID, default: []].append(try headlineRun(row))
            }
            var gates: [String: [GateResult]] = [:]
            let gateCursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT g.batch_id, g.name, g.passed FROM gates g JOIN batches b ON b.id = g.batch_id
                    WHERE b.manifest_name = ? ORDER BY g.batch_id, g.position
                    """, arguments: [manifestName])
            while let row = try gateCursor.next() {
                let name: String = row["name"]
                guard let gate = GateConfig.Name(rawValue: name) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown gate '\(name)'"))
                }
                gates[row["batch_id"], default: []].append(GateResult(name: gate, passed: row["passed"], detail: ""))
            }
            return try batches.map { batch in
                BatchHeadline(info: try batch.info(), runs: runs[batch.id] ?? [], gates: gates[batch.id] ?? [])
            }
        }
    }

    /// The batches of one manifest name without their plans (``BatchRow/withoutPlan()``), oldest
    /// first by (started_at, id).
    private func batchRows(manifestName: String, _ db: Database) throws -> [BatchRow] {
        try BatchRow.withoutPlan().filter(Column("manifest_name") == manifestName)
            .order(Column("started_at"), Column("id")).fetchAll(db)
    }

    /// A skeleton run carrying just what `BatchHeadline` reads: status, activation, final loss, lambda_star.
    private func headlineRun(_ row: Row) throws -> RunRecord {
        let statusText: String = row["status"]
        let activationText: String? = row["activation"]
        guard let status = RunStatus(rawValue: statusText),
            let activation = Activation(rawValue: activationText ?? "")
        else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription: "run \(row["run_key"] as String? ?? "?") has status "
                        + "'\(statusText)' and activation '\(activationText ?? "null")'"))
        }
        let config = RunConfig(
            seed: 0, data: DataConfig(), model: ModelConfig(activation: activation),
            train: TrainConfig())
        let spec = RunSpec(index: 0, experiment: "", runKey: row["run_key"], config: config, params: [], sweptKeys: [])
        let lossFinal = ArchivedDouble.fromDatabaseValue(row["loss_final"])?.value
        let lambdaStar = ArchivedDouble.fromDatabaseValue(row["lambda_star"])?.value
        let outcome = RunOutcome(
            status: status, lossFinal: lossFinal,
            diagnostics: TheoryDiagnostics(lambdaStar: lambdaStar))
        return RunRecord(
            spec: spec, outcome: outcome, startedAt: Date(timeIntervalSinceReferenceDate: 0), wallSeconds: 0)
    }
}
