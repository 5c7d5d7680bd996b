import ExpRegCore
import Foundation

/// INTERFACE STUB — implemented by the report work (issue 5).
///
/// A figure as the report embeds it.
public struct ReportFigure: Sendable, Equatable {
    public var name: String
    public var title: String
    /// Path of the PNG relative to the batch folder (Markdown links it).
    public var pngRelativePath: String
    /// The SVG document (HTML inlines it).
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
    public var markdown: String
    public var html: String
    public var summary: String
}

public struct ReportRenderer: Sendable {
    /// Loads `report.md`, `report.html`, `summary.ja.md` from `templatesDirectory`; throws when missing or invalid.
    public init(templatesDirectory: URL) throws { fatalError("not implemented") }

    /// Renders a batch; `previous` is the batch compared with (nil: none).
    public func render(batch: BatchSnapshot, previous: BatchSnapshot?, figures: [ReportFigure]) throws -> RenderedReport {
        fatalError("not implemented")
    }
}
