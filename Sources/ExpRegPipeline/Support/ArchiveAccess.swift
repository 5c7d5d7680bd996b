import ExpRegStore
import Foundation

extension OutputLayout: ArchiveOutputRoot {}

/// The pipeline's way to an archive: an ``ArchiveSession`` (the one owner of lock → open → claim →
/// close → release) with its refusals mapped to the CLI's exit statuses (docs/cli.md).
enum ArchiveAccess {
    /// Opens a session on the archive at `path`.
    /// - Throws: ``PipelineError``: invalid input (2) for a file that is not an archive this build
    ///   can open or an output root owned by another archive, locked (4) while another process
    ///   writes, failure (1) for I/O.
    static func session(
        _ path: String, access: ArchiveSession.Access, output: ArchiveSession.OutputUse? = nil
    ) throws -> ArchiveSession {
        do {
            return try ArchiveSession(path: path, access: access, output: output)
        } catch let error as ArchiveSession.OpenError {
            switch error.step {
            case .lock:
                throw PipelineError(error.error.kind == .lockHeld ? .locked : .failure, error.error.message)
            case .open:
                throw archiveOpenError(error.error, path: path)
            }
        }
    }

    /// A reader session on an archive that must exist (history, export, backup, index, report).
    /// - Throws: ``PipelineError``: invalid input (2) for a bad `--db`, a missing file, or an output
    ///   root owned by another archive.
    static func existing(_ path: String, access: ArchiveSession.Access = .read, output: ArchiveSession.OutputUse? = nil)
        throws -> ArchiveSession
    {
        try ArchivePathCheck.validate(path)
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError.invalid("no archive at \(path) (run `expreg run` first, or pass --db)")
        }
        return try session(path, access: access, output: output)
    }

    /// The pipeline error of a refused or failed archive open.
    static func archiveOpenError(_ error: StoreError, path: String) -> PipelineError {
        switch error.kind {
        case .notAnArchive, .newerSchema:
            return PipelineError.invalid("cannot open archive \(path): \(error)")
        default:
            return PipelineError.io("cannot open archive \(path): \(error)")
        }
    }
}
