import ExpRegCore
import ExpRegReport
import Foundation
import Testing

/// Golden files for all three outputs over fixed batches (Tests/Fixtures/report/golden/<scenario>/).
///
/// Regenerate on purpose only: `EXPREG_UPDATE_GOLDEN=1 swift test --filter ExpRegReportTests`, then
/// review the diff. A missing golden file fails the test (it is never created silently).
@Suite struct GoldenFileTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var batch: @Sendable () throws -> BatchSnapshot
        var previous: @Sendable () -> BatchSnapshot?
        var withFigures: Bool
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "troubled-night", batch: { ReportFixtures.troubled },
            previous: { ReportFixtures.previousNight }, withFigures: true),
        Scenario(
            name: "all-converged", batch: { ReportFixtures.allConverged },
            previous: { ReportFixtures.previousNight }, withFigures: false),
        Scenario(
            name: "first-night-exp-only",
            batch: { ReportFixtures.batch(ReportFixtures.healthyShapes().filter { $0.activation == .exp }) },
            previous: { nil }, withFigures: false),
        Scenario(name: "held-out", batch: { ReportFixtures.withHeldOut }, previous: { nil }, withFigures: false),
    ]

    @Test(arguments: scenarios)
    func outputsMatchGoldenFiles(_ scenario: Scenario) throws {
        let renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
        let figures = scenario.withFigures ? try ReportFixtures.figures : []
        let report = try renderer.render(batch: try scenario.batch(), previous: scenario.previous(), figures: figures)
        let folder = ReportFixtures.goldenDirectory.appendingPathComponent(scenario.name)
        let update = ProcessInfo.processInfo.environment["EXPREG_UPDATE_GOLDEN"] == "1"
        for (file, text) in [
            ("report.md", report.markdown), ("report.html", report.html), ("summary.ja.md", report.summary),
        ] {
            let url = folder.appendingPathComponent(file)
            if update {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
                continue
            }
            let golden = try #require(
                try? String(contentsOf: url, encoding: .utf8),
                "missing golden file \(url.path); run with EXPREG_UPDATE_GOLDEN=1 to create it")
            if golden != text {
                let a = golden.components(separatedBy: "\n")
                let b = text.components(separatedBy: "\n")
                let line =
                    zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                Issue.record(
                    """
                    \(scenario.name)/\(file) differs from the golden file at line \(line + 1):
                      golden:   \(line < a.count ? a[line] : "<end>")
                      rendered: \(line < b.count ? b[line] : "<end>")
                    If the change is intended, regenerate with EXPREG_UPDATE_GOLDEN=1 and review the diff.
                    """)
            }
        }
    }

    @Test func renderingIsDeterministic() throws {
        let renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
        let figures = try ReportFixtures.figures
        let first = try renderer.render(
            batch: ReportFixtures.troubled, previous: ReportFixtures.previousNight, figures: figures)
        let second = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
            .render(batch: ReportFixtures.troubled, previous: ReportFixtures.previousNight, figures: figures)
        #expect(first == second)
    }

    @Test func markdownReportStartsWithTheSummaryAndLinksPNGs() throws {
        let renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
        let report = try renderer.render(
            batch: ReportFixtures.troubled, previous: ReportFixtures.previousNight,
            figures: try ReportFixtures.figures)
        let lines = report.markdown.components(separatedBy: "\n")
        // The manifest's title is the heading, said once; a manifest without one is named.
        #expect(lines[0] == "# 指数活性化ネットワークの夜間検証")
        let untitled = try renderer.render(
            batch: ReportFixtures.batch(ReportFixtures.healthyShapes(), title: nil), previous: nil, figures: [])
        #expect(untitled.markdown.hasPrefix("# nightly-exp — 検証レポート\n"))
        #expect(untitled.html.contains("<h1>nightly-exp — 検証レポート</h1>"))
        #expect(untitled.onePager.hasPrefix("# nightly-exp — 検証レポート\n"))
        #expect(lines[2].hasPrefix("## エグゼクティブサマリー"))
        #expect(report.markdown.contains(report.summary))
        #expect(report.markdown.contains("![損失曲線(実測とカーネル予測)](plots/loss-curves.png)"))
        #expect(!report.markdown.contains("data:image"))
    }

    @Test func missingOrInvalidTemplatesThrowWithThePath() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
            "expreg-no-templates-\(UUID().uuidString)")
        #expect(throws: ReportError.self) { try ReportRenderer(templatesDirectory: empty) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "expreg-bad-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ReportRenderer.templateFiles + [ReportRenderer.stylesheetFile] {
            try FileManager.default.copyItem(
                at: ReportFixtures.templates.appendingPathComponent(name),
                to: folder.appendingPathComponent(name))
        }
        try Data("{{#summary}} unclosed".utf8).write(to: folder.appendingPathComponent("summary.ja.md"))
        do {
            _ = try ReportRenderer(templatesDirectory: folder)
            Issue.record("an unclosed section must not load")
        } catch let error as ReportError {
            #expect(error.description.contains("summary.ja.md"))
            #expect(error.description.contains("not valid Mustache"))
        }
    }

    @Test func svgEmbeddingDropsTheXMLDeclaration() {
        let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
        #expect(SVGEmbedding.strippingXMLDeclaration(svg) == "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        let uri = SVGEmbedding.dataURI(svg)
        #expect(uri.hasPrefix("data:image/svg+xml;base64,"))
        let payload = String(uri.dropFirst("data:image/svg+xml;base64,".count))
        #expect(
            Data(base64Encoded: payload).map { String(decoding: $0, as: UTF8.self) }
                == "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    }
}
