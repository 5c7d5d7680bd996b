/// ‖H_m(W0) − H*‖₂ at one grid width m, with λ_min(H_m(W0)).
public struct ProbeCheckpoint: Sendable, Equatable, Codable {
    /// The width m (a ``ProbeGrid`` width).
    public var width: Int
    /// ‖H_m(W0) − H*‖₂: the largest |eigenvalue| of the symmetric difference.
    public var gramDistance: Double
    /// λ_min(H_m(W0)).
    public var lambdaMin: Double
    /// gramDistance ≤ λ*/4.
    public var conditionMet: Bool

    public init(width: Int, gramDistance: Double, lambdaMin: Double, conditionMet: Bool) {
        self.width = width
        self.gramDistance = gramDistance
        self.lambdaMin = lambdaMin
        self.conditionMet = conditionMet
    }
}

/// Why a probe stopped.
public enum ProbeStop: String, Sendable, Equatable, Codable {
    /// The condition held at every checkpoint of the margin (``ProbeOptions/marginOctaves``).
    case margin
    /// The largest grid width ≤ the maximum was reached first.
    case maxWidth = "max_width"
    /// H_m(W0) stopped being finite (exp overflow); the curve ends before it.
    case notFinite = "not_finite"
}

/// The measured curve of one probe and its crossing.
public struct ProbeResult: Sendable, Equatable {
    /// λ* = λ_min(H*).
    public var lambdaStar: Double
    /// λ_max(H*).
    public var lambdaMaxStar: Double
    /// One entry per grid width computed, ascending.
    public var curve: [ProbeCheckpoint]
    /// m_c and how the curve met the condition.
    public var crossing: ConditionCrossing
    public var stop: ProbeStop
    /// Floating-point operations by formula (``ProbeFlops``), for the widths computed.
    public var flops: Double

    /// λ*/4, the largest ‖H_m − H*‖₂ the condition allows.
    public var threshold: Double { lambdaStar / 4 }
    /// The widest checkpoint computed (0 when none).
    public var widthReached: Int { curve.last?.width ?? 0 }

    public init(
        lambdaStar: Double, lambdaMaxStar: Double, curve: [ProbeCheckpoint], stop: ProbeStop, flops: Double
    ) {
        self.lambdaStar = lambdaStar
        self.lambdaMaxStar = lambdaMaxStar
        self.curve = curve
        crossing = ConditionCrossing(widths: curve.map(\.width), holds: curve.map(\.conditionMet))
        self.stop = stop
        self.flops = flops
    }
}
