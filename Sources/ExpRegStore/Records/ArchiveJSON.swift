import ExpRegCore
import Foundation

/// The JSON coder of every JSON column of the archive (plan, config, params, overrides, gates).
///
/// Deterministic (sorted keys); non-finite Doubles are written as the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"` instead of failing.
enum ArchiveJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(type, from: Data(text.utf8))
    }
}

/// A `Param` with its type made explicit: `{"key": "model.width", "int": 1024}`.
///
/// `ParamValue`'s own Codable form is untagged, and JSON writes `1.0` as `1`, so a `.double(1.0)`
/// would come back as `.int(1)`. The archive stores one of the tags `int`, `double`, `string`, `bool`.
struct StoredParam: Codable, Equatable {
    var param: Param

    init(_ param: Param) { self.param = param }

    private enum CodingKeys: String, CodingKey {
        case key, int, double, string, bool
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let key = try c.decode(String.self, forKey: .key)
        let value: ParamValue
        if let v = try c.decodeIfPresent(Int.self, forKey: .int) {
            value = .int(v)
        } else if let v = try c.decodeIfPresent(Double.self, forKey: .double) {
            value = .double(v)
        } else if let v = try c.decodeIfPresent(Bool.self, forKey: .bool) {
            value = .bool(v)
        } else if let v = try c.decodeIfPresent(String.self, forKey: .string) {
            value = .string(v)
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .key, in: c, debugDescription: "param \(key) has none of the tags int/double/string/bool")
        }
        param = Param(key: key, value: value)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(param.key, forKey: .key)
        switch param.value {
        case .int(let v): try c.encode(v, forKey: .int)
        case .double(let v): try c.encode(v, forKey: .double)
        case .string(let v): try c.encode(v, forKey: .string)
        case .bool(let v): try c.encode(v, forKey: .bool)
        }
    }
}

/// The archived form of a `RunSpec` (inside `batches.plan_json`); params are tagged (``StoredParam``).
struct StoredRunSpec: Codable, Equatable {
    var index: Int
    var experiment: String
    var runKey: String
    var config: RunConfig
    var params: [StoredParam]
    var sweptKeys: [String]

    private enum CodingKeys: String, CodingKey {
        case index, experiment, config, params
        case runKey = "run_key"
        case sweptKeys = "swept_keys"
    }

    init(_ spec: RunSpec) {
        index = spec.index
        experiment = spec.experiment
        runKey = spec.runKey
        config = spec.config
        params = spec.params.map(StoredParam.init)
        sweptKeys = spec.sweptKeys
    }

    var spec: RunSpec {
        RunSpec(
            index: index, experiment: experiment, runKey: runKey, config: config,
            params: params.map(\.param), sweptKeys: sweptKeys)
    }
}

/// The archived form of a `Plan` (`batches.plan_json`), for `--resume` and `plan(batchID:)`.
struct StoredPlan: Codable, Equatable {
    var name: String
    var title: String?
    var runs: [StoredRunSpec]
    var gates: GateConfig
    var compareWith: CompareWith
    var overrides: [String]

    private enum CodingKeys: String, CodingKey {
        case name, title, runs, gates, overrides
        case compareWith = "compare_with"
    }

    init(_ plan: Plan) {
        name = plan.name
        title = plan.title
        runs = plan.runs.map(StoredRunSpec.init)
        gates = plan.gates
        compareWith = plan.compareWith
        overrides = plan.overrides
    }

    var plan: Plan {
        Plan(
            name: name, title: title, runs: runs.map(\.spec), gates: gates, compareWith: compareWith,
            overrides: overrides)
    }
}
