import ExpRegCore
import GRDB

/// A row of `metrics`: one point of a per-step series of a run.
struct MetricRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "metrics"

    /// The series a point belongs to.
    enum Kind: String, Codable, CaseIterable, DatabaseValueConvertible {
        /// `RunOutcome.lossCurve`.
        case loss
        /// `RunOutcome.kernelPrediction`.
        case kernelPrediction = "kernel_prediction"
        /// `RunOutcome.lambdaMinCurve`.
        case lambdaMin = "lambda_min"
    }

    var batchID: String
    var runKey: String
    var kind: Kind
    /// Position in the series (0-based); the series order is kept even if steps repeat.
    var seq: Int
    var step: Int
    var value: ArchivedDouble

    enum CodingKeys: String, CodingKey {
        case kind, seq, step, value
        case batchID = "batch_id"
        case runKey = "run_key"
    }

    /// Rows of one series, in order.
    static func rows(_ curve: [CurvePoint], kind: Kind, batchID: String, runKey: String) -> [MetricRow] {
        curve.enumerated().map { seq, point in
            MetricRow(
                batchID: batchID, runKey: runKey, kind: kind, seq: seq, step: point.step,
                value: ArchivedDouble(point.value))
        }
    }

    var point: CurvePoint { CurvePoint(step: step, value: value.value) }
}
