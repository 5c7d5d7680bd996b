/// The per-run diagnostics of ``TheoryDiagnostics``, declared once. A field's raw value is its
/// results.json key, its archive column (table `diagnostics`) and its Codable key; results.json,
/// the archive's row coding, the Codable form, `export --format csv` and the report's theory table
/// all iterate ``allCases`` (in this order) instead of naming the fields again.
///
/// Adding a diagnostic: a case here, its property on ``TheoryDiagnostics`` and its line in
/// ``TheoryDiagnostics/subscript(_:)``; the archive needs a migration adding its column.
public enum DiagnosticField: String, CaseIterable, CodingKey, Sendable {
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

    /// What kind of value a field holds.
    public enum Kind: Sendable {
        /// A real number (`Double?`; results.json writes a non-finite one as null).
        case real
        /// A count (`Int?`).
        case count
        /// A yes/no (`Bool?`).
        case flag
    }

    /// The field's kind.
    public var kind: Kind {
        switch self {
        case .envelopeViolations: .count
        case .widthConditionMet: .flag
        default: .real
        }
    }
}

/// The value of one ``DiagnosticField`` (nil inside: not computed).
public enum DiagnosticValue: Sendable, Equatable, Encodable {
    case real(Double?)
    case count(Int?)
    case flag(Bool?)

    /// The value without its kind, for printing (`nil` when not computed).
    public var number: Double? {
        switch self {
        case .real(let value): value
        case .count(let value): value.map(Double.init)
        case .flag(let value): value.map { $0 ? 1 : 0 }
        }
    }

    /// The same value with a non-finite real replaced by nil (results.json has no NaN or ±inf).
    public var finite: DiagnosticValue {
        if case .real(let value) = self, let value, !value.isFinite { return .real(nil) }
        return self
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .real(let value): try c.encode(value)
        case .count(let value): try c.encode(value)
        case .flag(let value): try c.encode(value)
        }
    }

    /// Decodes a value of a field's `kind` (JSON does not say which).
    public init(from decoder: any Decoder, kind: DiagnosticField.Kind) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = kind == .real ? .real(nil) : kind == .count ? .count(nil) : .flag(nil)
            return
        }
        switch kind {
        case .real: self = .real(try c.decode(Double.self))
        case .count: self = .count(try c.decode(Int.self))
        case .flag: self = .flag(try c.decode(Bool.self))
        }
    }
}

extension TheoryDiagnostics: Codable {
    /// The value of `field`; setting a value of another kind leaves the field unchanged.
    public subscript(field: DiagnosticField) -> DiagnosticValue {
        get {
            switch field {
            case .lambdaStar: .real(lambdaStar)
            case .lambdaMaxStar: .real(lambdaMaxStar)
            case .lambdaMinInit: .real(lambdaMinInit)
            case .lambdaMinFinal: .real(lambdaMinFinal)
            case .gramDistanceInit: .real(gramDistanceInit)
            case .gramDistanceFinal: .real(gramDistanceFinal)
            case .predictedRate: .real(predictedRate)
            case .observedRate: .real(observedRate)
            case .envelopeViolations: .count(envelopeViolations)
            case .kernelPredictionFinalLoss: .real(kernelPredictionFinalLoss)
            case .widthConditionMet: .flag(widthConditionMet)
            case .maxWeightMovement: .real(maxWeightMovement)
            case .maxPreactivation: .real(maxPreactivation)
            }
        }
        set {
            switch (field, newValue) {
            case (.lambdaStar, .real(let v)): lambdaStar = v
            case (.lambdaMaxStar, .real(let v)): lambdaMaxStar = v
            case (.lambdaMinInit, .real(let v)): lambdaMinInit = v
            case (.lambdaMinFinal, .real(let v)): lambdaMinFinal = v
            case (.gramDistanceInit, .real(let v)): gramDistanceInit = v
            case (.gramDistanceFinal, .real(let v)): gramDistanceFinal = v
            case (.predictedRate, .real(let v)): predictedRate = v
            case (.observedRate, .real(let v)): observedRate = v
            case (.envelopeViolations, .count(let v)): envelopeViolations = v
            case (.kernelPredictionFinalLoss, .real(let v)): kernelPredictionFinalLoss = v
            case (.widthConditionMet, .flag(let v)): widthConditionMet = v
            case (.maxWeightMovement, .real(let v)): maxWeightMovement = v
            case (.maxPreactivation, .real(let v)): maxPreactivation = v
            default: break
            }
        }
    }

    /// The same diagnostics with every non-finite real replaced by nil.
    public var finite: TheoryDiagnostics {
        var copy = self
        for field in DiagnosticField.allCases { copy[field] = self[field].finite }
        return copy
    }

    /// Encodes every field under its ``DiagnosticField`` key (explicit null when not computed), into
    /// the encoder's keyed container: results.json flattens them into a run's object this way.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DiagnosticField.self)
        for field in DiagnosticField.allCases { try c.encode(self[field], forKey: field) }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: DiagnosticField.self)
        for field in DiagnosticField.allCases where c.contains(field) {
            self[field] = try DiagnosticValue(from: try c.superDecoder(forKey: field), kind: field.kind)
        }
    }
}
