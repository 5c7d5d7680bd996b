import Foundation

/// Least-squares fit of y ≈ C · x^slope on a log–log scale.
///
/// Used for ||H(W(0)) − H*||_2 ≈ C · m^slope over the widths of a sweep (theory: slope = −1/2).
public struct PowerLawFit: Sendable, Equatable, Codable {
    public var coefficient: Double
    public var slope: Double
    /// Number of (x, y) pairs used (positive and finite only).
    public var points: Int

    /// Fits log y = log C + slope · log x by ordinary least squares.
    ///
    /// Pairs with a non-positive or non-finite x or y are ignored. Returns nil when fewer than two
    /// distinct x remain.
    public init?(x: [Double], y: [Double]) {
        precondition(x.count == y.count, "PowerLawFit: length mismatch (\(x.count) vs \(y.count))")
        let pairs = zip(x, y).filter { $0 > 0 && $1 > 0 && $0.isFinite && $1.isFinite }
            .map { (Foundation.log($0), Foundation.log($1)) }
        guard Set(pairs.map(\.0)).count >= 2 else { return nil }
        let k = Double(pairs.count)
        let mx = pairs.reduce(0) { $0 + $1.0 } / k
        let my = pairs.reduce(0) { $0 + $1.1 } / k
        let sxy = pairs.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = pairs.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        slope = sxy / sxx
        coefficient = Foundation.exp(my - slope * mx)
        points = pairs.count
    }

    /// The fitted value C · x^slope.
    public func predict(_ x: Double) -> Double { coefficient * Foundation.pow(x, slope) }

    /// The x at which the fit reaches `y` (x = (y / C)^(1/slope)); nil unless slope < 0 and y > 0.
    ///
    /// For the sufficient width condition pass y = lambda_star / 4: m ≈ (4C / lambda_star)^(1/(−slope)).
    public func solve(for y: Double) -> Double? {
        guard slope < 0, y > 0, coefficient > 0 else { return nil }
        return Foundation.pow(y / coefficient, 1 / slope)
    }
}
