/// Progress of a run, sent to the observer after every archived step.
public struct TrainingProgress: Sendable, Equatable {
    /// The GD step k whose loss L(W(k)) is reported.
    public var step: Int
    /// The configured maximum number of steps.
    public var totalSteps: Int
    /// L(W(k)).
    public var loss: Double
    public init(step: Int, totalSteps: Int, loss: Double) {
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
    }
}
