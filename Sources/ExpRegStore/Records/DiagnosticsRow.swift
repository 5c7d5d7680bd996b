import ExpRegCore
import GRDB

/// A row of `diagnostics`: one column per `TheoryDiagnostics` field and per `HeldOutErrors` field
/// (NULL = not computed).
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
    var trainMSE: ArchivedDouble?
    var testMSE: ArchivedDouble?
    var kernelTestMSE: ArchivedDouble?
    var ntkTestMSE: ArchivedDouble?
    var heldOutNote: String?

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id"
        case runKey = "run_key"
        case lambdaStar = "lambda_star"
        case lambdaMaxStar = "lambda_max_star"
        case lambdaMinInit = "lambda_min_init"
        case lambdaMinFinal = "lambda_min_final"
        case gramDistanceInit = "gram_distance_init"
        case gramDistanceFinal = "gram_distance_final"
        case predictedRate = "predicted_rate"
        case observedRate = "observed_rate"
        case envelopeViolations = "envelope_violations"
        case kernelPredictionFinalLoss = "kernel_prediction_final_loss"
        case widthConditionMet = "width_condition_met"
        case maxWeightMovement = "max_weight_movement"
        case maxPreactivation = "max_preactivation"
        case trainMSE = "train_mse"
        case testMSE = "test_mse"
        case kernelTestMSE = "kernel_test_mse"
        case ntkTestMSE = "ntk_test_mse"
        case heldOutNote = "heldout_note"
    }

    init(_ d: TheoryDiagnostics, heldOut: HeldOutErrors, batchID: String, runKey: String) {
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
        trainMSE = .wrap(heldOut.trainMSE)
        testMSE = .wrap(heldOut.testMSE)
        kernelTestMSE = .wrap(heldOut.kernelTestMSE)
        ntkTestMSE = .wrap(heldOut.ntkTestMSE)
        heldOutNote = heldOut.note
    }

    var heldOut: HeldOutErrors {
        HeldOutErrors(
            trainMSE: trainMSE?.value, testMSE: testMSE?.value, kernelTestMSE: kernelTestMSE?.value,
            ntkTestMSE: ntkTestMSE?.value, note: heldOutNote)
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
