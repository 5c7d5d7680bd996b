import Foundation

/// y = coefficient · x^exponent: a fitted law kept with the batch (``PowerLawFit`` makes one).
public struct PowerLaw: Sendable, Equatable {
    public var coefficient: Double
    public var exponent: Double

    public init(coefficient: Double, exponent: Double) {
        self.coefficient = coefficient
        self.exponent = exponent
    }

    /// coefficient · x^exponent.
    public func callAsFunction(_ x: Double) -> Double { coefficient * Foundation.pow(x, exponent) }
}

extension PowerLawFit {
    /// The fitted law C · x^slope.
    public var law: PowerLaw { PowerLaw(coefficient: coefficient, exponent: slope) }
}
