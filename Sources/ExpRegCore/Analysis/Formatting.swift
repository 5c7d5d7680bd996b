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

/// A memory size with its unit: GiB with two decimals from 1 GiB on (`3.91 GiB`), else whole MiB
/// rounded up (`31 MiB`; at least `1 MiB`). The report's tables and summary and the cost figure
/// all show sizes this way.
public func formatMemory(_ bytes: Int) -> String {
    let gib = Double(bytes) / 1_073_741_824
    if gib >= 1 { return formatFixed(gib, digits: 2) + " GiB" }
    return String(max(1, Int((Double(bytes) / 1_048_576).rounded(.up)))) + " MiB"
}
