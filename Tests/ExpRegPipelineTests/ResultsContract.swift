import Foundation
import Testing

/// A JSON value decoded without Foundation's number/bool ambiguity (true is never 1).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: JSONValue] = [:]
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(object)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
    var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }
}

/// Checks results.json against docs/results-json.md (schema_version 2): every field and its type.
enum ResultsContract {
    /// Run fields that measure when and how long (wall clock), not what was computed: the only
    /// fields allowed to differ between two runs of the same configuration on one kernel path.
    static let timingFields: Set<String> = ["wall_seconds", "training_seconds", "spectra_seconds"]

    enum Kind { case string, number, int, bool, array, object }

    static let batchFields: [String: (Kind, Bool)] = [
        "id": (.string, false), "manifest_name": (.string, false), "manifest_sha256": (.string, false),
        "started_at": (.string, false), "finished_at": (.string, true), "status": (.string, false),
        "tool_version": (.string, false), "host": (.string, false),
        "kernel_path": (.string, true), "cpu_model": (.string, true), "blas_core": (.string, true),
    ]
    /// (type, nullable) per run field.
    static let runFields: [String: (Kind, Bool)] = [
        "run_key": (.string, false), "experiment": (.string, false), "params": (.object, false),
        "status": (.string, false), "steps_run": (.int, false), "eta": (.number, true),
        "loss_initial": (.number, true), "loss_final": (.number, true), "loss_curve": (.array, false),
        "lambda_star": (.number, true), "lambda_max_star": (.number, true), "lambda_min_init": (.number, true),
        "lambda_min_final": (.number, true), "gram_distance_init": (.number, true),
        "gram_distance_final": (.number, true), "predicted_rate": (.number, true), "observed_rate": (.number, true),
        "envelope_violations": (.int, true), "kernel_prediction_final_loss": (.number, true),
        "width_condition_met": (.bool, true), "max_weight_movement": (.number, true),
        "max_preactivation": (.number, true), "wall_seconds": (.number, false), "error": (.string, true),
        "train_mse": (.number, true), "test_mse": (.number, true), "kernel_test_mse": (.number, true),
        "ntk_test_mse": (.number, true),
        // schema_version 2 (null for runs archived before they were recorded).
        "verdict": (.string, false), "memory_bytes": (.int, true), "flops": (.number, true),
        "training_seconds": (.number, true), "spectra_seconds": (.number, true),
    ]
    /// Per `analysis.width_scaling[]` entry.
    static let widthScalingFields: [String: (Kind, Bool)] = [
        "experiment": (.string, false), "activation": (.string, false), "fixed_params": (.object, false),
        "widths": (.array, false), "runs": (.int, false), "lambda_star": (.number, true),
        "gram_distance_slope": (.number, true), "gram_distance_constant": (.number, true),
        "gram_distance_constant_theory_slope": (.number, true), "condition_width": (.number, true),
        "condition_width_free_slope": (.number, true), "condition_met_from_width": (.int, true),
        "seconds_per_step_exponent": (.number, true), "memory_exponent": (.number, true),
        "projection": (.object, true),
    ]

    static func validate(_ json: JSONValue) throws {
        #expect(json["schema_version"] == .number(2))
        let batch = try #require(json["batch"])
        check(batch, batchFields, "batch")
        #expect(["completed", "partial", "failed"].contains(batch["status"]?.string ?? ""))
        #expect(batch["manifest_sha256"]?.string?.count == 64)
        let runs = try #require(json["runs"]?.array)
        for (i, run) in runs.enumerated() {
            check(run, runFields, "runs[\(i)]")
            #expect(["converged", "completed", "diverged", "failed"].contains(run["status"]?.string ?? ""))
            #expect(
                ["within_guarantee", "consistent", "violated", "diverged", "failed"].contains(
                    run["verdict"]?.string ?? ""))
            #expect(run["run_key"]?.string?.count == 64)
            for point in run["loss_curve"]?.array ?? [] {
                let pair = point.array ?? []
                #expect(
                    pair.count == 2 && pair.allSatisfy { $0.number != nil },
                    "runs[\(i)].loss_curve entries are [step, loss]")
            }
            if case .object(let params)? = run["params"] {
                for (key, value) in params {
                    #expect(
                        value.number != nil || value.string != nil || value.bool != nil, "params.\(key) is a scalar")
                }
            }
        }
        let analysis = try #require(json["analysis"])
        for (i, group) in (analysis["width_scaling"]?.array ?? []).enumerated() {
            check(group, widthScalingFields, "analysis.width_scaling[\(i)]")
            if let projection = group["projection"], projection != .null {
                check(
                    projection,
                    [
                        "width": (.int, false), "seconds_per_run": (.number, true),
                        "memory_bytes": (.int, false), "steps": (.int, true),
                    ],
                    "analysis.width_scaling[\(i)].projection")
            }
        }
        #expect(analysis["width_scaling"]?.array != nil && analysis["condition_width_vs_n"]?.array != nil)
        let gates = try #require(json["gates"]?.array)
        for gate in gates {
            #expect(gate["name"]?.string != nil)
            #expect(gate["passed"]?.bool != nil)
            #expect(gate["detail"]?.string != nil)
        }
    }

    static func check(_ object: JSONValue, _ fields: [String: (Kind, Bool)], _ path: String) {
        for (key, (kind, nullable)) in fields {
            guard let value = object[key] else {
                Issue.record("\(path).\(key) is missing")
                continue
            }
            if value == .null {
                #expect(nullable, "\(path).\(key) is null but must not be")
                continue
            }
            let ok: Bool
            switch kind {
            case .string: ok = value.string != nil
            case .number: ok = value.number != nil
            case .int: ok = value.number.map { $0 == $0.rounded() } ?? false
            case .bool: ok = value.bool != nil
            case .array: ok = value.array != nil
            case .object: if case .object = value { ok = true } else { ok = false }
            }
            #expect(ok, "\(path).\(key) has the wrong type: \(value)")
        }
    }
}
