import ExpRegCore

/// A validated value of one run-configuration key.
enum SettingValue: Sendable, Equatable, Hashable {
    case integer(Int)
    case seed(UInt64)
    case number(Double)
    case text(String)
    case flag(Bool)
    /// `train.learning_rate: auto`.
    case auto

    /// The value as it appears in `RunSpec.params`: seeds above `Int.max` become decimal strings
    /// (``ParamValue`` has no unsigned case).
    var param: ParamValue {
        switch self {
        case .integer(let v): return .int(v)
        case .seed(let v): return v <= UInt64(Int.max) ? .int(Int(v)) : .string(String(v))
        case .number(let v): return .double(v)
        case .text(let v): return .string(v)
        case .flag(let v): return .bool(v)
        case .auto: return .string("auto")
        }
    }

    /// The value in the canonical JSON of a run_key: integers in decimal, doubles in Swift's
    /// shortest round-trip form (`1.0`, `1e-06`), strings quoted, booleans `true`/`false`.
    var canonicalJSON: String {
        switch self {
        case .integer(let v): return String(v)
        case .seed(let v): return String(v)
        case .number(let v): return "\(v)"
        case .text(let v): return CanonicalJSON.quoted(v)
        case .flag(let v): return v ? "true" : "false"
        case .auto: return CanonicalJSON.quoted("auto")
        }
    }

    /// The value as written in plan summaries.
    var display: String {
        switch self {
        case .integer(let v): return String(v)
        case .seed(let v): return String(v)
        case .number(let v): return "\(v)"
        case .text(let v): return v
        case .flag(let v): return v ? "true" : "false"
        case .auto: return "auto"
        }
    }
}
