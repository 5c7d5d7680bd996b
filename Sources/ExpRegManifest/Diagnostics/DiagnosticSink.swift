import Yams

/// Where a value was written: a file position and the key path leading to it.
struct Origin: Sendable, Equatable, Hashable {
    var file: String
    var line: Int?
    var column: Int?
    var keyPath: String

    init(file: String, line: Int?, column: Int?, keyPath: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }

    init(file: String, mark: Mark?, keyPath: String) {
        self.init(file: file, line: mark?.line, column: mark?.column, keyPath: keyPath)
    }

    /// The same position with another key path.
    func with(keyPath: String) -> Origin {
        Origin(file: file, line: line, column: column, keyPath: keyPath)
    }
}

/// Collects diagnostics while a manifest is checked, so that every problem is reported at once.
///
/// Identical diagnostics (a sweep can repeat the same cross-key problem for many runs) are kept once.
struct DiagnosticSink {
    /// The most diagnostics kept; a final one says how many more were found.
    static let limit = 200

    private(set) var diagnostics: [ManifestDiagnostic] = []
    private var seen = Set<String>()
    private var dropped = 0

    var isEmpty: Bool { diagnostics.isEmpty && dropped == 0 }

    mutating func add(_ diagnostic: ManifestDiagnostic) {
        guard seen.insert(diagnostic.description).inserted else { return }
        if diagnostics.count >= Self.limit {
            dropped += 1
        } else {
            diagnostics.append(diagnostic)
        }
    }

    mutating func error(at origin: Origin, _ message: String, suggestion: String? = nil) {
        add(
            ManifestDiagnostic(
                file: origin.file, line: origin.line, column: origin.column,
                keyPath: origin.keyPath.isEmpty ? nil : origin.keyPath,
                message: message, suggestion: suggestion))
    }

    mutating func append(contentsOf other: [ManifestDiagnostic]) {
        for diagnostic in other { add(diagnostic) }
    }

    /// The diagnostics sorted for display: `primaryFile` by line and column first, then other files
    /// with positions (by file, line, column), then positionless ones in the order found.
    func sorted(primaryFile: String) -> [ManifestDiagnostic] {
        func rank(_ d: ManifestDiagnostic) -> Int {
            if d.line == nil { return 2 }
            return d.file == primaryFile ? 0 : 1
        }
        let ordered = diagnostics.enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element, rhs.element)
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            if rank(a) == 2 { return lhs.offset < rhs.offset }
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return (a.line ?? 0) < (b.line ?? 0) }
            if a.column != b.column { return (a.column ?? 0) < (b.column ?? 0) }
            return lhs.offset < rhs.offset
        }.map(\.element)
        guard dropped > 0 else { return ordered }
        return ordered + [
            ManifestDiagnostic(
                file: primaryFile, line: nil, column: nil, keyPath: nil,
                message: "\(dropped) more problem(s) not shown", suggestion: "fix the ones above and validate again")
        ]
    }
}
