import ArgumentParser
import ExpRegCore
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Machine-readable dump of an archived batch on stdout.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Batch id, or `latest`.")
        var batch: String = "latest"

        @Option(name: .long, help: "json (results.json) or csv (one row per run).")
        var format: Format

        func run() throws {
            try withExitStatus {
                let session = try ArchiveQueries.openExisting(archive.db)
                defer { session.close() }
                let store = session.archive
                let id = try ArchiveQueries.resolveBatch(batch, in: store)
                guard let snapshot = try store.snapshot(batchID: id) else {
                    throw PipelineError(.failure, "batch \(id) vanished from the archive")
                }
                switch format {
                case .json: FileHandle.standardOutput.write(try ResultsDocument(snapshot: snapshot).encoded())
                case .csv: FileHandle.standardOutput.write(Data(ArchiveQueries.exportCSV(snapshot).utf8))
                }
                return .success
            }
        }
    }
}
