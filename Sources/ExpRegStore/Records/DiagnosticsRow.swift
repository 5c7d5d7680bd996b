import ExpRegCore
import GRDB

/// A row of `diagnostics`: one column per `TheoryDiagnostics` field (NULL = not computed).
struct DiagnosticsRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "diagnostics"

    var batchID: String
    var runKey: String
    var lambdaStar: ArchivedDouble?
    var lambdaMaxStar: ArchivedDouble?
    var lambdaMinInit: ArchivedDouble?
    var lambdaMinFinal: ArchivedDouble?
    var gramDistanceInit: ArchivedDouble?
    var gramDistanceFinal: ArchivedDouble?
    var predictedRate: ArchivedDouble?
    var observedRate: ArchivedDouble?
    var envelopeViolations: Int?
    var kernelPredictionFinalLoss: ArchivedDouble?
    var widthConditionMet: Bool?
    var maxWeightMovement: ArchivedDouble?
    var maxPreactivation: ArchivedDouble?

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id", runKey = "run_key"
        case lambdaStar = "lambda_star", lambdaMaxStar = "lambda_max_star"
        case lambdaMinInit = "lambda_min_init", lambdaMinFinal = "lambda_min_final"
        case gramDistanceInit = "gram_distance_init", gramDistanceFinal = "gram_distance_final"
        case predictedRate = "predicted_rate", observedRate = "observed_rate"
        case envelopeViolations = "envelope_violations"
        case kernelPredictionFinalLoss = "kernel_prediction_final_loss"
        case widthConditionMet = "width_condition_met", maxWeightMovement = "max_weight_movement"
        case maxPreactivation = "max_preactivation"
    }

    init(_ d: TheoryDiagnostics, batchID: String, runKey: String) {
        self.batchID = batchID
        self.runKey = runKey
        lambdaStar = .wrap(d.lambdaStar)
        lambdaMaxStar = .wrap(d.lambdaMaxStar)
        lambdaMinInit = .wrap(d.lambdaMinInit)
        lambdaMinFinal = .wrap(d.lambdaMinFinal)
        gramDistanceInit = .wrap(d.gramDistanceInit)
        gramDistanceFinal = .wrap(d.gramDistanceFinal)
        predictedRate = .wrap(d.predictedRate)
        observedRate = .wrap(d.observedRate)
        envelopeViolations = d.envelopeViolations
        kernelPredictionFinalLoss = .wrap(d.kernelPredictionFinalLoss)
        widthConditionMet = d.widthConditionMet
        maxWeightMovement = .wrap(d.maxWeightMovement)
        maxPreactivation = .wrap(d.maxPreactivation)
    }

    var diagnostics: TheoryDiagnostics {
        TheoryDiagnostics(
            lambdaStar: lambdaStar?.value, lambdaMaxStar: lambdaMaxStar?.value,
            lambdaMinInit: lambdaMinInit?.value, lambdaMinFinal: lambdaMinFinal?.value,
            gramDistanceInit: gramDistanceInit?.value, gramDistanceFinal: gramDistanceFinal?.value,
            predictedRate: predictedRate?.value, observedRate: observedRate?.value,
            envelopeViolations: envelopeViolations, kernelPredictionFinalLoss: kernelPredictionFinalLoss?.value,
            widthConditionMet: widthConditionMet, maxWeightMovement: maxWeightMovement?.value,
            maxPreactivation: maxPreactivation?.value)
    }
}
