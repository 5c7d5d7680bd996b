/// What a run says about the theorem (results.json `verdict`, the report's 判定 column).
///
/// Exactly one applies, checked in this order:
/// - `failed`: the run could not train (status `failed`).
/// - `diverged`: NaN/Inf or loss > 1e6 × initial (status `diverged`).
/// - `violated`: the loss left the envelope L(k+1) ≤ (1 − ηλ*/2) L(k) at least once.
/// - `withinGuarantee`: the sufficient condition ‖H(W0) − H*‖ ≤ λ*/4 holds, no envelope
///   violation, and the run reached its target (`converged`): the theorem applies and held.
/// - `consistent`: no violation, but the condition is unmet (or unknown) or the target was not
///   reached within the steps: no contradiction, yet not a test inside the guarantee.
public enum RunVerdict: String, Sendable, Codable, CaseIterable {
    case withinGuarantee = "within_guarantee"
    case consistent
    case violated
    case diverged
    case failed

    /// The verdict of a run's outcome (rules above). Only ``BatchJudgement/judge(runs:rules:isProvisional:)``
    /// calls it; readers take the archived verdict from ``BatchSnapshot/judgement``.
    init(outcome: RunOutcome) {
        switch outcome.status {
        case .failed: self = .failed
        case .diverged: self = .diverged
        case .converged, .completed:
            let g = outcome.diagnostics
            if let violations = g.envelopeViolations, violations > 0 {
                self = .violated
            } else if outcome.status == .converged, g.widthConditionMet == true, g.envelopeViolations == 0 {
                self = .withinGuarantee
            } else {
                self = .consistent
            }
        }
    }
}
