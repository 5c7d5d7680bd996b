import ExpRegCore
import Foundation
import Mustache

/// A figure as the report embeds it.
public struct ReportFigure: Sendable, Equatable {
    /// Stable identifier, e.g. `loss-curves`.
    public var name: String
    /// Caption shown under the figure (plain text; escaped in HTML).
    public var title: String
    /// Path of the PNG relative to the batch folder (Markdown links it).
    public var pngRelativePath: String
    /// The SVG document produced by our own plotting code (HTML embeds it as a data URI).
    public var svg: String
    public init(name: String, title: String, pngRelativePath: String, svg: String) {
        self.name = name
        self.title = title
        self.pngRelativePath = pngRelativePath
        self.svg = svg
    }
}

/// The three rendered documents.
public struct RenderedReport: Sendable, Equatable {
    /// `report.md`: executive summary, gates, provenance, theory table, plots (PNG links), comparison, manifest.
    public var markdown: String
    /// `report.html`: the same content in one self-contained file (inline CSS, SVG data URIs, no network).
    public var html: String
    /// `summary.ja.md`: the Japanese executive summary alone.
    public var summary: String
    /// The meeting one-pager's text in the line markup ExpRegPlot's `OnePager` lays out into
    /// `report.pdf`: title, date, batch id, the same summary (partial `summary.ja.md`), gates, figures.
    public var onePager: String
    /// The summary's conclusion as one plain-text line (`notice.ja.txt`: the same sentence as
    /// summary.ja.md's, partial `conclusion.ja.md`), what webhooks are told as `conclusion`.
    public var conclusion: String

    public init(markdown: String, html: String, summary: String, onePager: String = "", conclusion: String = "") {
        self.markdown = markdown
        self.html = html
        self.summary = summary
        self.onePager = onePager
        self.conclusion = conclusion
    }
}

/// Renders a batch into `report.md`, `report.html`, `summary.ja.md` and the one-pager's text
/// (`onepager.txt`, drawn into `report.pdf` by ExpRegPlot) from Mustache templates.
///
/// All prose lives in the templates; this type builds a ``ReportViewModel`` (facts and
/// preformatted numbers, see ``ReportFormat`` and ``ExecutiveSummary``) and renders it.
/// Output is deterministic: the same inputs give byte-identical documents.
public struct ReportRenderer: Sendable {
    /// Template files read from the templates folder, by library name.
    public static let templateFiles = [
        "report.md", "report.html", "summary.ja.md", "onepager.txt", "conclusion.ja.md", "notice.ja.txt",
    ]
    /// The stylesheet inlined into report.html.
    public static let stylesheetFile = "report.css"

    private let library: MustacheLibrary
    private let css: String

    /// Loads ``templateFiles`` and `report.css` from `templatesDirectory`.
    ///
    /// `report.md` may include the summary as the partial `{{> summary.ja.md}}`, which includes the
    /// conclusion as `{{> conclusion.ja.md}}`.
    /// - Throws: ``ReportError/templateMissing(path:reason:)`` when a file cannot be read,
    ///   ``ReportError/templateInvalid(path:reason:)`` when a template does not parse.
    public init(templatesDirectory: URL) throws {
        var library = MustacheLibrary()
        for name in Self.templateFiles {
            let url = templatesDirectory.appendingPathComponent(name)
            let text = try Self.read(url)
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch {
                throw ReportError.templateInvalid(path: url.path, reason: String(describing: error))
            }
        }
        self.library = library
        css = try Self.read(templatesDirectory.appendingPathComponent(Self.stylesheetFile))
    }

    /// Renders a batch; `previous` is the batch compared with (nil: none).
    ///
    /// - Parameters:
    ///   - batch: the batch to report (runs in plan order).
    ///   - previous: the previous batch of the same manifest, or nil (no comparison; the summary says so).
    ///   - figures: plots in display order.
    /// - Throws: ``ReportError/renderFailed(template:)`` if a template is not registered (a bug).
    /// - Parameter missingRuns: planned runs of a partially merged batch that no shard delivered
    ///   yet (listed with their shard, `plan index % shardCount`); empty for a whole batch.
    public func render(
        batch: BatchSnapshot, previous: BatchSnapshot?, figures: [ReportFigure],
        missingRuns: [RunSpec] = [], shardCount: Int = 1
    ) throws -> RenderedReport {
        var model = ReportViewModel(batch: batch, previous: previous, figures: figures, css: css)
        model.setMissingRuns(missingRuns, shardCount: shardCount)
        return RenderedReport(
            markdown: try render(model, "report.md"),
            html: try render(model, "report.html"),
            summary: try render(model, "summary.ja.md"),
            onePager: try render(model, "onepager.txt"),
            conclusion: try render(model, "notice.ja.txt").trimmingCharacters(in: .newlines))
    }

    private func render(_ model: ReportViewModel, _ name: String) throws -> String {
        guard let text = library.render(model, withTemplate: name) else {
            throw ReportError.renderFailed(template: name)
        }
        return Self.tidy(text)
    }

    /// The text with exactly one trailing newline (templates end in a newline or not; files always do).
    static func tidy(_ text: String) -> String {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)] == "\n" { end = text.index(before: end) }
        return String(text[..<end]) + "\n"
    }

    private static func read(_ url: URL) throws -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ReportError.templateMissing(path: url.path, reason: error.localizedDescription)
        }
    }
}
