import Foundation

/// Everything that can go wrong while loading templates or rendering a report.
///
/// Messages say what failed, where, and how to fix it.
public enum ReportError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A template file is missing or unreadable.
    case templateMissing(path: String, reason: String)
    /// A template does not parse (line/column from swift-mustache).
    case templateInvalid(path: String, reason: String)
    /// A registered template rendered to nothing (name not in the library).
    case renderFailed(template: String)

    public var description: String {
        switch self {
        case .templateMissing(let path, let reason):
            return "report template \(path) could not be read (\(reason)); "
                + "pass the repository's templates/ folder (it holds report.md, report.html, summary.ja.md, onepager.txt, index.html, report.css)"
        case .templateInvalid(let path, let reason):
            return "report template \(path) is not valid Mustache: \(reason); fix the tag at that position"
        case .renderFailed(let template):
            return
                "report template '\(template)' is not registered; this is a bug in ExpRegReport (check ReportRenderer.templateFiles)"
        }
    }
}
