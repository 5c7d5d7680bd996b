import Foundation

/// `1.0e-04`-style scientific notation with `digits` after the point (C `%.*e`). Deterministic.
public func formatScientific(_ value: Double, digits: Int = 1) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)e", value)
}

/// Fixed-point notation with `digits` after the point (C `%.*f`). Deterministic.
public func formatFixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", value)
}
