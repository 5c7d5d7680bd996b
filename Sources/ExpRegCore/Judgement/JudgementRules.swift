/// The thresholds a batch is judged by, archived with the batch (`batches.judgement_rules`).
///
/// A batch records the rules it started with; its verdicts, its width analysis and the report's
/// classifications are made under those rules only, so a later change of a threshold never
/// changes what an archived batch's report says. New batches take ``current``; batches archived
/// before the rules were recorded (archive schema < 8) carry ``legacy``.
///
/// Decoding fills a missing field with its ``legacy`` value, so rules archived by an older build
/// keep their meaning when a later build adds a threshold.
public struct JudgementRules: Sendable, Equatable, Codable {
    /// A width group's free slope of ‖H(W0) − H*‖ against m "agrees with the theory" when
    /// |slope − (−1/2)| ≤ `slopeTolerance` (0.1 tells −1/2 apart from −1/4 or −1).
    public var slopeTolerance: Double
    /// A median test MSE within this factor of the kernel prediction (1/band ≤ ratio ≤ band) is
    /// "about the same" as the kernel regime's.
    public var kernelAgreementBand: Double
    /// A final-loss ratio against the previous batch within this factor of 1 is "unchanged";
    /// below 1/band "improved", above band "regressed".
    public var unchangedBand: Double

    public init(slopeTolerance: Double, kernelAgreementBand: Double, unchangedBand: Double) {
        self.slopeTolerance = slopeTolerance
        self.kernelAgreementBand = kernelAgreementBand
        self.unchangedBand = unchangedBand
    }

    /// The rules new batches are judged by.
    public static let current = JudgementRules(slopeTolerance: 0.1, kernelAgreementBand: 1.1, unchangedBand: 1.1)

    /// The rules of batches archived before rules were recorded: the values in force then.
    /// **Never edit**: the archive's migration `v3-judgements` writes exactly this (as JSON) into
    /// every older batch.
    public static let legacy = JudgementRules(slopeTolerance: 0.1, kernelAgreementBand: 1.1, unchangedBand: 1.1)

    enum CodingKeys: String, CodingKey {
        case slopeTolerance = "slope_tolerance"
        case kernelAgreementBand = "kernel_agreement_band"
        case unchangedBand = "unchanged_band"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let old = Self.legacy
        slopeTolerance = try c.decodeIfPresent(Double.self, forKey: .slopeTolerance) ?? old.slopeTolerance
        kernelAgreementBand =
            try c.decodeIfPresent(Double.self, forKey: .kernelAgreementBand) ?? old.kernelAgreementBand
        unchangedBand = try c.decodeIfPresent(Double.self, forKey: .unchangedBand) ?? old.unchangedBand
    }

    /// Whether a free slope agrees with the theory's −1/2 under these rules.
    public func slopeAgreesWithTheory(_ slope: Double) -> Bool {
        abs(slope - WidthScaling.theorySlope) <= slopeTolerance
    }
}
