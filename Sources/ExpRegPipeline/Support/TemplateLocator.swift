import Foundation

/// Finds the report templates folder.
///
/// Order: `EXPREG_TEMPLATES` (environment), then a `templates/` folder holding `report.md` found by
/// walking up from the executable (a checkout's `.build/<config>/expreg` finds `<checkout>/templates`),
/// then `./templates`.
public enum TemplateLocator {
    package static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String = CommandLine.arguments.first ?? ""
    ) -> URL? {
        let fm = FileManager.default
        func holdsTemplates(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("report.md").path) }
        if let explicit = environment["EXPREG_TEMPLATES"] {
            let url = URL(fileURLWithPath: explicit)
            return holdsTemplates(url) ? url : nil
        }
        var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("templates")
            if holdsTemplates(candidate) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        let local = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("templates")
        return holdsTemplates(local) ? local : nil
    }

    /// ``locate(environment:executablePath:)``, or the invalid-input error every command reports
    /// when no templates folder is found.
    public static func required(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String = CommandLine.arguments.first ?? ""
    ) throws(PipelineError) -> URL {
        guard let url = locate(environment: environment, executablePath: executablePath) else {
            throw PipelineError.invalid(
                "report templates not found: set EXPREG_TEMPLATES to the checkout's templates/ folder")
        }
        return url
    }
}
