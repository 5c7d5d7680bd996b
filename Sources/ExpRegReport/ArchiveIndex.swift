import ExpRegCore
import Foundation
import Mustache

/// One archived batch as the archive's front page lists it.
public struct ArchiveIndexEntry: Sendable, Equatable {
    /// Provenance and state (id, manifest, start, status, runs planned).
    public var info: BatchInfo
    /// Headline numbers (runs done, gates, median final loss and λ* per activation).
    public var headline: BatchHeadline
    /// Whether `<output>/<batch-id>/`, its `report.html` and its `report.pdf` exist.
    public var hasFolder: Bool
    public var hasReportHTML: Bool
    public var hasReportPDF: Bool

    public init(info: BatchInfo, headline: BatchHeadline, hasFolder: Bool, hasReportHTML: Bool, hasReportPDF: Bool) {
        self.info = info
        self.headline = headline
        self.hasFolder = hasFolder
        self.hasReportHTML = hasReportHTML
        self.hasReportPDF = hasReportPDF
    }
}

/// The nightly trend figure of one manifest, as an SVG document drawn by ExpRegPlot.
public struct ArchiveTrend: Sendable, Equatable {
    public var manifestName: String
    public var svg: String

    public init(manifestName: String, svg: String) {
        self.manifestName = manifestName
        self.svg = svg
    }
}

/// Everything `templates/index.html` shows: facts and preformatted strings, no prose.
public struct ArchiveIndexViewModel: Sendable, Equatable {
    /// The headline numbers of one activation in one batch (``ReportFormat/loss(_:)``,
    /// ``ReportFormat/magnitude(_:)``; `—` when the batch has no such run).
    public struct Numbers: Sendable, Equatable {
        public var activation: String
        public var medianFinalLoss: String
        public var lambdaStar: String
    }

    /// One batch row.
    public struct Row: Sendable, Equatable {
        public var batchID: String
        public var manifestName: String
        /// Manifest title ("" when none).
        public var title: String
        public var hasTitle: Bool
        /// Start, ``ReportFormat/timestamp(_:)``.
        public var startedAt: String
        /// `completed`, `partial`, `running` or `failed`; exactly one flag below is true.
        public var status: String
        public var isCompleted: Bool
        public var isIncomplete: Bool
        /// Gates are judged only for a completed batch.
        public var gatesJudged: Bool
        public var gatesPassed: Bool
        /// Runs archived and planned (``ReportFormat/count(_:)``).
        public var runsDone: String
        public var runsPlanned: String
        /// One entry per activation of ``ArchiveIndexViewModel/activations``, in that order.
        public var numbers: [Numbers]
        /// Links relative to the front page (`<batch-id>/report.html`), set only when the file exists.
        public var hasFolder: Bool
        public var hasReportHTML: Bool
        public var reportHTMLHref: String
        public var hasReportPDF: Bool
        public var reportPDFHref: String
    }

    /// One trend figure (`data:image/svg+xml;base64,…`).
    public struct TrendView: Sendable, Equatable {
        public var manifestName: String
        public var svgDataURI: String
    }

    /// Batches newest first.
    public var rows: [Row]
    public var hasRows: Bool
    /// The newest batch (zero or one element).
    public var latest: [Row]
    /// Activation names, in ``Activation/allCases`` order (table columns).
    public var activations: [String]
    public var trends: [TrendView]
    public var hasTrends: Bool
    /// Number of batches, ``ReportFormat/count(_:)``.
    public var batchCount: String

    /// Builds the model; `entries` in any order (sorted newest first here, by start then id).
    public init(entries: [ArchiveIndexEntry], trends: [ArchiveTrend]) {
        let activationNames = Activation.allCases.map(\.rawValue)
        let sorted = entries.sorted {
            $0.info.startedAt != $1.info.startedAt ? $0.info.startedAt > $1.info.startedAt : $0.info.id > $1.info.id
        }
        rows = sorted.map { entry in
            let info = entry.info
            let h = entry.headline
            let title = info.title ?? ""
            return Row(
                batchID: info.id, manifestName: info.manifestName, title: title, hasTitle: !title.isEmpty,
                startedAt: ReportFormat.timestamp(info.startedAt), status: info.status.rawValue,
                isCompleted: info.status == .completed, isIncomplete: info.status != .completed,
                gatesJudged: info.status == .completed, gatesPassed: h.gatesPassed,
                runsDone: ReportFormat.count(h.runs), runsPlanned: ReportFormat.count(info.plannedRuns),
                numbers: activationNames.map { name in
                    Numbers(
                        activation: name,
                        medianFinalLoss: ReportFormat.optional(h.medianFinalLoss[name], ReportFormat.loss),
                        lambdaStar: ReportFormat.optional(h.lambdaStar[name], ReportFormat.magnitude))
                },
                hasFolder: entry.hasFolder,
                hasReportHTML: entry.hasReportHTML, reportHTMLHref: "\(info.id)/report.html",
                hasReportPDF: entry.hasReportPDF, reportPDFHref: "\(info.id)/report.pdf")
        }
        hasRows = !rows.isEmpty
        latest = Array(rows.prefix(1))
        activations = activationNames
        self.trends = trends.map { TrendView(manifestName: $0.manifestName, svgDataURI: SVGEmbedding.dataURI($0.svg)) }
        hasTrends = !trends.isEmpty
        batchCount = ReportFormat.count(rows.count)
    }
}

/// Renders the archive's front page (`output/index.html`) from `templates/index.html`.
///
/// One self-contained file: inline CSS, figures as data URIs, no script, no external reference.
/// Deterministic: the same entries and trends give the same bytes.
public struct ArchiveIndexRenderer: Sendable {
    /// The template file, in the templates folder.
    public static let templateFile = "index.html"
    private let library: MustacheLibrary

    /// Loads `index.html` from `templatesDirectory`.
    /// - Throws: ``ReportError/templateMissing(path:reason:)``, ``ReportError/templateInvalid(path:reason:)``.
    public init(templatesDirectory: URL) throws {
        let url = templatesDirectory.appendingPathComponent(Self.templateFile)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ReportError.templateMissing(path: url.path, reason: error.localizedDescription)
        }
        var library = MustacheLibrary()
        do {
            library.register(try MustacheTemplate(string: text), named: Self.templateFile)
        } catch {
            throw ReportError.templateInvalid(path: url.path, reason: String(describing: error))
        }
        self.library = library
    }

    /// The page for `model`.
    /// - Throws: ``ReportError/renderFailed(template:)`` if the template is not registered (a bug).
    public func render(_ model: ArchiveIndexViewModel) throws -> String {
        guard let text = library.render(model, withTemplate: Self.templateFile) else {
            throw ReportError.renderFailed(template: Self.templateFile)
        }
        return ReportRenderer.tidy(text)
    }
}
