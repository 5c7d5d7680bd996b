import Yams

/// How a YAML scalar reads, decided by this module (not by Yams' YAML 1.1 resolver) so that the
/// rules are explicit: quoted, literal and folded scalars and `!!str` are strings; a plain scalar is
/// null (`~`, `null`, empty), a boolean (`true`/`false` in any of the YAML case forms), an integer
/// (`[-+]?[0-9]+`, `0x…`, `0o…`), a float (`1.5`, `1e-6`, `.inf`, `.nan`), or else a string.
enum ScalarText: Equatable {
    case null
    case bool(Bool)
    /// Integer literal: the decimal digits with sign (hex/octal already converted), kept as text so
    /// that out-of-range values can be reported exactly.
    case integer(String)
    case float(Double)
    case string(String)

    init(_ scalar: Node.Scalar) {
        let tag = scalar.tag.description
        let quoted =
            scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            || scalar.style == .literal || scalar.style == .folded
        if quoted || tag == Tag.Name.str.rawValue {
            self = .string(scalar.string)
        } else {
            self = ScalarText(plain: scalar.string)
        }
    }

    /// Classifies the text of a plain (unquoted) scalar.
    init(plain text: String) {
        switch text {
        case "", "~", "null", "Null", "NULL":
            self = .null
        case "true", "True", "TRUE":
            self = .bool(true)
        case "false", "False", "FALSE":
            self = .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
            self = .float(.infinity)
        case "-.inf", "-.Inf", "-.INF":
            self = .float(-.infinity)
        case ".nan", ".NaN", ".NAN":
            self = .float(.nan)
        default:
            if let integer = Self.integerLiteral(text) {
                self = .integer(integer)
            } else if Self.isFloatLiteral(text), let value = Double(text) {
                self = .float(value)
            } else {
                self = .string(text)
            }
        }
    }

    /// `[-+]?[0-9]+` as given (leading `+` dropped), or `0x`/`0o` literals converted to decimal.
    private static func integerLiteral(_ text: String) -> String? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            if first == "-" { sign = "-" }
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        if body.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return sign + body
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8)] where body.hasPrefix(prefix) {
            let digits = body.dropFirst(2)
            guard !digits.isEmpty, let value = UInt64(digits, radix: radix) else { return nil }
            return sign + String(value)
        }
        return nil
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    static func isFloatLiteral<S: StringProtocol>(_ text: S) -> Bool {
        let chars = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < chars.count, chars[i] >= UInt8(ascii: "0"), chars[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        if i < chars.count, chars[i] == UInt8(ascii: "-") || chars[i] == UInt8(ascii: "+") { i += 1 }
        let whole = digits()
        var fraction = 0
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            fraction = digits()
        }
        guard whole > 0 || fraction > 0 else { return false }
        if i < chars.count, chars[i] == UInt8(ascii: "e") || chars[i] == UInt8(ascii: "E") {
            i += 1
            if i < chars.count, chars[i] == UInt8(ascii: "-") || chars[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == chars.count
    }

    /// How the value is named in "found …" messages, e.g. `the string "100"`, `the float 1e3`.
    func found(raw: String) -> String {
        switch self {
        case .null: return "null (an empty value)"
        case .bool(let value): return "the boolean \(value)"
        case .integer: return "the integer \(raw)"
        case .float: return "the float \(raw)"
        case .string(let value): return "the string \"\(Self.clipped(value))\""
        }
    }

    /// At most 60 characters of `text`, for messages.
    static func clipped(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }
}

extension Node {
    /// How the node is named in "found …" messages.
    var foundDescription: String {
        switch self {
        case .scalar(let scalar): return ScalarText(scalar).found(raw: ScalarText.clipped(scalar.string))
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
