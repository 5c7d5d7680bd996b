import ExpRegTestSupport
import Foundation
import Testing

/// `expreg report` over a fixed archive (two nights of manifests/quick.yaml, committed as
/// Tests/Fixtures/archive/quick-two-nights.sqlite) must reproduce the golden outputs byte for byte.
/// Regenerate on purpose only: `EXPREG_UPDATE_GOLDEN=1 swift test --filter ArchiveGoldenTests`.
@Suite(.serialized)
struct ArchiveGoldenTests {
    static let folder = Fixtures.directory.appendingPathComponent("archive")
    static let goldenFiles = ["report.md", "summary.ja.md", "results.json"]

    @Test func reportOfTheFixedArchiveMatchesTheGoldenFiles() throws {
        let dir = TemporaryDirectory()
        // The archive is opened read-write (WAL), so work on a copy.
        let db = dir.url.appendingPathComponent("archive.sqlite")
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("quick-two-nights.sqlite"), to: db)
        let result = try ExpRegProcess.run(
            ["report", "--db", db.path, "--batch", "latest", "--output", "out"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let batch = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        let update = ProcessInfo.processInfo.environment["EXPREG_UPDATE_GOLDEN"] == "1"
        for name in Self.goldenFiles {
            let produced = try Data(contentsOf: batch.appendingPathComponent(name))
            let golden = Self.folder.appendingPathComponent("golden/\(name)")
            if update {
                try FileManager.default.createDirectory(
                    at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
                try produced.write(to: golden)
            }
            let expected = try Data(contentsOf: golden)
            if produced != expected {
                let a = String(decoding: produced, as: UTF8.self).split(
                    separator: "\n", omittingEmptySubsequences: false)
                let b = String(decoding: expected, as: UTF8.self).split(
                    separator: "\n", omittingEmptySubsequences: false)
                let mismatch = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                let lineNumber = (mismatch?.offset ?? min(a.count, b.count)) + 1
                var detail = "length differs"
                if let mismatch { detail = "got «\(mismatch.element.0)», expected «\(mismatch.element.1)»" }
                Issue.record("\(name) differs from its golden file at line \(lineNumber): \(detail)")
            }
        }
        // The comparison with the previous night is there (two batches of the same manifest).
        let summary = try String(contentsOf: batch.appendingPathComponent("summary.ja.md"), encoding: .utf8)
        #expect(summary.contains("前回バッチ"))
        // The HTML is self-contained.
        let html = try String(contentsOf: batch.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.range(of: #"(src|href)\s*=\s*"(?!data:|#)"#, options: .regularExpression) == nil)
    }
}
