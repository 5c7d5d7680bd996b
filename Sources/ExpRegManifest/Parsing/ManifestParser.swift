import ExpRegCore
import Yams

/// Turns the composed YAML tree into a ``ManifestDocument``, checking every key, type and range
/// and reporting every problem (not only the first) to the sink.
struct ManifestParser {
    var file: String
    var reader: MappingReader { MappingReader(file: file) }

    static let topLevelKeys = ["name", "title", "defaults", "experiments", "gates", "report", "notify"]
    static let defaultsKeys = ["seed", "data", "model", "train"]
    static let experimentKeys = ["name", "seed", "data", "model", "train", "sweep"]
    static let gateKeys = GateConfig.Name.allCases.map(\.rawValue)
    static let reportKeys = ["compare_with"]

    init(file: String) { self.file = file }

    /// Parses the document root (nil for an empty file).
    func parse(_ root: Node?, sink: inout DiagnosticSink) -> ManifestDocument {
        var document = ManifestDocument()
        let top = Origin(file: file, line: 1, column: 1, keyPath: "")
        guard let root else {
            sink.error(at: top, "the manifest is empty; expected a mapping with at least `name` and `experiments`")
            return document
        }
        if case .mapping = root {
        } else {
            sink.error(
                at: Origin(file: file, mark: root.mark, keyPath: ""),
                "expected a mapping with at least `name` and `experiments` at the top level, found \(root.foundDescription)"
            )
            return document
        }
        guard let entries = reader.entries(of: root, path: "", allowed: Self.topLevelKeys, sink: &sink) else {
            return document
        }
        let rootOrigin = Origin(file: file, mark: root.mark, keyPath: "")
        var sawName = false
        var sawExperiments = false
        for entry in entries {
            switch entry.key {
            case "name":
                sawName = true
                document.name = parseName(entry.value, origin: entry.valueOrigin, what: "a manifest name", sink: &sink)
            case "title":
                document.title = parseTitle(entry.value, origin: entry.valueOrigin, sink: &sink)
            case "defaults":
                document.defaults =
                    parseLayer(entry.value, path: "defaults", allowed: Self.defaultsKeys, sink: &sink)?.layer ?? [:]
            case "experiments":
                sawExperiments = true
                document.experiments = parseExperiments(entry.value, origin: entry.valueOrigin, sink: &sink)
            case "gates":
                document.gates = parseGates(entry.value, sink: &sink)
            case "report":
                document.compareWith = parseReport(entry.value, sink: &sink)
            case "notify":
                document.notify = parseNotify(entry.value, origin: entry.valueOrigin, sink: &sink)
            default:
                break
            }
        }
        // A misspelled required key is already reported as unknown, with the suggestion.
        if case .mapping(let mapping) = root {
            for key in mapping.keys.compactMap({ $0.scalar?.string }) where !Self.topLevelKeys.contains(key) {
                switch KeySuggestion.nearest(to: key, among: Self.topLevelKeys) {
                case "name": sawName = true
                case "experiments": sawExperiments = true
                default: break
                }
            }
        }
        if !sawName {
            sink.error(
                at: rootOrigin.with(keyPath: "name"), "missing required key `name`",
                suggestion: "add e.g. `name: nightly-exp` ([A-Za-z0-9._-]+)")
        }
        if !sawExperiments {
            sink.error(
                at: rootOrigin.with(keyPath: "experiments"), "missing required key `experiments`",
                suggestion: "add a list with at least one experiment, e.g. `experiments: [{name: baseline}]`")
        }
        return document
    }

    // MARK: Scalars

    /// A name: a non-empty scalar made of [A-Za-z0-9._-].
    func parseName(_ node: Node, origin: Origin, what: String, sink: inout DiagnosticSink) -> String? {
        guard case .scalar(let scalar) = node, ScalarText(scalar) != .null else {
            sink.error(at: origin, "expected \(what) ([A-Za-z0-9._-]+), found \(node.foundDescription)")
            return nil
        }
        let name = scalar.string
        guard Self.isValidName(name) else {
            let cleaned = String(name.compactMap { $0 == " " ? "-" : (Self.isNameCharacter($0) ? $0 : nil) })
            sink.error(
                at: origin,
                "expected \(what) made only of letters, digits, `.`, `_` and `-`, found \"\(ScalarText.clipped(name))\"",
                suggestion: cleaned.isEmpty ? nil : "e.g. `\(ScalarText.clipped(cleaned))`")
            return nil
        }
        return name
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-")
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy(isNameCharacter)
    }

    private func parseTitle(_ node: Node, origin: Origin, sink: inout DiagnosticSink) -> String? {
        guard case .scalar(let scalar) = node else {
            sink.error(at: origin, "expected a text title, found \(node.foundDescription)")
            return nil
        }
        return ScalarText(scalar) == .null ? nil : scalar.string
    }

    // MARK: Layers

    /// Reads a mapping of `seed`, `data`, `model`, `train` (and, for experiments, `name`, `sweep`)
    /// into a layer. Returns the layer and the entries not handled here (`name`, `sweep`).
    func parseLayer(
        _ node: Node, path: String, allowed: [String],
        sink: inout DiagnosticSink
    ) -> (layer: SettingLayer, other: [MappingEntry])? {
        guard
            let entries = reader.entries(
                of: node, path: path, allowed: allowed, sink: &sink,
                hint: Self.dottedKeyHint)
        else { return nil }
        var layer = SettingLayer()
        var other: [MappingEntry] = []
        for entry in entries {
            switch entry.key {
            case "seed":
                layer[.seed] = setting(.seed, entry.value, origin: entry.valueOrigin, sink: &sink)
            case let section where ConfigKey.sections.contains(section):
                let keys = ConfigKey.keys(inSection: section)
                guard
                    let inner = reader.entries(
                        of: entry.value, path: entry.valueOrigin.keyPath,
                        allowed: keys.map(\.leaf), sink: &sink)
                else { continue }
                for item in inner {
                    guard let key = keys.first(where: { $0.leaf == item.key }) else { continue }
                    layer[key] = setting(key, item.value, origin: item.valueOrigin, sink: &sink)
                }
            default:
                other.append(entry)
            }
        }
        return (layer, other)
    }

    /// A written value checked against its key's rule (problems reported, value nil).
    func setting(_ key: ConfigKey, _ node: Node, origin: Origin, sink: inout DiagnosticSink) -> LocatedSetting {
        switch key.rule.parse(node) {
        case .success(let value):
            return LocatedSetting(value: value, origin: origin)
        case .failure(let problem):
            sink.error(at: origin, problem.message, suggestion: problem.suggestion)
            return LocatedSetting(value: nil, origin: origin)
        }
    }

    /// For `model.width: 8` written inside `defaults`/an experiment: say to nest it.
    static func dottedKeyHint(_ key: String) -> String? {
        guard let configKey = ConfigKey(rawValue: key), let section = configKey.section else { return nil }
        return
            "dotted keys are for `sweep` and `--set`; here write `\(section):` with `\(configKey.leaf):` nested under it"
    }

    // MARK: Experiments

    private func parseExperiments(_ node: Node, origin: Origin, sink: inout DiagnosticSink) -> [ExperimentSpec] {
        guard case .sequence(let sequence) = node else {
            sink.error(at: origin, "expected a list of experiments (`- name: …` lines), found \(node.foundDescription)")
            return []
        }
        guard !sequence.isEmpty else {
            sink.error(
                at: origin, "expected at least one experiment, found an empty list",
                suggestion: "add e.g. `- name: baseline`")
            return []
        }
        var experiments: [ExperimentSpec] = []
        var firstByName: [String: Origin] = [:]
        for (index, item) in sequence.enumerated() {
            let path = "experiments[\(index)]"
            let itemOrigin = Origin(file: file, mark: item.mark, keyPath: path)
            guard let (layer, other) = parseLayer(item, path: path, allowed: Self.experimentKeys, sink: &sink) else {
                continue
            }
            var experiment = ExperimentSpec(name: nil, origin: itemOrigin, layer: layer, sweep: [])
            var sawName = false
            for entry in other {
                switch entry.key {
                case "name":
                    sawName = true
                    guard
                        let name = parseName(
                            entry.value, origin: entry.valueOrigin, what: "an experiment name",
                            sink: &sink)
                    else { continue }
                    if let first = firstByName[name] {
                        sink.error(
                            at: entry.valueOrigin,
                            "duplicate experiment name \"\(name)\"; it is already used at line \(first.line ?? 0)",
                            suggestion: "give every experiment a unique name")
                    } else {
                        firstByName[name] = entry.valueOrigin
                    }
                    experiment.name = name
                    experiment.origin = entry.valueOrigin.with(keyPath: path)
                case "sweep":
                    experiment.sweep = parseSweep(entry.value, path: entry.valueOrigin.keyPath, sink: &sink)
                default:
                    break
                }
            }
            if !sawName {
                sink.error(
                    at: itemOrigin.with(keyPath: "\(path).name"), "missing required key `name` in this experiment",
                    suggestion: "add e.g. `name: experiment-\(index + 1)`")
            }
            experiments.append(experiment)
        }
        return experiments
    }

    private func parseSweep(_ node: Node, path: String, sink: inout DiagnosticSink) -> [SweepAxis] {
        let origin = Origin(file: file, mark: node.mark, keyPath: path)
        if case .scalar(let scalar) = node, ScalarText(scalar) == .null {
            sink.error(
                at: origin, "expected a mapping of dotted keys to lists of values, found an empty sweep",
                suggestion: "remove `sweep:` or add e.g. `model.width: [256, 1024]`")
            return []
        }
        guard case .mapping(let mapping) = node else {
            sink.error(
                at: origin, "expected a mapping of dotted keys to lists of values, found \(node.foundDescription)")
            return []
        }
        if mapping.isEmpty {
            sink.error(
                at: origin, "expected at least one swept key, found an empty mapping",
                suggestion: "remove `sweep:` or add e.g. `model.width: [256, 1024]`")
            return []
        }
        var axes: [SweepAxis] = []
        for (keyNode, valueNode) in mapping {
            let keyOrigin = Origin(file: file, mark: keyNode.mark, keyPath: path)
            guard case .scalar(let keyScalar) = keyNode else {
                sink.error(
                    at: keyOrigin,
                    "expected a dotted key such as `model.width`, found \(keyNode.foundDescription) as a key")
                continue
            }
            let name = keyScalar.string
            let keyPath = MappingReader.join(path, name)
            guard let key = ConfigKey(rawValue: name) else {
                sink.error(
                    at: keyOrigin.with(keyPath: keyPath),
                    "unknown sweep key `\(ScalarText.clipped(name))`; expected a dotted key among: \(ConfigKey.dottedNames.joined(separator: ", "))",
                    suggestion: ConfigKey.suggestion(forDotted: name))
                continue
            }
            let valueOrigin = Origin(file: file, mark: valueNode.mark, keyPath: keyPath)
            guard case .sequence(let list) = valueNode else {
                var hint: String? = nil
                if case .scalar(let scalar) = valueNode, ScalarText(scalar) != .null {
                    hint =
                        "write a list, e.g. `\(name): [\(ScalarText.clipped(scalar.string))]`, or set the key outside `sweep`"
                }
                sink.error(
                    at: valueOrigin, "expected a non-empty list of values, found \(valueNode.foundDescription)",
                    suggestion: hint)
                continue
            }
            guard !list.isEmpty else {
                sink.error(
                    at: valueOrigin, "expected a non-empty list of values, found an empty list",
                    suggestion: "list at least one value or remove `\(name)` from the sweep")
                continue
            }
            var values: [LocatedSetting] = []
            var firstIndex: [SettingValue: Int] = [:]
            for (index, element) in list.enumerated() {
                let elementOrigin = Origin(file: file, mark: element.mark, keyPath: "\(keyPath)[\(index)]")
                var value = setting(key, element, origin: elementOrigin, sink: &sink)
                if let parsed = value.value {
                    if let first = firstIndex[parsed] {
                        sink.error(
                            at: elementOrigin, "duplicate sweep value \(parsed.display) (same as element \(first))",
                            suggestion: "list each value once")
                        value.value = nil
                    } else {
                        firstIndex[parsed] = index
                    }
                }
                values.append(value)
            }
            axes.append(
                SweepAxis(key: key, values: values, origin: Origin(file: file, mark: keyNode.mark, keyPath: keyPath)))
        }
        return axes
    }

    // MARK: Gates and report

    private func parseGates(_ node: Node, sink: inout DiagnosticSink) -> GateConfig {
        var gates = GateConfig()
        guard let entries = reader.entries(of: node, path: "gates", allowed: Self.gateKeys, sink: &sink) else {
            return gates
        }
        for entry in entries {
            // `entries(of:allowed:)` reported every key that is not a gate.
            guard let name = GateConfig.Name(rawValue: entry.key) else { continue }
            let rule: ValueRule
            switch name {
            case .maxFinalLoss: rule = .number(atLeast: 0, exclusive: true)
            case .maxDiverged: rule = .integer(0...Int.max)
            case .maxRegression: rule = .number(atLeast: 1, exclusive: false)
            }
            if case .scalar(let scalar) = entry.value, ScalarText(scalar) == .null { continue }
            switch (name, rule.parse(entry.value)) {
            case (_, .failure(let problem)):
                sink.error(at: entry.valueOrigin, problem.message, suggestion: problem.suggestion)
            case (.maxFinalLoss, .success(.number(let value))):
                gates.maxFinalLoss = value
            case (.maxRegression, .success(.number(let value))):
                gates.maxRegression = value
            case (.maxDiverged, .success(.integer(let value))):
                gates.maxDiverged = value
            case (_, .success):
                break
            }
        }
        return gates
    }

    private func parseReport(_ node: Node, sink: inout DiagnosticSink) -> CompareWith {
        guard let entries = reader.entries(of: node, path: "report", allowed: Self.reportKeys, sink: &sink) else {
            return .previous
        }
        var compareWith = CompareWith.previous
        for entry in entries {
            let rule = ValueRule.choice(CompareWith.allCases.map(\.rawValue))
            switch rule.parse(entry.value) {
            case .failure(let problem):
                sink.error(at: entry.valueOrigin, problem.message, suggestion: problem.suggestion)
            case .success(let value):
                if case .text(let word) = value, let parsed = CompareWith(rawValue: word) { compareWith = parsed }
            }
        }
        return compareWith
    }
}
