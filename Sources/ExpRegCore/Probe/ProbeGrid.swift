/// The widths at which a condition probe records ‖H_m(W0) − H*‖₂: a fixed geometric grid with four
/// points per octave, the same for every probe whatever its maximum width or thread count.
///
/// w_k = c_{k mod 4} · 2^⌊k/4⌋ for k = 0, 1, 2, …, with the mantissas c = (16, 19, 23, 27), i.e.
/// 16 · 2^(j/4) for j = 0…3 rounded to the nearest integer:
/// 16, 19, 23, 27, 32, 38, 46, 54, 64, 76, 92, 108, 128, …, 1,048,576 (k = 64), …
/// Neighbouring widths differ by a factor between 1.17 and 1.21; every power of two from 16 on is a
/// grid width. Integer arithmetic only (no `pow`), so the grid is the same on every machine.
public enum ProbeGrid {
    /// Grid widths per doubling of the width.
    public static let pointsPerOctave = 4
    /// c_j = round(16 · 2^(j/4)), j = 0…3.
    public static let mantissas = [16, 19, 23, 27]
    /// w_0 = 16.
    public static var smallestWidth: Int { mantissas[0] }
    /// The largest width the grid goes to (2^46: far beyond any probe, and n²·m stays finite in Double).
    public static let largestWidth = 1 << 46

    /// w_k.
    /// - Precondition: 0 ≤ k and w_k ≤ ``largestWidth``.
    public static func width(at index: Int) -> Int {
        precondition(index >= 0 && index / pointsPerOctave <= 42, "ProbeGrid: index \(index) out of range")
        return mantissas[index % pointsPerOctave] << (index / pointsPerOctave)
    }

    /// Every grid width ≤ `maxWidth`, ascending (empty when `maxWidth` < 16).
    public static func widths(upTo maxWidth: Int) -> [Int] {
        var widths: [Int] = []
        var index = 0
        while index / pointsPerOctave <= 42 {
            let width = width(at: index)
            guard width <= min(maxWidth, largestWidth) else { break }
            widths.append(width)
            index += 1
        }
        return widths
    }

    /// The smallest grid width ≥ `width` (16 for anything up to 16); nil beyond ``largestWidth``.
    public static func width(atLeast width: Double) -> Int? {
        guard width.isFinite, width <= Double(largestWidth) else { return nil }
        var index = 0
        while Double(self.width(at: index)) < width { index += 1 }
        return self.width(at: index)
    }
}
