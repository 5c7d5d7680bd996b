import ExpRegTestSupport
import Foundation
import Testing

/// `make install` / `make uninstall` and the installed binary: it finds its templates under
/// `PREFIX/share/expreg/templates` and nowhere in the checkout, so it keeps working when the
/// checkout is moved, deleted or unreadable to the user who runs it.
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct InstalledLayoutTests {
    /// Every file of the checkout's templates folder (what `make install` must copy).
    static var templateNames: [String] {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("templates").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func theInstalledBinaryWritesACompleteReportFromItsOwnTemplatesAndUninstallRemovesThem() throws {
        let dir = TemporaryDirectory()
        let installed = try InstalledExpReg.install(into: dir.url.appendingPathComponent("prefix"))
        #expect(Self.templateNames.contains("report.md"))
        #expect(
            installed.files()
                == (["bin/expreg", "share/expreg/installed-files"]
                + Self.templateNames.map { "share/expreg/templates/\($0)" }).sorted())
        let checkoutTemplates = Fixtures.repositoryRoot.appendingPathComponent("templates")
        for name in Self.templateNames {
            let copy = FileManager.default.contents(atPath: installed.templates.appendingPathComponent(name).path)
            #expect(copy == FileManager.default.contents(atPath: checkoutTemplates.appendingPathComponent(name).path))
        }

        // A night run by the installed binary from a folder outside the checkout, EXPREG_TEMPLATES unset.
        let night = dir.url.appendingPathComponent("srv")
        try FileManager.default.createDirectory(at: night, withIntermediateDirectories: true)
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: night)
        func installedExpReg(_ arguments: [String]) throws -> ExpRegProcess.Result {
            try ExpRegProcess.run(arguments, in: night, executable: installed.binary, unsetting: ["EXPREG_TEMPLATES"])
        }
        let run = try installedExpReg(["run", manifest, "--db", "output/expreg.sqlite", "--output", "output"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let latest = night.appendingPathComponent("output/latest")
        for name in ["report.md", "report.html", "report.pdf", "summary.ja.md", "results.json"] {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: latest.appendingPathComponent(name).path))?[
                    .size] as? Int
            #expect((size ?? 0) > 0, "output/latest/\(name) missing or empty")
        }
        #expect(FileManager.default.fileExists(atPath: night.appendingPathComponent("output/index.html").path))
        #expect(
            FileManager.default.fileExists(atPath: latest.appendingPathComponent("plots").path),
            "the plots folder is written")

        // The report is rendered from the installed copy: a line added to it shows up in report.md.
        let installedReport = installed.templates.appendingPathComponent("report.md")
        let marker = "installed-template-marker-\(UUID().uuidString.prefix(8))"
        let original = try String(contentsOf: installedReport, encoding: .utf8)
        try (original + "\n\(marker)\n").write(to: installedReport, atomically: true, encoding: .utf8)
        let rebuilt = try installedExpReg(["report", "--db", "output/expreg.sqlite", "--output", "output"])
        #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")
        let markdown = try String(contentsOf: latest.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains(marker), "report.md was not rendered from \(installed.templates.path)")

        // Without the installed templates nothing else is found: exit 2 naming where it looked.
        try FileManager.default.removeItem(at: installedReport)
        let missing = try installedExpReg(["report", "--db", "output/expreg.sqlite", "--output", "output"])
        #expect(missing.status == 2, "stderr: \(missing.stderr)")
        #expect(missing.stderr.contains("report templates not found"), "stderr: \(missing.stderr)")
        #expect(missing.stderr.contains(installed.templates.path), "stderr: \(missing.stderr)")

        // `make uninstall` removes exactly what `make install` wrote (and its now empty folders).
        try installed.uninstall()
        #expect(installed.files().isEmpty, "left behind: \(installed.files())")
        #expect(!FileManager.default.fileExists(atPath: installed.prefix.appendingPathComponent("share/expreg").path))
        #expect(FileManager.default.fileExists(atPath: installed.prefix.appendingPathComponent("bin").path))
    }

    @Test func uninstallLeavesFilesItDidNotInstall() throws {
        let dir = TemporaryDirectory()
        let prefix = dir.url.appendingPathComponent("prefix")
        let installed = try InstalledExpReg.install(into: prefix)
        // Someone else's files beside ExpReg's, in the same folders.
        let neighbours = ["bin/other-tool", "share/expreg/templates/local-notes.txt"]
        for path in neighbours {
            try "keep".write(to: prefix.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        try installed.uninstall()
        #expect(installed.files() == neighbours.sorted())
    }
}
