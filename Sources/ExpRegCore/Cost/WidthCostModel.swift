/// The time model of one width group: what a run to the target costs at width m on the machine
/// that trained the group. The cost figure's curve, the projection at the condition width and the
/// summary's numbers all come from this one model.
///
/// seconds per run(m) = secondsPerStep(m) · steps + spectraSeconds(m), where
/// - `secondsPerStep` is fitted as C·m^e over the group's runs (training seconds / steps run),
/// - `spectraSeconds` is fitted as C·m^e over the runs' seconds in spectra (0 when not fitted),
/// - `steps` is the median steps of the converged runs at the group's widest width.
/// Memory is not fitted: ``TrainingMemory`` gives it by formula.
public struct WidthCostModel: Sendable, Equatable {
    public var secondsPerStep: PowerLaw?
    public var spectraSeconds: PowerLaw?
    public var steps: Int?

    public init(secondsPerStep: PowerLaw?, spectraSeconds: PowerLaw?, steps: Int?) {
        self.secondsPerStep = secondsPerStep
        self.spectraSeconds = spectraSeconds
        self.steps = steps
    }

    /// Seconds of one run at width `m` (formula above); nil without a time-per-step fit or steps.
    public func secondsPerRun(width m: Double) -> Double? {
        guard let secondsPerStep, let steps else { return nil }
        return secondsPerStep(m) * Double(steps) + (spectraSeconds?(m) ?? 0)
    }

    /// The measured counterpart of ``secondsPerRun(width:)`` for one run: its seconds in GD steps
    /// and in spectra (nil when either was not recorded).
    public static func measuredSeconds(of run: RunRecord) -> Double? {
        guard let training = run.trainingSeconds, let spectra = run.spectraSeconds else { return nil }
        return training + spectra
    }
}
