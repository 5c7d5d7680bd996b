/// Elementary functions built only from IEEE-754 +, −, ×, ÷ and sqrt, so that data generation gives
/// bitwise-identical results on every platform (libm implementations differ in the last ulp).
///
/// Accuracy: about 1 ulp on the documented domains; these are for data generation, not the hot path.
public enum PortableMath {
    private static let ln2Hi = 6.93147180369123816490e-01  // ln 2, high 32 bits (exact times ints)
    private static let ln2Lo = 1.90821492927058770002e-10  // ln 2 - ln2Hi
    private static let piOver2Hi = 1.57079632673412561417e+00  // π/2 high part (33 bits)
    private static let piOver2Lo = 6.07710050650619224932e-11  // π/2 - piOver2Hi

    /// Natural logarithm for finite x > 0 (NaN for x ≤ 0 or NaN, +inf for +inf).
    ///
    /// x = 2^e · f with f in [1/√2, √2); ln f = 2 atanh(s), s = (f − 1)/(f + 1), |s| ≤ 0.1716,
    /// summed as an odd series to s^27 (truncation error < 1e-20 relative).
    public static func log(_ x: Double) -> Double {
        guard x > 0, x.isFinite else {
            if x == .infinity { return .infinity }
            return x == 0 ? -.infinity : .nan
        }
        var e = Double(x.exponent)
        var f = x.significand  // in [1, 2), exact
        if f > 1.4142135623730951 {
            f /= 2
            e += 1
        }
        let s = (f - 1) / (f + 1)
        let s2 = s * s
        // Horner from the highest power: Σ_{k=0}^{13} s2^k / (2k+1), smallest terms added first.
        var poly = 0.0
        for k in stride(from: 13, through: 0, by: -1) { poly = poly * s2 + 1 / Double(2 * k + 1) }
        let sum = s * poly
        return e * ln2Hi + (2 * sum + e * ln2Lo)
    }

    /// sin(x) for |x| ≤ 1e5 (argument reduction by π/2 in two parts; beyond that accuracy degrades).
    ///
    /// r = x − k·π/2 with k = round(x / (π/2)); sin or cos of r from its Taylor series to r^25.
    public static func sin(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let k = (x / (piOver2Hi + piOver2Lo)).rounded(.toNearestOrEven)
        let r = (x - k * piOver2Hi) - k * piOver2Lo
        let quadrant = Int(k.truncatingRemainder(dividingBy: 4) + 4) % 4
        switch quadrant {
        case 0: return sinSeries(r)
        case 1: return cosSeries(r)
        case 2: return -sinSeries(r)
        default: return -cosSeries(r)
        }
    }

    /// sin r for |r| ≤ π/4: Σ (−1)^k r^(2k+1)/(2k+1)!, k = 0…12, evaluated by Horner's rule.
    private static func sinSeries(_ r: Double) -> Double {
        let r2 = r * r
        // Horner: r · (1 − r²/(2·3) · (1 − r²/(4·5) · (1 − …)))
        var poly = 1.0
        for k in stride(from: 12, through: 1, by: -1) { poly = 1 - r2 / Double((2 * k) * (2 * k + 1)) * poly }
        return r * poly
    }

    /// cos r for |r| ≤ π/4: Σ (−1)^k r^(2k)/(2k)!, k = 0…12, evaluated by Horner's rule.
    private static func cosSeries(_ r: Double) -> Double {
        let r2 = r * r
        // Horner: 1 − r²/(1·2) · (1 − r²/(3·4) · (1 − …))
        var poly = 1.0
        for k in stride(from: 12, through: 1, by: -1) { poly = 1 - r2 / Double((2 * k - 1) * (2 * k)) * poly }
        return poly
    }
}
