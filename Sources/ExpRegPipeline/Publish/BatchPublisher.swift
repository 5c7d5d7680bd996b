import ExpRegCore
import ExpRegPlot
import ExpRegReport
import ExpRegStore
import Foundation

/// What publishing a batch wrote.
public struct PublishedBatch: Sendable {
    public var batchID: String
    public var folder: URL
    public var reportHTML: URL
    public var artifacts: [Artifact]
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

    /// Renders plots, results.json, report.md, report.html and summary.ja.md of `batchID`, records
    /// them as artifacts, and points `latest` at the batch when it is the newest one.
    public func publish(batchID: String, archive: Archive) throws -> PublishedBatch {
        guard let snapshot = try archive.snapshot(batchID: batchID) else {
            throw PipelineError.invalid("no batch \(batchID) in the archive")
        }
        let previous = try previousSnapshot(of: snapshot, archive: archive)
        // Trend: batches of the same manifest up to this one, so re-reporting an old batch is stable.
        let trend = try archive.headlines(manifestName: snapshot.info.manifestName)
            .filter { $0.startedAt <= snapshot.info.startedAt }

        let folder = layout.batchFolder(batchID)
        let plots = layout.plotsFolder(batchID)
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)

        let figures = try Figures.renderAll(batch: snapshot, trend: trend, into: plots)
        let reportFigures = try figures.map { figure in
            ReportFigure(name: figure.name, title: figure.title,
                         pngRelativePath: "plots/" + URL(fileURLWithPath: figure.pngPath).lastPathComponent,
                         svg: try String(contentsOfFile: figure.svgPath, encoding: .utf8))
        }
        let renderer = try ReportRenderer(templatesDirectory: templatesDirectory)
        let report = try renderer.render(batch: snapshot, previous: previous, figures: reportFigures)

        let results = try ResultsDocument(snapshot: snapshot).encoded()
        try AtomicFile.write(results, to: folder.appendingPathComponent("results.json"))
        try AtomicFile.write(report.markdown, to: folder.appendingPathComponent("report.md"))
        try AtomicFile.write(report.html, to: folder.appendingPathComponent("report.html"))
        try AtomicFile.write(report.summary, to: folder.appendingPathComponent("summary.ja.md"))

        var written = ["results.json", "report.md", "report.html", "summary.ja.md"]
        for figure in figures {
            written.append("plots/" + URL(fileURLWithPath: figure.pngPath).lastPathComponent)
            written.append("plots/" + URL(fileURLWithPath: figure.svgPath).lastPathComponent)
        }
        let artifacts = try written.map { relative in
            let data = try Data(contentsOf: folder.appendingPathComponent(relative))
            return Artifact(path: relative, sha256: sha256Hex(data), bytes: data.count)
        }
        try archive.recordArtifacts(artifacts, batchID: batchID)
        if try archive.latestBatchID() == batchID {
            try layout.pointLatest(at: batchID)
        }
        return PublishedBatch(batchID: batchID, folder: folder,
                              reportHTML: folder.appendingPathComponent("report.html"), artifacts: artifacts)
    }

    /// Writes only `results.json` of a batch (used for an interrupted, `partial` batch, whose plots
    /// and reports are built by `expreg report` or when `--resume` completes it).
    public func writeResults(batchID: String, archive: Archive) throws -> URL {
        guard let snapshot = try archive.snapshot(batchID: batchID) else {
            throw PipelineError.invalid("no batch \(batchID) in the archive")
        }
        let url = layout.batchFolder(batchID).appendingPathComponent("results.json")
        try AtomicFile.write(try ResultsDocument(snapshot: snapshot).encoded(), to: url)
        return url
    }

    /// The batch this one is compared with (`report.compare_with: previous`), or nil.
    func previousSnapshot(of snapshot: BatchSnapshot, archive: Archive) throws -> BatchSnapshot? {
        let plan = try archive.plan(batchID: snapshot.info.id)
        guard plan?.compareWith ?? .previous == .previous,
              let previousID = try archive.previousBatchID(before: snapshot.info.id,
                                                           manifestName: snapshot.info.manifestName)
        else { return nil }
        return try archive.snapshot(batchID: previousID)
    }
}
