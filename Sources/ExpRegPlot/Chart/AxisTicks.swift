import ExpRegCore
import Foundation

/// How data values map to an axis.
public enum AxisScale: Sendable, Equatable {
    /// Position proportional to the value.
    case linear
    /// Position proportional to log10 of the value; values ≤ 0 cannot be drawn.
    case log10
}

/// One tick of an axis: a value and its label (empty = unlabelled minor tick).
///
/// Labels use the chart's tiny markup: `^{…}` superscript, `_{…}` subscript (e.g. `10^{-3}`).
public struct Tick: Sendable, Equatable {
    /// Position in data units.
    public var value: Double
    /// Label markup; empty for an unlabelled tick.
    public var label: String
    /// A tick at `value` labelled `label`.
    public init(value: Double, label: String) {
        self.value = value
        self.label = label
    }
}

/// The range an axis spans and its ticks, both in data units.
public struct AxisTicks: Sendable, Equatable {
    /// Lower axis end (lower < upper; > 0 on a log axis).
    public var lower: Double
    /// Upper axis end.
    public var upper: Double
    /// Ticks inside `lower...upper`, ascending.
    public var ticks: [Tick]

    /// "Nice" linear ticks: steps of 1, 2 or 5 × 10^k, about `target` intervals, ends on ticks.
    ///
    /// Degenerate input is widened first: `min == max` becomes `v ± 10 %·|v|` (`-1...1` for 0);
    /// non-finite ends are replaced by `0...1`; ends beyond ±1e300 are clamped (so the range stays finite).
    /// Labels have as many decimals as the step needs; values of magnitude ≥ 1e5 or a step < 1e-3
    /// are labelled in scientific notation with one mantissa precision for the whole axis (`4e-04`, `1.25e+05`).
    /// - Parameter minimumStep: the smallest allowed step (1 for counts).
    public static func linear(
        min lowerValue: Double, max upperValue: Double, target: Int = 5,
        minimumStep: Double = 0
    ) -> AxisTicks {
        var lo = Swift.min(lowerValue, upperValue)
        var hi = Swift.max(lowerValue, upperValue)
        if !lo.isFinite || !hi.isFinite {
            (lo, hi) = (lowerValue.isFinite ? lowerValue : 0, upperValue.isFinite ? upperValue : 1)
        }
        if lo > hi { swap(&lo, &hi) }
        lo = Swift.max(-1e300, Swift.min(1e300, lo))
        hi = Swift.max(-1e300, Swift.min(1e300, hi))
        let magnitude = Swift.max(abs(lo), abs(hi))
        if hi - lo <= magnitude * 1e-12 {
            let pad = magnitude == 0 ? 1 : magnitude * 0.1
            lo -= pad
            hi += pad
        }
        let step = Swift.max(minimumStep, niceStep((hi - lo) / Double(Swift.max(1, target))))
        let first = (lo / step).rounded(.down)
        let last = (hi / step).rounded(.up)
        let lower = first * step
        let upper = last * step
        let exponent = Int(Foundation.floor(Foundation.log10(step) + 1e-9))
        let biggest = Swift.max(abs(lower), abs(upper))
        let scientific = biggest >= 1e5 || step < 1e-3
        var ticks: [Tick] = []
        let count = Int(last - first)
        for i in 0...Swift.max(0, count) {
            var value = (first + Double(i)) * step
            if abs(value) < step * 1e-9 { value = 0 }
            let label: String
            if scientific {
                let digits = Swift.max(0, Swift.min(6, Int(Foundation.floor(Foundation.log10(biggest))) - exponent))
                label = value == 0 ? "0" : formatScientific(value, digits: digits)
            } else {
                label = formatFixed(value, digits: Swift.max(0, -exponent))
            }
            ticks.append(Tick(value: value, label: label))
        }
        return AxisTicks(lower: lower, upper: upper, ticks: ticks)
    }

    /// Decade ticks for a log10 axis: ends on whole decades, decades labelled `10^{k}`.
    ///
    /// Inputs ≤ 0 or non-finite are replaced (an empty axis is `1...10`); a constant or
    /// sub-decade range is widened to at least one decade. When more than `maxLabels` decades
    /// are spanned only every k-th decade (multiples of k) is labelled; the rest are unlabelled
    /// ticks. When at most two decades are spanned, 2× and 5× minor ticks are added, unlabelled.
    /// Exponents are clamped to −307...308.
    public static func log10(min lowerValue: Double, max upperValue: Double, maxLabels: Int = 8) -> AxisTicks {
        var lo = Swift.min(lowerValue, upperValue)
        var hi = Swift.max(lowerValue, upperValue)
        let valid: (Double) -> Bool = { $0.isFinite && $0 > 0 }
        if !valid(lo) && !valid(hi) { (lo, hi) = (1, 10) } else if !valid(lo) { lo = hi } else if !valid(hi) { hi = lo }
        var kLo = Int(Foundation.floor(Foundation.log10(lo) + 1e-12))
        var kHi = Int(Foundation.ceil(Foundation.log10(hi) - 1e-12))
        kLo = Swift.max(-307, Swift.min(307, kLo))
        kHi = Swift.max(-307, Swift.min(308, kHi))
        if kHi <= kLo { kHi = kLo + 1 }
        let span = kHi - kLo
        let every = Swift.max(1, Int((Double(span) / Double(Swift.max(1, maxLabels))).rounded(.up)))
        var ticks: [Tick] = []
        for k in kLo...kHi {
            let value = Foundation.pow(10, Double(k))
            ticks.append(Tick(value: value, label: k % every == 0 ? "10^{\(k)}" : ""))
            if span <= 2 && k < kHi {
                ticks.append(Tick(value: 2 * value, label: ""))
                ticks.append(Tick(value: 5 * value, label: ""))
            }
        }
        return AxisTicks(lower: Foundation.pow(10, Double(kLo)), upper: Foundation.pow(10, Double(kHi)), ticks: ticks)
    }

    /// Ticks for `scale` covering `min...max`.
    public static func make(scale: AxisScale, min: Double, max: Double) -> AxisTicks {
        switch scale {
        case .linear: return linear(min: min, max: max)
        case .log10: return log10(min: min, max: max)
        }
    }

    /// The smallest of 1, 2, 5, 10 × 10^k that is ≥ `raw` (raw > 0).
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 + 1e-9 ? 1 : normalized <= 2 + 1e-9 ? 2 : normalized <= 5 + 1e-9 ? 5 : 10
        return factor * magnitude
    }
}
