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

/// An integer with ASCII thousands separators, e.g. `1,200`, `-65,536`. Deterministic.
public func formatGrouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return value < 0 ? "-" + out : out
}

/// A width that a fit predicts (a real number, an estimate): rounded *up* to three significant
/// digits, then grouped, e.g. 647,379.2 → `648,000`, 912.3 → `913`. Up, because a width below the
/// prediction would not meet the condition by the fit. The report and the figures print projected
/// widths this way.
public func formatPredictedWidth(_ value: Double) -> String {
    guard value.isFinite, value < 1e15 else { return value.isNaN ? "NaN" : "inf" }
    guard value > 0 else { return formatGrouped(0) }
    let digits = Foundation.floor(Foundation.log10(value)) + 1
    let scale = Foundation.pow(10, Swift.max(0, digits - 3))
    return formatGrouped(Int((value / scale).rounded(.up) * scale))
}

/// Byte counts for people: the one owner of their formats (binary units), one formatter per unit.
public enum ByteFormat {
    /// `3.91 GiB`: GiB with two decimals.
    public static func gibibytes(_ bytes: Int) -> String {
        formatFixed(Double(bytes) / 1_073_741_824, digits: 2) + " GiB"
    }

    /// `31 MiB`: whole MiB, rounded up.
    public static func mebibytes(_ bytes: Int) -> String {
        formatFixed((Double(bytes) / 1_048_576).rounded(.up), digits: 0) + " MiB"
    }

    /// A working set: ``gibibytes(_:)`` from 1 GiB on, else ``mebibytes(_:)`` (at least `1 MiB`).
    /// The report's tables and summary and the cost figure show memory this way.
    public static func memory(_ bytes: Int) -> String {
        bytes >= 1_073_741_824 ? gibibytes(bytes) : mebibytes(max(bytes, 1))
    }

    /// A file's size: `812 B`, `4.2 KiB`, `2.8 MiB`, `1.3 GiB`, in the largest unit that keeps the
    /// number at least 1, one decimal (negative values are shown as `0 B`). `prune` and `backup`
    /// print sizes this way.
    public static func size(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(max(bytes, 0)) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded() / 10
        return "\(tenths) \(units[unit])"
    }
}
