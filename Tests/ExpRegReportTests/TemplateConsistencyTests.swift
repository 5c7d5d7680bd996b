import ExpRegCore
import ExpRegReport
import Foundation
import Testing

/// report.html carries its own copy of the summary's prose (HTML markup, HTML escaping); this
/// checks that, once markup is removed, it says exactly what summary.ja.md says, sentence by
/// sentence, for batches that exercise every branch.
@Suite struct TemplateConsistencyTests {
    /// summary.ja.md without Markdown markup: one entry per non-empty line.
    static func plainLines(markdown: String) -> [String] {
        markdown.components(separatedBy: "\n").compactMap { line in
            var text = line
            if text.hasPrefix("## ") { text.removeFirst(3) }
            if text.hasPrefix("- ") { text.removeFirst(2) }
            if let dot = text.firstIndex(of: "."), !text[..<dot].isEmpty, text[..<dot].allSatisfy(\.isNumber),
                text[dot...].hasPrefix(". ")
            {
                text = String(text[text.index(dot, offsetBy: 2)...])
            }
            text = text.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "")
            text = text.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
    }

    /// The summary section of report.html without tags, entities decoded: one entry per non-empty line.
    static func plainLines(html: String) throws -> [String] {
        let start = try #require(html.range(of: "<section class=\"summary"))
        let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        let section = String(html[start.lowerBound..<end.lowerBound])
        let tags = try NSRegularExpression(pattern: "<[^>]*>")
        return section.components(separatedBy: "\n").compactMap { line in
            var text = tags.stringByReplacingMatches(
                in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "")
            for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
                text = text.replacingOccurrences(of: entity, with: char)
            }
            text = text.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
    }

    static let cases: [(String, BatchSnapshot, BatchSnapshot?)] = [
        ("troubled", ReportFixtures.troubled, ReportFixtures.previousNight),
        ("all converged", ReportFixtures.allConverged, ReportFixtures.previousNight),
        ("relu faster", ReportFixtures.batch(ReportFixtures.healthyShapes(expSteps: 600, reluSteps: 200)), nil),
        (
            "exp only, no gates",
            ReportFixtures.batch(
                ReportFixtures.healthyShapes().filter { $0.activation == .exp },
                gates: GateConfig()), nil
        ),
        ("one width", ReportFixtures.batch(ReportFixtures.healthyShapes().filter { $0.width == 1024 }), nil),
        ("empty, failed", ReportFixtures.batch([], status: .failed), nil),
        (
            "partial", ReportFixtures.batch(ReportFixtures.healthyShapes(), status: .partial),
            ReportFixtures.previousNight
        ),
        ("hostile strings", HTMLSafetyTests.hostileBatch, nil),
        ("held-out", ReportFixtures.withHeldOut, nil),
    ]

    @Test(arguments: 0..<cases.count)
    func htmlSummarySaysWhatSummaryMarkdownSays(_ index: Int) throws {
        let (name, batch, previous) = Self.cases[index]
        let report = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
            .render(batch: batch, previous: previous, figures: [])
        let fromMarkdown = Self.plainLines(markdown: report.summary)
        let fromHTML = try Self.plainLines(html: report.html)
        #expect(fromMarkdown.count >= 8, "\(name): summary too short")
        #expect(
            fromMarkdown == fromHTML,
            "\(name): first difference at line \(zip(fromMarkdown, fromHTML).enumerated().first { $0.element.0 != $0.element.1 }.map { "\($0.offset): \($0.element.0) ≠ \($0.element.1)" } ?? "count \(fromMarkdown.count) vs \(fromHTML.count)")"
        )
    }
}
