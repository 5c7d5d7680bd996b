import GRDB

/// A Double as stored in a REAL column, NaN included.
///
/// SQLite turns a bound NaN into NULL, which would confuse "not computed" (nil) with NaN. This
/// wrapper stores NaN as the TEXT `'NaN'` (REAL affinity leaves that text alone) and every other
/// value, ±infinity included, as REAL, so values round-trip bit for bit (NaN payloads aside).
struct ArchivedDouble: Codable, Equatable, DatabaseValueConvertible {
    var value: Double

    init(_ value: Double) { self.value = value }

    /// Wraps an optional Double (nil stays NULL).
    static func wrap(_ value: Double?) -> ArchivedDouble? { value.map(ArchivedDouble.init) }

    var databaseValue: DatabaseValue {
        value.isNaN ? "NaN".databaseValue : value.databaseValue
    }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ArchivedDouble? {
        switch dbValue.storage {
        case .double(let d): return ArchivedDouble(d)
        case .int64(let i): return ArchivedDouble(Double(i))
        case .string(let s) where s == "NaN": return ArchivedDouble(.nan)
        default: return nil
        }
    }

    // Codable through the database value (GRDB uses DatabaseValueConvertible for columns); the
    // JSON form is only a fallback and follows the same NaN convention.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), text == "NaN" {
            value = .nan
        } else {
            value = try container.decode(Double.self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isNaN { try container.encode("NaN") } else { try container.encode(value) }
    }
}
