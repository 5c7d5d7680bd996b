import ArgumentParser
import ExpRegPipeline
import Foundation

/// Options shared by the commands that read the archive.
struct ArchiveOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite archive.")
    var db: String = "output/expreg.sqlite"
}

/// Prints to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Runs a command body, mapping ``PipelineError`` and other errors to the documented exit codes.
/// - Parameter report: where the final error goes (default: stderr as plain text).
func withExitStatus(report: (String) -> Void = printError, _ body: () throws -> ExitStatus) throws {
    let status: ExitStatus
    do {
        status = try body()
    } catch let error as PipelineError {
        report(error.isDiagnosticList ? error.message : "expreg: error: \(error.message)")
        throw ExitCode(error.status.rawValue)
    } catch {
        report("expreg: error: \(error)")
        throw ExitCode(ExitStatus.failure.rawValue)
    }
    if status != .success { throw ExitCode(status.rawValue) }
}
