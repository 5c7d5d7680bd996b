import ArgumentParser
import ExpRegPipeline
import Foundation

extension ExpReg {
    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the archive's front page (<output>/index.html) from the archive alone.")

        @OptionGroup var archive: ArchiveOptions

        @Option(name: .long, help: "Output root: index.html is written there, batch folders are looked up below it.")
        var output: String = RunOptions.defaultOutputRoot

        func run() throws {
            try withExitStatus {
                let page = try ArchiveFrontPage.rebuild(
                    databasePath: archive.db, outputRoot: output, templatesDirectory: try TemplateLocator.required())
                print("index: \(page.path)")
                return .success
            }
        }
    }
}
