import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List archived batches with headline numbers.")

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Show at most this many batches (newest first).")
        var limit: Int?

        @Flag(name: .long, help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            try withExitStatus {
                let session = try ArchiveQueries.openExisting(archive.db)
                defer { session.close() }
                let store = session.archive
                let headlines = try ArchiveQueries.history(store, limit: limit)
                let unpublished = try ArchiveQueries.unpublished(store)
                if json {
                    FileHandle.standardOutput.write(try ArchiveQueries.historyJSON(headlines, unpublished: unpublished))
                } else {
                    print(ArchiveQueries.historyTable(headlines, unpublished: unpublished), terminator: "")
                }
                return .success
            }
        }
    }
}
