/// What the trainer is doing, reported through ``Trainer/train(_:on:heldOut:options:progress:phases:)`` so the
/// pipeline can split a run's wall time without a clock in Core.
public enum TrainingPhase: Sendable, Equatable {
    /// GD steps (forward passes, updates, the loss checks).
    case training
    /// H* and H(W) builds with their eigen-solves, and ‖H(W) − H*‖.
    case spectra
}
