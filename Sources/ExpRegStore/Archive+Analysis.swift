import ExpRegCore
import Foundation
import GRDB

extension Archive {
    /// Replaces the batch's width analysis (`width_scaling` and `condition_width_vs_n` rows) in
    /// one transaction.
    /// - Throws: ``StoreError`` when the batch does not exist or the write fails.
    public func recordAnalysis(_ analysis: WidthScaling, batchID: String) throws(StoreError) {
        try write("record the width analysis of batch \(batchID)") { db in
            try requireBatch(batchID, db)
            try db.execute(sql: "DELETE FROM width_scaling WHERE batch_id = ?", arguments: [batchID])
            try db.execute(sql: "DELETE FROM condition_width_vs_n WHERE batch_id = ?", arguments: [batchID])
            for (position, g) in analysis.widthScaling.enumerated() {
                let params = g.fixedParams.sorted { $0.key < $1.key }
                    .map { StoredParam(Param(key: $0.key, value: $0.value)) }
                let p = g.projection
                try db.execute(
                    sql: """
                        INSERT INTO width_scaling (batch_id, position, experiment, activation, fixed_params, widths, runs,
                            lambda_star, gram_distance_slope, gram_distance_constant, gram_distance_constant_theory_slope,
                            condition_width, condition_width_free_slope, condition_met_from_width,
                            seconds_per_step_exponent, memory_exponent, projection_width, projection_seconds_per_run,
                            projection_memory_bytes, projection_steps)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        batchID, position, g.experiment, g.activation, try ArchiveJSON.encode(params),
                        try ArchiveJSON.encode(g.widths), g.runs, ArchivedDouble.wrap(g.lambdaStar),
                        ArchivedDouble.wrap(g.gramDistanceSlope), ArchivedDouble.wrap(g.gramDistanceConstant),
                        ArchivedDouble.wrap(g.gramDistanceConstantTheorySlope), ArchivedDouble.wrap(g.conditionWidth),
                        ArchivedDouble.wrap(g.conditionWidthFreeSlope), g.conditionMetFromWidth,
                        ArchivedDouble.wrap(g.secondsPerStepExponent), ArchivedDouble.wrap(g.memoryExponent),
                        p?.width, ArchivedDouble.wrap(p?.secondsPerRun), p?.memoryBytes, p?.steps,
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
        }
    }

    /// The stored width analysis of a batch (empty lists when none was recorded).
    /// - Throws: ``StoreError`` when reading or decoding fails.
    public func analysis(batchID: String) throws(StoreError) -> WidthScaling {
        try read("read the width analysis of batch \(batchID)") { db in
            let groups = try Row.fetchAll(
                db, sql: "SELECT * FROM width_scaling WHERE batch_id = ? ORDER BY position",
                arguments: [batchID]
            ).map { row -> WidthScaling.Group in
                let params = try ArchiveJSON.decode([StoredParam].self, from: row["fixed_params"]).map(\.param)
                func real(_ column: String) -> Double? { ArchivedDouble.fromDatabaseValue(row[column])?.value }
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
                    projection: projection)
            }
            let fits = try Row.fetchAll(
                db, sql: "SELECT * FROM condition_width_vs_n WHERE batch_id = ? ORDER BY position",
                arguments: [batchID]
            ).map { row in
                WidthScaling.PointsScaling(
                    experiment: row["experiment"], activation: row["activation"],
                    points: try ArchiveJSON.decode([[Double]].self, from: row["points"]),
                    exponent: row["exponent"], coefficient: row["coefficient"])
            }
            return WidthScaling(widthScaling: groups, conditionWidthVsN: fits)
        }
    }
}
