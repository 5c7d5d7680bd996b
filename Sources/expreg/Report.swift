import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the plots and reports of an archived batch (no re-training).")

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Batch id, or `latest`.")
        var batch: String = "latest"

        @Option(name: .long, help: "Output root: the batch folder is written below it.")
        var output: String = RunOptions.defaultOutputRoot

        func run() throws {
            try withExitStatus {
                try OutputRootCheck.validate(output)
                let session = try ArchiveQueries.openForReport(archive.db, outputRoot: output)
                defer { session.close() }
                let store = session.archive
                let id = try ArchiveQueries.resolveBatch(batch, in: store)
                let templates = try TemplateLocator.required()
                let publisher = BatchPublisher(
                    layout: OutputLayout(root: URL(fileURLWithPath: output)),
                    templatesDirectory: templates)
                let published = try publisher.publish(batchID: id, archive: store)
                print("report: \(published.reportHTML.path)")
                print("one-pager: \(published.reportPDF.path)")
                print("index: \(published.frontPage.path)")
                if !published.pointedLatest {
                    print(
                        "note: \(URL(fileURLWithPath: output).appendingPathComponent("latest").path) not moved: "
                            + "batch \(id) is not the newest completed batch (only a completed batch is published as latest)"
                    )
                }
                if !session.isWriter {
                    print("note: archive \(archive.db) opened read-only; the files' checksums were not recorded in it")
                }
                return .success
            }
        }
    }
}
