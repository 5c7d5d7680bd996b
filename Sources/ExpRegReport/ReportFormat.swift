import ExpRegCore
import Foundation

/// The number formatting rules of every report (one function per kind of number).
///
/// All three outputs and the traceability test use these functions, so a number printed in
/// `summary.ja.md` is `ReportFormat.<kind>(value)` of a value in `results.json` (or of a statistic
/// recomputed from it). Non-finite values print as `NaN`, `inf`, `-inf`; missing values as `—`.
/// All rules are C `printf` conversions (locale-independent, deterministic) plus ASCII grouping.
public enum ReportFormat {
    /// Printed for a value that is absent (`null` in results.json).
    public static let missing = "—"

    /// A count or an integer quantity (runs, seeds, steps, violations): grouped thousands, e.g. `24`, `1,200`.
    public static func count(_ value: Int) -> String { grouped(value) }

    /// A width m with thousands separators, e.g. `4,096`, `65,536`.
    public static func width(_ value: Int) -> String { grouped(value) }

    /// A width that a fit predicts (a real number, an estimate): rounded *up* to three significant
    /// digits, then `width(_:)`, e.g. 647,379.2 → `648,000`, 912.3 → `913`. Up, because a width
    /// below the prediction would not meet the condition by the fit.
    public static func predictedWidth(_ value: Double) -> String { formatPredictedWidth(value) }

    /// A median number of steps (may be a half-integer): rounded half away from zero, grouped.
    public static func steps(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : "inf" }
        return grouped(Int(value.rounded(.toNearestOrAwayFromZero)))
    }

    /// A loss value in scientific notation with two decimals (`%.2e`), e.g. `3.14e-07`.
    public static func loss(_ value: Double) -> String { formatScientific(value, digits: 2) }

    /// A per-step contraction rate (`%.4f`), e.g. `0.9961`.
    public static func rate(_ value: Double) -> String { formatFixed(value, digits: 4) }

    /// A fitted log–log slope (`%.2f`), e.g. `-0.49`.
    public static func slope(_ value: Double) -> String { formatFixed(value, digits: 2) }

    /// A ratio of two losses or two step counts (`%.2f`), e.g. `2.30`.
    public static func ratio(_ value: Double) -> String { formatFixed(value, digits: 2) }

    /// A magnitude with four significant digits (`%.4g`): eigenvalues, spectral norms, eta,
    /// pre-activations, weight movements, e.g. `1.579`, `0.0003126`, `2.54e+04`.
    public static func magnitude(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
        return String(format: "%.4g", value)
    }

    /// A run diagnostic (``DiagnosticField``) by its kind of number: rates with ``rate(_:)``, the
    /// kernel-regime loss with ``loss(_:)``, violations with ``count(_:)``, the width condition as
    /// `yes`/`no`, every other (eigenvalues, spectral norms, movements) with ``magnitude(_:)``;
    /// ``missing`` when not computed.
    public static func diagnostic(_ field: DiagnosticField, of diagnostics: TheoryDiagnostics) -> String {
        switch diagnostics[field] {
        case .count(let value): return optional(value, count)
        case .flag(let value): return value.map { $0 ? "yes" : "no" } ?? missing
        case .real(let value):
            switch field {
            case .predictedRate, .observedRate: return optional(value, rate)
            case .kernelPredictionFinalLoss: return optional(value, loss)
            default: return optional(value, magnitude)
            }
        }
    }

    /// A duration as `H:MM:SS` (whole seconds, rounded down).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return missing }
        let total = Int(seconds.rounded(.down))
        return String(format: "%d:%02d:%02d", total / 3600, (total / 60) % 60, total % 60)
    }

    /// A memory size with its unit (Core's ``ByteFormat/memory(_:)``: `3.91 GiB`, `31 MiB`).
    public static func memory(_ bytes: Int) -> String { ByteFormat.memory(bytes) }

    /// The gate threshold `max_final_loss` exactly as Core's gate detail prints it (`%.1e`).
    public static func gateLoss(_ value: Double) -> String { formatScientific(value, digits: 1) }

    /// The gate threshold `max_regression` exactly as Core's gate detail prints it (`%.2f`).
    public static func gateRatio(_ value: Double) -> String { formatFixed(value, digits: 2) }

    /// The UTC calendar date `yyyy-MM-dd` of a timestamp.
    public static func date(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// A UTC timestamp `yyyy-MM-dd HH:mm:ss UTC`.
    public static func timestamp(_ date: Date) -> String {
        let p = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", p.year ?? 0, p.month ?? 0, p.day ?? 0,
            p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }

    /// `formatter(value)` or ``missing`` when the value is nil.
    public static func optional<T>(_ value: T?, _ formatter: (T) -> String) -> String {
        value.map(formatter) ?? missing
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    private static func grouped(_ value: Int) -> String { formatGrouped(value) }
}
