import ExpRegCore
import ExpRegDigest
import ExpRegFiles
import ExpRegManifest
import ExpRegPlot
import ExpRegReport
import ExpRegStore
import Foundation

/// What publishing a batch wrote.
public struct PublishedBatch: Sendable {
    public var batchID: String
    /// True when `latest` now points at this batch (only a `completed` batch, the newest such).
    public var pointedLatest: Bool
    public var folder: URL
    public var reportHTML: URL
    /// The meeting one-pager (A4 PDF).
    public var reportPDF: URL
    /// The archive's front page, rewritten after the batch.
    public var frontPage: URL
    public var artifacts: [Artifact]
    /// The summary's conclusion as rendered (``RenderedReport/conclusion``): what webhooks are told.
    public var conclusion: String
}

/// Archive → plots → reports: writes a batch folder from the archive alone (no re-training).
///
/// Used by `expreg run` after training and by `expreg report`. Output is deterministic: the same
/// archived batch gives byte-identical files.
public struct BatchPublisher {
    public var layout: OutputLayout
    public var templatesDirectory: URL

    public init(layout: OutputLayout, templatesDirectory: URL) {
        self.layout = layout
        self.templatesDirectory = templatesDirectory
    }

    /// Renders plots, results.json, report.md, report.html, summary.ja.md and report.pdf of `batchID`;
    /// then (when the archive was opened for writing) records them as artifacts and, for a `completed`
    /// batch, its publication (`published_at`) in one transaction; then points `latest` at the batch
    /// when it is `completed` and the newest completed one: a running, partial or failed batch gets
    /// its report but never `latest`. Temporary files left by a killed writer are removed first.
    /// Last, the archive's front page (`index.html`) is rewritten.
    public func publish(batchID: String, archive: Archive) throws -> PublishedBatch {
        let snapshot = try load(batchID, from: archive)
        return try publish(snapshot, previous: try previousSnapshot(of: snapshot, archive: archive), archive: archive)
    }

    /// As ``publish(batchID:archive:)`` with the comparison batch already loaded (`expreg run` has
    /// read it for the gates). A partially merged batch passes its `missingRuns` (listed in the
    /// report with their shard, plan index % `shardCount`) and `pointLatest: false`.
    func publish(
        _ snapshot: BatchSnapshot, previous: BatchSnapshot?, archive: Archive,
        missingRuns: [RunSpec] = [], shardCount: Int = 1, pointLatest: Bool = true
    ) throws -> PublishedBatch {
        let batchID = snapshot.info.id
        // Trend: batches of the same manifest up to this one, so re-reporting an old batch is stable.
        let trend = try archive.headlines(manifestName: snapshot.info.manifestName)
            .filter { $0.startedAt <= snapshot.info.startedAt }

        try layout.prepareBatchFolder(batchID)
        layout.removeStaleTemporaryFiles(batchID)
        let folder = layout.batchFolder(batchID)
        let plots = layout.plotsFolder(batchID)

        // Every file is read or produced once; its bytes feed the report and the artifact list.
        var files: [(relative: String, data: Data)] = []
        var reportFigures: [ReportFigure] = []
        for figure in try Figures.renderAll(batch: snapshot, trend: trend, into: plots) {
            let png = "plots/" + URL(fileURLWithPath: figure.pngPath).lastPathComponent
            let svg = "plots/" + URL(fileURLWithPath: figure.svgPath).lastPathComponent
            let svgData = try Data(contentsOf: URL(fileURLWithPath: figure.svgPath))
            files.append((png, try Data(contentsOf: URL(fileURLWithPath: figure.pngPath))))
            files.append((svg, svgData))
            reportFigures.append(
                ReportFigure(
                    name: figure.name, title: figure.title, pngRelativePath: png,
                    svg: String(decoding: svgData, as: UTF8.self)))
        }
        // The report shows the manifest; webhook URLs in it are credentials.
        var shown = snapshot
        shown.info.manifestText = WebhookSpec.redactingURLs(inManifest: snapshot.info.manifestText)
        let report = try ReportRenderer(templatesDirectory: templatesDirectory)
            .render(
                batch: shown, previous: previous, figures: reportFigures, missingRuns: missingRuns,
                shardCount: shardCount)
        let documents = [
            ("results.json", try Self.resultsData(snapshot)), ("report.md", Data(report.markdown.utf8)),
            ("report.html", Data(report.html.utf8)), ("summary.ja.md", Data(report.summary.utf8)),
        ]
        for (relative, data) in documents {
            try AtomicFile.write(data, to: folder.appendingPathComponent(relative))
        }
        files.insert(contentsOf: documents.map { (relative: $0.0, data: $0.1) }, at: 0)

        // The one-pager: same summary (template partial), the batch's dates (never the clock).
        let pdf = folder.appendingPathComponent("report.pdf")
        let info = snapshot.info
        let document = OnePagerDocument(
            markup: report.onePager,
            title: (info.title ?? "").isEmpty ? info.manifestName : (info.title ?? ""),
            createdAt: info.startedAt, modifiedAt: info.finishedAt ?? info.startedAt,
            footer: batchID)
        try OnePager.writePDF(document, batch: snapshot, trend: trend, to: pdf.path)
        files.insert(("report.pdf", try Data(contentsOf: pdf)), at: documents.count)

        let artifacts = files.map {
            Artifact(path: $0.relative, sha256: SHA256Digest.hex($0.data), bytes: $0.data.count)
        }
        // Every file is in place: record them, and (for a completed batch) the publication, in one
        // transaction; only then may `latest` point here.
        if archive.access == .readWrite {
            try archive.recordPublication(
                artifacts, batchID: batchID,
                publishedAt: snapshot.info.status == .completed ? Date() : nil)
        }
        let newestCompleted = try archive.latestCompletedBatchID()
        let pointsLatest = pointLatest && snapshot.info.status == .completed && newestCompleted == batchID
        if pointsLatest {
            try layout.pointLatest(at: batchID)
        }
        let frontPage = try ArchiveFrontPage.write(
            archive: archive, layout: layout, templatesDirectory: templatesDirectory)
        return PublishedBatch(
            batchID: batchID, pointedLatest: pointsLatest, folder: folder,
            reportHTML: folder.appendingPathComponent("report.html"), reportPDF: pdf,
            frontPage: frontPage, artifacts: artifacts, conclusion: report.conclusion)
    }

    /// Writes only `results.json` of a batch (used for an interrupted, `partial` batch, whose plots
    /// and reports are built by `expreg report` or when `--resume` completes it).
    public func writeResults(batchID: String, archive: Archive) throws -> URL {
        try layout.prepareBatchFolder(batchID)
        let url = layout.batchFolder(batchID).appendingPathComponent("results.json")
        try AtomicFile.write(try Self.resultsData(try load(batchID, from: archive)), to: url)
        return url
    }

    private func load(_ batchID: String, from archive: Archive) throws -> BatchSnapshot {
        guard let snapshot = try archive.snapshot(batchID: batchID) else {
            throw PipelineError.invalid("no batch \(batchID) in the archive")
        }
        return snapshot
    }

    private static func resultsData(_ snapshot: BatchSnapshot) throws -> Data {
        try ResultsDocument(snapshot: snapshot).encoded()
    }

    /// The batch this one is compared with (`report.compare_with: previous`), or nil.
    func previousSnapshot(of snapshot: BatchSnapshot, archive: Archive) throws -> BatchSnapshot? {
        let plan = try archive.plan(batchID: snapshot.info.id)
        guard plan?.compareWith ?? .previous == .previous,
            let previousID = try archive.previousBatchID(
                before: snapshot.info.id,
                manifestName: snapshot.info.manifestName)
        else { return nil }
        return try archive.snapshot(batchID: previousID)
    }
}
