/// The canonical JSON text hashed into a run_key: one object, keys sorted by their UTF-8 bytes,
/// no whitespace, values as ``SettingValue/canonicalJSON`` writes them.
enum CanonicalJSON {
    /// A JSON string literal (quotes, backslashes and control characters escaped).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `{"a":1,"b":"x"}` with keys sorted bytewise; values must already be JSON text.
    static func object(_ members: [String: String]) -> String {
        let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out = "{"
        for (i, key) in keys.enumerated() {
            if i > 0 { out += "," }
            out += quoted(key)
            out += ":"
            out += members[key] ?? "null"
        }
        return out + "}"
    }
}
