import Yams

/// Why a value was rejected: what was expected and what was found, and a possible fix.
struct ValueProblem: Error, Equatable {
    var message: String
    var suggestion: String?
}

/// The type and range a key accepts, and how a YAML scalar is read into a ``SettingValue``.
enum ValueRule: Sendable {
    /// An integer in the range (YAML int; floats such as `1e3` or `1024.0` are rejected with a hint).
    case integer(ClosedRange<Int>)
    /// An integer in 0...UInt64.max.
    case seed
    /// A finite number greater than the bound (`exclusive`) or at least the bound.
    case number(atLeast: Double, exclusive: Bool)
    /// One of the given words.
    case choice([String])
    /// `true` or `false` (also `yes`/`no`/`on`/`off`).
    case flag
    /// `auto` or a finite number > 0.
    case learningRate
    /// Any non-empty scalar text (a file path).
    case path

    /// "an integer from 1 to 8192", "a finite number > 0", "one of: exp, relu", …
    var expected: String {
        switch self {
        case .integer(let range):
            return range.upperBound == Int.max
                ? "an integer ≥ \(range.lowerBound)"
                : "an integer from \(range.lowerBound) to \(range.upperBound)"
        case .seed: return "an integer from 0 to \(UInt64.max)"
        case .number(let bound, let exclusive):
            return "a finite number \(exclusive ? ">" : "≥") \(Self.format(bound))"
        case .choice(let words): return "one of: \(words.joined(separator: ", "))"
        case .flag: return "true or false"
        case .learningRate: return "`auto` or a finite number > 0"
        case .path: return "a file path"
        }
    }

    /// Reads `node` under this rule.
    func parse(_ node: Node) -> Result<SettingValue, ValueProblem> {
        guard case .scalar(let scalar) = node else {
            return .failure(problem("found \(node.foundDescription)"))
        }
        let text = ScalarText(scalar)
        let raw = ScalarText.clipped(scalar.string)
        let found = text.found(raw: raw)
        let quotedNumber: String? = {
            guard case .string(let s) = text else { return nil }
            switch ScalarText(plain: s) {
            case .integer, .float: return "remove the quotes"
            default: return nil
            }
        }()
        switch self {
        case .integer(let range):
            switch text {
            case .integer(let digits):
                guard let value = Int(digits) else {
                    return .failure(problem("found \(found), which is out of range"))
                }
                guard range.contains(value) else { return .failure(problem("found \(value)")) }
                return .success(.integer(value))
            case .float(let value):
                var hint: String? = nil
                if value.isFinite, value.rounded() == value, abs(value) < 1e18 {
                    hint = "write it as an integer: \(Int(value))"
                }
                return .failure(problem("found \(found)", suggestion: hint))
            default:
                return .failure(problem("found \(found)", suggestion: quotedNumber))
            }
        case .seed:
            switch text {
            case .integer(let digits):
                if digits.hasPrefix("-") { return .failure(problem("found \(found)")) }
                guard let value = UInt64(digits) else {
                    return .failure(problem("found \(found), which is out of range"))
                }
                return .success(.seed(value))
            case .float(let value):
                let hint =
                    value.isFinite && value >= 0 && value.rounded() == value && value < 1e18
                    ? "write it as an integer: \(UInt64(value))" : nil
                return .failure(problem("found \(found)", suggestion: hint))
            default:
                return .failure(problem("found \(found)", suggestion: quotedNumber))
            }
        case .number(let bound, let exclusive):
            guard let value = Self.number(text) else {
                return .failure(problem("found \(found)", suggestion: quotedNumber))
            }
            guard value.isFinite, exclusive ? value > bound : value >= bound else {
                return .failure(problem("found \(raw)"))
            }
            return .success(.number(value))
        case .choice(let words):
            guard case .string(let word) = text else {
                return .failure(problem("found \(found)"))
            }
            guard words.contains(word) else {
                return .failure(
                    problem(
                        "found \"\(ScalarText.clipped(word))\"",
                        suggestion: KeySuggestion.didYouMean(word, among: words)))
            }
            return .success(.text(word))
        case .flag:
            switch text {
            case .bool(let value): return .success(.flag(value))
            case .string(let word) where scalar.style == .plain || scalar.style == .any:
                switch word {
                case "yes", "Yes", "YES", "on", "On", "ON": return .success(.flag(true))
                case "no", "No", "NO", "off", "Off", "OFF": return .success(.flag(false))
                default: return .failure(problem("found \(found)"))
                }
            default:
                return .failure(problem("found \(found)"))
            }
        case .learningRate:
            if case .string("auto") = text { return .success(.auto) }
            guard let value = Self.number(text) else {
                let hint: String?
                if case .string(let word) = text {
                    hint = quotedNumber ?? KeySuggestion.didYouMean(word, among: ["auto"])
                } else {
                    hint = nil
                }
                return .failure(problem("found \(found)", suggestion: hint))
            }
            guard value.isFinite, value > 0 else { return .failure(problem("found \(raw)")) }
            return .success(.number(value))
        case .path:
            if case .null = text { return .failure(problem("found \(found)")) }
            guard !scalar.string.isEmpty else { return .failure(problem("found an empty string")) }
            return .success(.text(scalar.string))
        }
    }

    private func problem(_ found: String, suggestion: String? = nil) -> ValueProblem {
        ValueProblem(message: "expected \(expected), \(found)", suggestion: suggestion)
    }

    /// The numeric value of an integer or float literal.
    private static func number(_ text: ScalarText) -> Double? {
        switch text {
        case .integer(let digits): return Double(digits)
        case .float(let value): return value
        default: return nil
        }
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
