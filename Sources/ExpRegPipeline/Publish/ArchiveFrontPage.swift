import ExpRegCore
import ExpRegFiles
import ExpRegPlot
import ExpRegReport
import ExpRegStore
import Foundation

/// The archive's front page, `<output>/index.html`: every archived batch newest first, with links
/// to the batch folders' reports that exist, the nightly trend of each manifest and the latest batch.
///
/// Rewritten (atomically) after every `expreg run` (also an interrupted one), every
/// `expreg report`, and by `expreg index`; a merge of shards calls ``write(archive:layout:templatesDirectory:)``
/// once the merged batch is archived.
public enum ArchiveFrontPage {
    /// File name below the output root.
    public static let fileName = "index.html"

    /// `expreg index`: rebuilds the front page of the archive at `databasePath` in `outputRoot`,
    /// reading the archive only; an output root owned by another archive is refused (exit 2).
    /// - Returns: the page's URL.
    public static func rebuild(databasePath: String, outputRoot: String, templatesDirectory: URL) throws -> URL {
        let layout = OutputLayout(root: URL(fileURLWithPath: outputRoot))
        let session = try ArchiveAccess.existing(databasePath, output: .check(layout))
        defer { session.close() }
        return try write(archive: session.archive, layout: layout, templatesDirectory: templatesDirectory)
    }

    /// Rebuilds `<layout.root>/index.html` from the archive and the folders present on disk.
    /// - Returns: the page's URL.
    /// - Throws: ``PipelineError`` (I/O) when the archive cannot be read or the page cannot be
    ///   written; ``PlotError`` / ``ReportError`` from drawing and templates.
    @discardableResult
    public static func write(archive: Archive, layout: OutputLayout, templatesDirectory: URL) throws -> URL {
        let batches = try archive.batches(limit: nil)
        var headlines: [String: BatchHeadline] = [:]
        var trends: [ArchiveTrend] = []
        // Manifests in the order of their newest batch (newest first).
        var manifestOrder: [String] = []
        for info in batches where !manifestOrder.contains(info.manifestName) { manifestOrder.append(info.manifestName) }
        for name in manifestOrder {
            let trend = try archive.headlines(manifestName: name)
            for headline in trend { headlines[headline.batchID] = headline }
            trends.append(ArchiveTrend(manifestName: name, svg: try Figures.trendSVG(manifestName: name, trend: trend)))
        }
        let fm = FileManager.default
        let entries = batches.compactMap { info -> ArchiveIndexEntry? in
            guard let headline = headlines[info.id] else { return nil }
            let folder = layout.batchFolder(info.id)
            var isDirectory: ObjCBool = false
            let hasFolder = fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
            return ArchiveIndexEntry(
                info: info, headline: headline, hasFolder: hasFolder,
                hasReportHTML: hasFolder && fm.fileExists(atPath: folder.appendingPathComponent("report.html").path),
                hasReportPDF: hasFolder && fm.fileExists(atPath: folder.appendingPathComponent("report.pdf").path))
        }
        let html = try ArchiveIndexRenderer(templatesDirectory: templatesDirectory)
            .render(ArchiveIndexViewModel(entries: entries, trends: trends))
        let url = layout.root.appendingPathComponent(fileName)
        try AtomicFile.write(html, to: url)
        return url
    }
}
