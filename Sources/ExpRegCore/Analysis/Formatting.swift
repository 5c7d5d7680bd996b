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
