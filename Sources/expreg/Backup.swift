import ArgumentParser
import ExpRegCore
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent, verified copy of the archive (safe while `expreg run` writes).",
            discussion: """
                Uses SQLite's online backup API, checks the copy (PRAGMA integrity_check, batch count)
                and renames it into place. Restore: stop the timer, move the copy to the archive's
                path (delete any <archive>-wal and -shm files first), start again.
                """)

        @Argument(help: "The new file (e.g. /backup/expreg-2026-11-30.sqlite).")
        var destination: String

        @OptionGroup var archive: ArchiveOptions

        @Flag(name: .long, help: "Replace the destination when it exists.")
        var force = false

        func run() throws {
            try withExitStatus {
                let summary = try ArchiveBackup.run(archivePath: archive.db, destination: destination, force: force)
                print(
                    "backup: \(summary.destination.path) (\(summary.batchCount) batches, "
                        + "\(ByteFormat.size(summary.bytes)), integrity ok)")
                return .success
            }
        }
    }
}
