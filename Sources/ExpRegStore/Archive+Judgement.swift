import ExpRegCore
import Foundation
import GRDB

/// The one place a batch is judged (``BatchJudgement/judge(runs:rules:isProvisional:)``) and its
/// judgement archived: run verdicts in `runs.verdict`, the width analysis in `width_scaling` and
/// `condition_width_vs_n`, the time in `batches.judged_at`.
///
/// A batch is judged under the rules it recorded when it began (`batches.judgement_rules`), in the
/// transaction that gives it its final status (``finishBatch(id:status:finishedAt:exitCode:)``,
/// ``markInterruptedBatches()``); a read-write open judges the batches archived before judgements
/// were (``judgeUnjudgedBatches()``). A shard batch is not judged: its merged batch is. While a
/// batch runs (or in a read-only copy of an older archive) its snapshot carries a provisional
/// judgement made here from the runs so far, never stored.
extension Archive {
    /// Judges and records every batch with a final status and no judgement (not shard batches),
    /// oldest first, each in its own transaction: what a read-write open does right after the
    /// migrations, so batches archived before `v3-judgements` are judged once, under the rules the
    /// migration recorded for them (``JudgementRules/legacy``).
    /// - Returns: the ids judged.
    /// - Throws: ``StoreError`` when reading or writing fails.
    @discardableResult
    func judgeUnjudgedBatches() throws(StoreError) -> [String] {
        do {
            return try Self.judgeUnjudgedBatches(pool)
        } catch {
            throw StoreError.wrapping(error, action: "judge the batches archived before judgements were", path: path)
        }
    }

    /// ``judgeUnjudgedBatches()`` on a database (the file, or a read-only open's migrated copy).
    @discardableResult
    static func judgeUnjudgedBatches(_ writer: any DatabaseWriter) throws -> [String] {
        let ids = try writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM batches WHERE judged_at IS NULL AND status != 'running' AND shard_index IS NULL
                    ORDER BY started_at, id
                    """)
        }
        for id in ids {
            try writer.write { db in try judgeAndRecord(batchID: id, db) }
        }
        return ids
    }

    // MARK: - Judging (the one place)

    /// The judgement of a batch's runs under its recorded rules.
    static func judge(_ batch: BatchRow, runs: [RunRecord], provisional: Bool) throws -> BatchJudgement {
        BatchJudgement.judge(runs: runs, rules: try batch.rules(), isProvisional: provisional)
    }

    /// Judges `batchID` from its archived runs (without their curves, which no judgement reads)
    /// and records the judgement in the caller's transaction, unless it is judged already (a
    /// judgement once archived never changes; resuming or re-merging a batch clears it) or is a
    /// shard batch.
    static func judgeAndRecord(batchID: String, _ db: Database) throws {
        guard let batch = try BatchRow.fetchOne(db, key: batchID), batch.judgedAt == nil else { return }
        let isShard =
            try Bool.fetchOne(
                db, sql: "SELECT shard_index IS NOT NULL FROM batches WHERE id = ?", arguments: [batchID]) ?? false
        guard !isShard else { return }
        let runs = try runRecords(batchID: batchID, withSeries: false, db).map(\.record)
        try record(try judge(batch, runs: runs, provisional: false), batchID: batchID, db)
    }

    /// Writes a judgement (replacing any earlier one of the batch).
    static func record(_ judgement: BatchJudgement, batchID: String, _ db: Database) throws {
        try clearJudgement(batchID: batchID, db)
        for (runKey, run) in judgement.runs {
            try db.execute(
                sql: "UPDATE runs SET verdict = ? WHERE batch_id = ? AND run_key = ?",
                arguments: [run.verdict.rawValue, batchID, runKey])
        }
        let analysis = judgement.analysis
        for (position, g) in analysis.widthScaling.enumerated() {
            let params = g.fixedParams.sorted { $0.key < $1.key }
                .map { StoredParam(Param(key: $0.key, value: $0.value)) }
            let p = g.projection
            let cost = g.costModel
            try db.execute(
                sql: """
                    INSERT INTO width_scaling (batch_id, position, experiment, activation, fixed_params, widths, runs,
                        lambda_star, gram_distance_slope, gram_distance_constant, gram_distance_constant_theory_slope,
                        condition_width, condition_width_free_slope, condition_met_from_width,
                        seconds_per_step_exponent, memory_exponent, projection_width, projection_seconds_per_run,
                        projection_memory_bytes, projection_steps, seconds_per_step_constant,
                        spectra_seconds_constant, spectra_seconds_exponent, slope_agrees_with_theory)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    batchID, position, g.experiment, g.activation, try ArchiveJSON.encode(params),
                    try ArchiveJSON.encode(g.widths), g.runs, ArchivedDouble.wrap(g.lambdaStar),
                    ArchivedDouble.wrap(g.gramDistanceSlope), ArchivedDouble.wrap(g.gramDistanceConstant),
                    ArchivedDouble.wrap(g.gramDistanceConstantTheorySlope), ArchivedDouble.wrap(g.conditionWidth),
                    ArchivedDouble.wrap(g.conditionWidthFreeSlope), g.conditionMetFromWidth,
                    ArchivedDouble.wrap(g.secondsPerStepExponent), ArchivedDouble.wrap(g.memoryExponent),
                    p?.width, ArchivedDouble.wrap(p?.secondsPerRun), p?.memoryBytes, p?.steps ?? cost.steps,
                    ArchivedDouble.wrap(cost.secondsPerStep?.coefficient),
                    ArchivedDouble.wrap(cost.spectraSeconds?.coefficient),
                    ArchivedDouble.wrap(cost.spectraSeconds?.exponent), g.slopeAgreesWithTheory,
                ])
        }
        for (position, f) in analysis.conditionWidthVsN.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO condition_width_vs_n (batch_id, position, experiment, activation, points, exponent, coefficient)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    batchID, position, f.experiment, f.activation, try ArchiveJSON.encode(f.points),
                    ArchivedDouble(f.exponent), ArchivedDouble(f.coefficient),
                ])
        }
        try db.execute(
            sql: "UPDATE batches SET judged_at = ? WHERE id = ?",
            arguments: [Date().timeIntervalSinceReferenceDate, batchID])
    }

    /// Forgets a batch's judgement (a resumed or re-merged batch is judged again when it finishes).
    static func clearJudgement(batchID: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE runs SET verdict = NULL WHERE batch_id = ?", arguments: [batchID])
        try db.execute(sql: "DELETE FROM width_scaling WHERE batch_id = ?", arguments: [batchID])
        try db.execute(sql: "DELETE FROM condition_width_vs_n WHERE batch_id = ?", arguments: [batchID])
        try db.execute(sql: "UPDATE batches SET judged_at = NULL WHERE id = ?", arguments: [batchID])
    }

    // MARK: - Reading

    /// The batch's judgement: the archived one, or — for a running or not yet judged batch — a
    /// provisional one of its runs so far.
    static func judgement(of batch: BatchRow, runs: [ArchivedRun], _ db: Database) throws -> BatchJudgement {
        if batch.status != BatchStatus.running.rawValue, batch.judgedAt != nil,
            let stored = try storedJudgement(of: batch, runs: runs, db)
        {
            return stored
        }
        return try judge(batch, runs: runs.map(\.record), provisional: true)
    }

    /// The archived judgement, or nil when a run lacks its verdict.
    private static func storedJudgement(of batch: BatchRow, runs: [ArchivedRun], _ db: Database) throws
        -> BatchJudgement?
    {
        var verdicts: [String: RunJudgement] = [:]
        for run in runs {
            guard let text = run.verdict, let verdict = RunVerdict(rawValue: text) else { return nil }
            verdicts[run.record.spec.runKey] = RunJudgement(verdict: verdict)
        }
        return BatchJudgement(
            rules: try batch.rules(), runs: verdicts, analysis: try analysis(batchID: batch.id, db),
            isProvisional: false)
    }

    /// The archived width analysis of a batch (empty lists when none was recorded).
    static func analysis(batchID: String, _ db: Database) throws -> WidthScaling {
        let groups = try Row.fetchAll(
            db, sql: "SELECT * FROM width_scaling WHERE batch_id = ? ORDER BY position", arguments: [batchID]
        ).map { row -> WidthScaling.Group in
            let params = try ArchiveJSON.decode([StoredParam].self, from: row["fixed_params"]).map(\.param)
            func real(_ column: String) -> Double? { ArchivedDouble.fromDatabaseValue(row[column])?.value }
            func law(_ coefficient: String, _ exponent: String) -> PowerLaw? {
                guard let c = real(coefficient), let e = real(exponent) else { return nil }
                return PowerLaw(coefficient: c, exponent: e)
            }
            var projection: WidthScaling.Projection?
            if let width: Int = row["projection_width"], let memory: Int = row["projection_memory_bytes"] {
                projection = .init(
                    width: width, secondsPerRun: real("projection_seconds_per_run"),
                    memoryBytes: memory, steps: row["projection_steps"])
            }
            return WidthScaling.Group(
                experiment: row["experiment"], activation: row["activation"],
                fixedParams: Dictionary(params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                widths: try ArchiveJSON.decode([Int].self, from: row["widths"]), runs: row["runs"],
                lambdaStar: real("lambda_star"), gramDistanceSlope: real("gram_distance_slope"),
                gramDistanceConstant: real("gram_distance_constant"),
                gramDistanceConstantTheorySlope: real("gram_distance_constant_theory_slope"),
                conditionWidth: real("condition_width"),
                conditionWidthFreeSlope: real("condition_width_free_slope"),
                conditionMetFromWidth: row["condition_met_from_width"],
                secondsPerStepExponent: real("seconds_per_step_exponent"), memoryExponent: real("memory_exponent"),
                projection: projection, slopeAgreesWithTheory: row["slope_agrees_with_theory"],
                costModel: WidthCostModel(
                    secondsPerStep: law("seconds_per_step_constant", "seconds_per_step_exponent"),
                    spectraSeconds: law("spectra_seconds_constant", "spectra_seconds_exponent"),
                    steps: row["projection_steps"]))
        }
        let fits = try Row.fetchAll(
            db, sql: "SELECT * FROM condition_width_vs_n WHERE batch_id = ? ORDER BY position", arguments: [batchID]
        ).map { row in
            WidthScaling.PointsScaling(
                experiment: row["experiment"], activation: row["activation"],
                points: try ArchiveJSON.decode([[Double]].self, from: row["points"]),
                exponent: row["exponent"], coefficient: row["coefficient"])
        }
        return WidthScaling(widthScaling: groups, conditionWidthVsN: fits)
    }
}
