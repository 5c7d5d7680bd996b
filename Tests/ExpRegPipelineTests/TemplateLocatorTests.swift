import ExpRegPipeline
import ExpRegTestSupport
import Foundation
import Testing

/// Where `expreg` finds its report templates: `EXPREG_TEMPLATES`, then the installed layout beside
/// the executable, then the build checkout; never the working folder. Real folders in a temporary
/// directory stand for an installation and a checkout (the locator only looks at paths).
@Suite struct TemplateLocatorTests {
    /// Makes `root/<relative>/report.md`; returns the templates folder.
    static func templates(at relative: String, in root: URL) throws -> URL {
        let folder = root.appendingPathComponent(relative, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "x".write(to: folder.appendingPathComponent("report.md"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func explicitFolderIsUsedAndAMissingOneIsTheOneInvalidInputError() throws {
        let templates = Fixtures.repositoryRoot.appendingPathComponent("templates")
        #expect(try TemplateLocator.required(environment: ["EXPREG_TEMPLATES": templates.path]).path == templates.path)
        #expect(TemplateLocator.locate(environment: ["EXPREG_TEMPLATES": "/nonexistent/templates"]) == nil)
        #expect {
            try TemplateLocator.required(environment: ["EXPREG_TEMPLATES": "/nonexistent/templates"])
        } throws: { error in
            (error as? PipelineError)?.status == .invalidInput && "\(error)".contains("EXPREG_TEMPLATES=/nonexistent")
        }
    }

    @Test func theInstalledLayoutComesBeforeTheCheckoutAndTheVariableBeforeBoth() throws {
        let dir = TemporaryDirectory()
        // A checkout with an installation inside it: <root>/Package.swift, <root>/templates,
        // <root>/prefix/bin/expreg, <root>/prefix/share/expreg/templates.
        try "// swift-tools-version: 6.0".write(
            to: dir.url.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        let checkout = try Self.templates(at: "templates", in: dir.url)
        let installed = try Self.templates(at: "prefix/share/expreg/templates", in: dir.url)
        let other = try Self.templates(at: "elsewhere", in: dir.url)
        let installedBinary = dir.url.appendingPathComponent("prefix/bin/expreg").path
        let builtBinary = dir.url.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release/expreg").path

        #expect(TemplateLocator.locate(environment: [:], executablePath: installedBinary)?.path == installed.path)
        #expect(TemplateLocator.locate(environment: [:], executablePath: builtBinary)?.path == checkout.path)
        #expect(
            TemplateLocator.locate(environment: ["EXPREG_TEMPLATES": other.path], executablePath: installedBinary)?
                .path == other.path)
        // An empty variable counts as unset.
        #expect(
            TemplateLocator.locate(environment: ["EXPREG_TEMPLATES": ""], executablePath: builtBinary)?.path
                == checkout.path)
    }

    @Test func aTemplatesFolderOutsideACheckoutOrTheWorkingFolderIsNotUsed() throws {
        let dir = TemporaryDirectory()
        // templates/ beside the binary's folders, but no Package.swift: not a checkout.
        _ = try Self.templates(at: "templates", in: dir.url)
        let binary = dir.url.appendingPathComponent("bin/expreg").path
        #expect(TemplateLocator.locate(environment: [:], executablePath: binary) == nil)
        #expect {
            try TemplateLocator.required(environment: [:], executablePath: binary)
        } throws: { error in
            let text = "\(error)"
            return (error as? PipelineError)?.status == .invalidInput
                && text.contains(dir.url.appendingPathComponent("share/expreg/templates").path)
                && text.contains("make install") && text.contains("EXPREG_TEMPLATES")
        }
    }

    @Test func theRunningBinaryIsFoundThroughProcSelfExe() {
        // The test executable itself: /proc/self/exe is an absolute path to an existing file.
        let path = ExecutableLocation.current
        #expect(path.hasPrefix("/"))
        #expect(FileManager.default.isExecutableFile(atPath: path))
    }
}
