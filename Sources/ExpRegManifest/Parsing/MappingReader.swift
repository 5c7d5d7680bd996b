import Yams

/// One key of a mapping, after merge keys (`<<: *anchor`) are applied.
struct MappingEntry {
    var key: String
    var value: Node
    /// Position of the value, and the full key path.
    var valueOrigin: Origin
}

/// Reads YAML mappings against a list of allowed keys, reporting unknown keys with suggestions.
struct MappingReader {
    var file: String

    /// `parent.key` (or `key` at the top).
    static func join(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : "\(parent).\(key)"
    }

    /// The entries of the mapping `node` at `path`, in order, restricted to `allowed` keys.
    ///
    /// A null node (`defaults:` with nothing under it) reads as an empty mapping. Merge keys
    /// (`<<: *base` or `<<: [*a, *b]`) add the merged mapping's keys that are not written
    /// explicitly. Unknown keys are reported (with the nearest allowed key, or `hint(key)`), and
    /// skipped. Returns nil (after reporting) when `node` is not a mapping.
    func entries(
        of node: Node, path: String, allowed: [String], sink: inout DiagnosticSink,
        hint: (String) -> String? = { _ in nil }
    ) -> [MappingEntry]? {
        let origin = Origin(file: file, mark: node.mark, keyPath: path)
        if case .scalar(let scalar) = node, ScalarText(scalar) == .null { return [] }
        guard case .mapping(let mapping) = node else {
            sink.error(at: origin, "expected a mapping (key: value lines), found \(node.foundDescription)")
            return nil
        }
        var explicit: [MappingEntry] = []
        var merged: [MappingEntry] = []
        collect(
            mapping, path: path, allowed: allowed, depth: 0, explicit: &explicit, merged: &merged,
            sink: &sink, hint: hint)
        let written = Set(explicit.map(\.key))
        var seenMerged = Set<String>()
        let extra = merged.filter { !written.contains($0.key) && seenMerged.insert($0.key).inserted }
        return explicit + extra
    }

    private func collect(
        _ mapping: Node.Mapping, path: String, allowed: [String], depth: Int,
        explicit: inout [MappingEntry], merged: inout [MappingEntry],
        sink: inout DiagnosticSink, hint: (String) -> String?
    ) {
        for (keyNode, value) in mapping {
            let keyOrigin = Origin(file: file, mark: keyNode.mark, keyPath: path)
            guard case .scalar(let keyScalar) = keyNode else {
                sink.error(at: keyOrigin, "expected a key name, found \(keyNode.foundDescription) as a key")
                continue
            }
            let key = keyScalar.string
            if key == "<<", keyScalar.style == .plain || keyScalar.style == .any {
                // swift-format-ignore: ReplaceForEachWithForLoop
                // (`return` in the body moves on to the next source.)
                mergeSources(value).forEach { source in
                    guard case .mapping(let inner) = source, depth < 8 else {
                        sink.error(
                            at: Origin(file: file, mark: source.mark, keyPath: Self.join(path, "<<")),
                            "expected a mapping (or a list of mappings) to merge, found \(source.foundDescription)")
                        return
                    }
                    var nestedExplicit: [MappingEntry] = []
                    var nestedMerged: [MappingEntry] = []
                    collect(
                        inner, path: path, allowed: allowed, depth: depth + 1, explicit: &nestedExplicit,
                        merged: &nestedMerged, sink: &sink, hint: hint)
                    merged.append(contentsOf: nestedExplicit + nestedMerged)
                }
                continue
            }
            let fullPath = Self.join(path, key)
            guard allowed.contains(key) else {
                let scope = path.isEmpty ? "at the top level" : "in `\(path)`"
                sink.error(
                    at: keyOrigin.with(keyPath: fullPath),
                    "unknown key `\(ScalarText.clipped(key))` \(scope); expected one of: \(allowed.joined(separator: ", "))",
                    suggestion: KeySuggestion.didYouMean(key, among: allowed) ?? hint(key))
                continue
            }
            explicit.append(
                MappingEntry(
                    key: key, value: value,
                    valueOrigin: Origin(file: file, mark: value.mark, keyPath: fullPath)))
        }
    }

    private func mergeSources(_ value: Node) -> [Node] {
        if case .sequence(let sequence) = value { return Array(sequence) }
        return [value]
    }
}
