/// Sizes for people: `812 B`, `4.2 KiB`, `2.8 MiB`, `1.3 GiB` (binary units, one decimal).
public enum ByteCountText {
    /// Formats `bytes` (negative values are shown as 0 B).
    public static func format(_ bytes: Int) -> String {
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
