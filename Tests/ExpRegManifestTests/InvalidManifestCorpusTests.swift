import ExpRegManifest
import Foundation
import Testing

/// Every file in `Tests/Fixtures/manifests/invalid/*.yaml` must be rejected with exactly the
/// diagnostics recorded in its sidecar `.expect` file (one `description` per line, fixtures folder
/// removed). Set `EXPREG_REGENERATE_EXPECT=1` to rewrite the sidecars, then review the diff.
@Suite struct InvalidManifestCorpusTests {
    static let directory = ManifestFixtures.root.appendingPathComponent("invalid")

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test func corpusHasAtLeast25Manifests() {
        #expect(Self.cases.count >= 25, "found \(Self.cases.count) invalid manifests")
    }

    @Test(arguments: cases)
    func isRejectedWithExpectedDiagnostics(_ name: String) throws {
        let relative = "invalid/\(name)"
        let text = (try? String(contentsOfFile: ManifestFixtures.path(relative), encoding: .utf8)) ?? ""
        let overrides = ManifestFixtures.overrides(inManifest: text)
        let error: ManifestError
        do {
            _ = try ManifestFixtures.load(relative, overrides: overrides)
            Issue.record("\(name) was accepted")
            return
        } catch let caught {
            error = caught
        }
        #expect(!error.diagnostics.isEmpty)
        let actual = ManifestFixtures.portable(error.description)
        let expectURL = Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expect"))
        if ProcessInfo.processInfo.environment["EXPREG_REGENERATE_EXPECT"] == "1" {
            try (actual + "\n").write(to: expectURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectURL, encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        #expect(actual == expected, "\(name)")

        // Every diagnostic is located: the manifest or a data file with line and column, or a
        // `--set` override (which has no position).
        for diagnostic in error.diagnostics {
            if diagnostic.file == "--set" {
                #expect(diagnostic.line == nil)
            } else {
                #expect(diagnostic.line != nil, "\(diagnostic)")
                #expect(diagnostic.column != nil, "\(diagnostic)")
            }
        }
    }
}
