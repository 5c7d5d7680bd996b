import ExpRegTestSupport
import Foundation
import Testing

/// Every malformed manifest of the corpus, through the real binary: exit 2, the located diagnostics
/// on stderr (exactly the corpus' `.expect` text), and an existing archive left byte-for-byte as it was.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct InvalidInputTests {
    static let corpus = Fixtures.directory.appendingPathComponent("manifests")

    static let cases: [String] = {
        let folder = corpus.appendingPathComponent("invalid")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    /// Extra command-line words from a `# args: ...` first line.
    static func arguments(of manifest: URL) -> [String] {
        guard let text = try? String(contentsOf: manifest, encoding: .utf8),
            let first = text.split(separator: "\n").first, first.hasPrefix("# args:")
        else { return [] }
        return first.dropFirst("# args:".count).split(separator: " ").map(String.init)
    }

    /// Bytes of every file in a folder tree, by relative path.
    static func contents(of folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if !isDirectory.boolValue {
                result[url.path.replacingOccurrences(of: folder.path, with: "")] = try Data(contentsOf: url)
            }
        }
        return result
    }

    @Test func everyMalformedManifestExits2WithLocatedErrorsAndLeavesTheArchiveAlone() throws {
        #expect(Self.cases.count >= 25)
        let dir = TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        let db = out.appendingPathComponent("expreg.sqlite").path
        // An archive with one real batch in it, to prove invalid input never touches it.
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let seeded = try ExpRegProcess.run(["run", manifest, "--output", out.path, "--db", db, "--quiet"], in: dir.url)
        #expect(seeded.status == 0, "stderr: \(seeded.stderr)")
        let before = try Self.contents(of: out)

        for name in Self.cases {
            let file = Self.corpus.appendingPathComponent("invalid/\(name)")
            let args = ["run", "invalid/\(name)", "--output", out.path, "--db", db] + Self.arguments(of: file)
            let result = try ExpRegProcess.run(args, in: Self.corpus, timeout: 60)
            #expect(result.status == 2, "\(name): exit \(result.status), stderr: \(result.stderr)")
            let expected = try String(
                contentsOf: Self.corpus.appendingPathComponent(
                    "invalid/" + name.replacingOccurrences(of: ".yaml", with: ".expect")), encoding: .utf8)
            // Absolute paths (where a message resolves one) are shown relative to the corpus, as in `.expect`.
            let portable = result.stderr.replacingOccurrences(of: Self.corpus.path + "/", with: "")
            #expect(
                portable.trimmingCharacters(in: .newlines) == expected.trimmingCharacters(in: .newlines),
                "\(name): stderr differs from its .expect")
            // A position wherever the YAML has one: `file:line:column:` on the first line.
            let firstLine = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            if !firstLine.hasPrefix("--set") && name != "not-utf8.yaml" && name != "empty.yaml" {
                #expect(
                    firstLine.range(of: #"^[^:]+:\d+:\d+: error: "#, options: .regularExpression) != nil,
                    "\(name): no file:line:column in \(firstLine)")
            }
        }
        #expect(try Self.contents(of: out) == before, "invalid input changed the output folder or the archive")
    }
}
