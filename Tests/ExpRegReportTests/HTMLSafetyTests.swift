import ExpRegCore
import ExpRegReport
import Foundation
import Testing

/// Manifest-supplied strings render inert in HTML, and the page has no network reference.
@Suite struct HTMLSafetyTests {
    static let script = "<script>alert(1)</script>"
    static let breakout = "\"><img src=x onerror=alert(1)>"

    /// A batch whose every manifest-supplied string carries an injection payload.
    static var hostileBatch: BatchSnapshot {
        var shapes = ReportFixtures.healthyShapes()
        for i in shapes.indices { shapes[i].experiment = "exp \(script)\(breakout)" }
        shapes[0].status = .diverged
        shapes[0].reason = "reason \(script)"
        var batch = ReportFixtures.batch(shapes, name: "evil", title: "Title \(script) \(breakout)")
        batch.info.manifestText = "title: '\(script)'\nname: \"\(breakout)\"\n"
        batch.info.manifestPath = "m/\(breakout).yaml"
        batch.info.host = script
        batch.info.cpuModel = "CPU \(script)"
        batch.info.overrides = ["model.width=\(breakout)"]
        return batch
    }

    static func render() throws -> String {
        try ReportRenderer(templatesDirectory: ReportFixtures.templates)
            .render(batch: hostileBatch, previous: nil, figures: try ReportFixtures.figures).html
    }

    @Test func injectedMarkupIsEscaped() throws {
        let html = try Self.render()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("onerror=alert(1)>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        // The title element holds the escaped title and nothing else.
        #expect(
            html.contains(
                "<title>Title &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</title>"
            ))
    }

    @Test func everyElementAndAttributeIsOurs() throws {
        let html = try Self.render()
        // Tags: only the fixed vocabulary of report.html.
        let allowedTags: Set<String> = [
            "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
            "section", "p", "strong", "code", "div", "ul", "ol", "li", "table", "thead",
            "tbody", "tr", "th", "td", "span", "figure", "img", "figcaption", "pre",
        ]
        let tagPattern = try NSRegularExpression(pattern: "<(/?)(!?[A-Za-z][A-Za-z0-9]*)")
        let tags = tagPattern.matches(in: html, range: NSRange(html.startIndex..., in: html))
            .compactMap { Range($0.range(at: 2), in: html).map { String(html[$0]) } }
        #expect(Set(tags).isSubset(of: allowedTags), "unexpected tags: \(Set(tags).subtracting(allowedTags))")
        let handler = try NSRegularExpression(pattern: #"<[A-Za-z][^>]*\son[a-z]+\s*="#, options: [.caseInsensitive])
        #expect(
            handler.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)) == nil,
            "no event-handler attribute may appear")
    }

    @Test func noExternalReferences() throws {
        let html = try Self.render()
        let attr = try NSRegularExpression(
            pattern: #"\b(src|href|action|srcset|poster|data)\s*=\s*"([^"]*)""#, options: [.caseInsensitive])
        let values = attr.matches(in: html, range: NSRange(html.startIndex..., in: html))
            .compactMap { Range($0.range(at: 2), in: html).map { String(html[$0]) } }
        #expect(!values.isEmpty)
        for value in values {
            #expect(
                value.hasPrefix("data:image/svg+xml;base64,") || value.hasPrefix("#"),
                "external reference: \(value.prefix(60))")
        }
        for marker in ["http://", "https://", "//cdn", "@import", "url("] {
            #expect(!html.contains(marker), "found \(marker)")
        }
        #expect(html.contains("<html lang=\"ja\">"))
        #expect(
            html.contains(
                "Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\""))
    }

    @Test func japaneseFontsComeFirstAndPrintIsA4() throws {
        let css = try String(contentsOf: ReportFixtures.templates.appendingPathComponent("report.css"), encoding: .utf8)
        let html = try Self.render()
        #expect(html.contains(css))
        let family = try #require(css.components(separatedBy: "font-family:").dropFirst().first)
        #expect(
            family.trimmingCharacters(in: .whitespaces).hasPrefix(
                "\"Hiragino Sans\", \"Hiragino Kaku Gothic ProN\", \"Noto Sans CJK JP\""))
        #expect(css.contains("@page { size: A4;"))
        #expect(css.contains("@media print"))
    }

    @Test func noTemplateUsesATripleMustacheForData() throws {
        for name in ReportRenderer.templateFiles {
            let text = try String(contentsOf: ReportFixtures.templates.appendingPathComponent(name), encoding: .utf8)
            let triples = text.components(separatedBy: "{{{").dropFirst().map { $0.prefix { $0 != "}" } }
            #expect(triples.allSatisfy { $0 == "css" }, "\(name): triple mustache on \(triples)")
            #expect(!text.contains("{{&"), "\(name): unescaped variable")
        }
    }
}
