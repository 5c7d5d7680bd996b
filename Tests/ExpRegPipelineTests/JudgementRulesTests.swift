import ExpRegCore
import ExpRegPipeline
import ExpRegTestSupport
import Foundation
import Testing

/// Judge once, archive the judgement: a batch's report is made from what was archived when it was
/// judged, so a later change of a rule's threshold never changes it, and a new batch uses the new rule.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct JudgementRulesTests {
    /// Trains the tiny manifest in this process under `rules` (the test's stand-in for a build whose
    /// rules differ) and returns the batch id.
    static func train(_ manifest: String, in dir: URL, rules: JudgementRules) throws -> String {
        var options = RunOptions(
            manifestPath: manifest, databasePath: dir.appendingPathComponent("out/archive.sqlite").path,
            outputRoot: dir.appendingPathComponent("out").path,
            templatesDirectory: Fixtures.repositoryRoot.appendingPathComponent("templates"))
        options.judgementRules = rules
        let summary = try BatchRunner(
            options: options, progress: ProgressReporter(mode: .quiet), cancellation: CancellationFlag()
        ).execute()
        #expect(summary.status == .success)
        return summary.batchID
    }

    /// Every file of a batch folder, by path relative to it.
    static func files(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            files[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func anArchivedBatchKeepsItsReportWhenARuleChangesAndANewBatchUsesTheNewRule() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let out = dir.url.appendingPathComponent("out")
        // Batch A under a strict rule: no fitted slope "agrees with the theory" (under the rules
        // of this build both of the tiny manifest's slopes do: -0.47 and -0.55).
        var strict = JudgementRules.current
        strict.slopeTolerance = 0
        let a = try Self.train(manifest, in: dir.url, rules: strict)
        let original = try Self.files(out.appendingPathComponent(a))
        let summaryA = String(decoding: try #require(original["summary.ja.md"]), as: UTF8.self)
        #expect(!summaryA.contains("理論どおりの縮み方"), "the strict rule is what A's summary says")

        // The rule changes: batch B (the same runs, so the same numbers) under this build's rules.
        let b = try Self.train(manifest, in: dir.url, rules: .current)
        #expect(a != b)
        let summaryB = try String(contentsOf: out.appendingPathComponent("\(b)/summary.ja.md"), encoding: .utf8)
        #expect(summaryB.contains("理論どおりの縮み方"), "B is judged by the rule in force when it began")

        // A's report rebuilt by the binary (this build's rules, which would call A's slopes
        // theoretical) is the archived one, byte for byte.
        let rebuilt = try ExpRegProcess.run(
            ["report", "--db", "out/archive.sqlite", "--output", "out", "--batch", a], in: dir.url)
        #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")
        let again = try Self.files(out.appendingPathComponent(a))
        #expect(Set(again.keys) == Set(original.keys))
        for (path, data) in original where again[path] != data {
            Issue.record("\(path) of batch \(a) changed when its report was rebuilt after the rule changed")
        }
    }
}
