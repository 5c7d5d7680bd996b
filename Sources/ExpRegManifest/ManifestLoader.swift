import ExpRegCore
import ExpRegDigest
import Foundation
import Yams

/// Loads a manifest: YAML text → checked document → expanded, resolved plan.
///
/// Every problem of a manifest (syntax aside: a YAML syntax error stops parsing) is collected and
/// thrown at once as a ``ManifestError``, each with `file:line:column`, the key path, what was
/// expected, what was found and, for misspelled keys and values, the nearest valid one. No input
/// makes it crash: size, nesting (libyaml stops at 1000 levels), run count and data sizes are
/// bounded by ``ManifestLimits``.
///
/// See ``PlanExpander`` for the resolution order (built-in defaults → `defaults:` → experiment →
/// sweep → `--set`) and the deterministic expansion order, and ``RunKey`` for run_keys.
public enum ManifestLoader {
    /// Reads, parses, validates and expands the manifest at `path`, then applies `overrides`
    /// (`KEY=VALUE`, dotted keys as in sweeps, VALUE a YAML scalar) to every run. Also loads and
    /// validates every csv data file (paths relative to the manifest's folder).
    ///
    /// - Parameters:
    ///   - path: the manifest file; diagnostics name it as given.
    ///   - overrides: `--set` arguments in command-line order (a later one for the same key wins);
    ///     recorded in `Plan.overrides`.
    /// - Throws: ``ManifestError`` with every problem found.
    public static func load(path: String, overrides: [String] = []) throws(ManifestError) -> LoadedManifest {
        let bytes: [UInt8]
        switch FileBytes.read(path, limit: ManifestLimits.maxManifestBytes) {
        case .failure(let problem):
            throw ManifestError([
                ManifestDiagnostic(
                    file: path, line: nil, column: nil, keyPath: nil,
                    message: "cannot read the manifest: \(problem.message)",
                    suggestion: nil)
            ])
        case .success(let read):
            bytes = read
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let (line, column) = invalidUTF8Position(bytes)
            throw ManifestError([
                ManifestDiagnostic(
                    file: path, line: line, column: column, keyPath: nil,
                    message: "the manifest is not valid UTF-8 text",
                    suggestion: "save the file as UTF-8")
            ])
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try parse(text: text, file: path, baseDirectory: folder.isEmpty ? "." : folder, overrides: overrides)
    }

    /// Parses, validates and expands manifest `text` (as ``load(path:overrides:)`` does after
    /// reading the file).
    ///
    /// - Parameters:
    ///   - text: the YAML text.
    ///   - file: the name diagnostics use; its folder part also prefixes csv file names in
    ///     diagnostics.
    ///   - baseDirectory: the folder relative csv paths start from (made absolute here).
    ///   - overrides: `--set KEY=VALUE` arguments, applied to every run after sweeps.
    /// - Throws: ``ManifestError`` with every problem found.
    public static func parse(
        text: String, file: String = "manifest.yaml", baseDirectory: String,
        overrides: [String] = []
    ) throws(ManifestError) -> LoadedManifest {
        var sink = DiagnosticSink()
        let absoluteBase = URL(fileURLWithPath: baseDirectory, isDirectory: true)
            .standardizedFileURL.resolvingSymlinksInPath().path
        guard text.utf8.count <= ManifestLimits.maxManifestBytes else {
            throw ManifestError([
                ManifestDiagnostic(
                    file: file, line: nil, column: nil, keyPath: nil,
                    message:
                        "the manifest is \(text.utf8.count) bytes, more than the limit of \(ManifestLimits.maxManifestBytes)",
                    suggestion: nil)
            ])
        }
        let root: Node?
        // A UTF-8 byte-order mark is not YAML content (the text and its SHA-256 keep it).
        let yaml =
            text.unicodeScalars.first == "\u{FEFF}"
            ? String(String.UnicodeScalarView(text.unicodeScalars.dropFirst())) : text
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ManifestError(
                DuplicateKeyScan.diagnostics(for: error, file: file, text: yaml) { text in
                    _ = try Yams.compose(yaml: text)
                })
        }
        let document = ManifestParser(file: file).parse(root, sink: &sink)
        let overrideSettings = OverrideParser().parse(overrides, sink: &sink)
        var expander = PlanExpander(
            file: file, baseDirectory: absoluteBase,
            displayDirectory: (file as NSString).deletingLastPathComponent)
        let (runs, datasets) = expander.expand(document, overrides: overrideSettings, sink: &sink)
        guard sink.isEmpty, let name = document.name else {
            var diagnostics = sink.sorted(primaryFile: file)
            if diagnostics.isEmpty {
                diagnostics = [
                    ManifestDiagnostic(
                        file: file, line: nil, column: nil, keyPath: nil,
                        message: "the manifest has no valid name", suggestion: nil)
                ]
            }
            throw ManifestError(diagnostics)
        }
        let plan = Plan(
            name: name, title: document.title, runs: runs, gates: document.gates,
            compareWith: document.compareWith, overrides: overrides)
        let sha = SHA256Digest.hex(text)
        return LoadedManifest(
            plan: plan, text: text, sha256: sha, path: file, baseDirectory: absoluteBase,
            csvDatasets: datasets, notify: document.notify)
    }

    /// Only the `notify:` webhooks of manifest `text`, checked as ``parse(text:file:baseDirectory:overrides:)``
    /// checks them, without expanding the plan or reading data files: for commands that announce
    /// an archived batch (a merge) from the manifest text stored with it.
    /// - Returns: the webhooks in order (empty without `notify:`).
    /// - Throws: ``ManifestError`` for a YAML syntax error or an invalid `notify:` entry.
    public static func webhooks(inManifest text: String, file: String = "manifest.yaml") throws(ManifestError)
        -> [WebhookSpec]
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ManifestError([YAMLSyntaxDiagnostic.make(error, file: file, text: text)])
        }
        guard let root, case .mapping(let top) = root, let notify = top["notify"] else { return [] }
        var sink = DiagnosticSink()
        let parser = ManifestParser(file: file)
        let webhooks = parser.parseNotify(
            notify, origin: Origin(file: file, mark: notify.mark, keyPath: "notify"), sink: &sink)
        guard sink.isEmpty else { throw ManifestError(sink.sorted(primaryFile: file)) }
        return webhooks
    }

    /// 1-based line and column (in bytes) of the first byte that is not valid UTF-8.
    static func invalidUTF8Position(_ bytes: [UInt8]) -> (Int, Int) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        var lineStart = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = offset + 1
                }
                offset += encoded.count
            case .error, .emptyInput:
                break loop
            }
        }
        return (line, offset - lineStart + 1)
    }
}
