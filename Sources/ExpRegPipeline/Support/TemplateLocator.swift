import Foundation

/// Finds the report templates folder (the folder holding `report.md` and the other templates).
///
/// Order:
/// 1. `EXPREG_TEMPLATES`, when set and not empty: that folder and no other (a folder without
///    `report.md` is an error, so a typo is never papered over by another copy).
/// 2. The installed layout, relative to the executable's real path: `<bin>/../share/expreg/templates`
///    (what `make install PREFIX=…` writes: `PREFIX/bin/expreg` and `PREFIX/share/expreg/templates/`).
/// 3. The build checkout: walking up from the executable (at most 8 folders) to a folder holding
///    both `Package.swift` and `templates/report.md` (a checkout's `.build/<config>/expreg`).
///
/// The working folder is never searched: what a report looks like does not depend on where the
/// command was started.
public enum TemplateLocator {
    /// The installed layout's templates folder for a binary at `executablePath`.
    package static func installedFolder(executablePath: String) -> URL {
        ExecutableLocation.folder(of: executablePath).deletingLastPathComponent()
            .appendingPathComponent("share/expreg/templates", isDirectory: true)
    }

    /// The templates folder, or nil when none is found (see the type's order).
    package static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String = ExecutableLocation.current
    ) -> URL? {
        if let explicit = environment["EXPREG_TEMPLATES"], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit)
            return holdsTemplates(url) ? url : nil
        }
        let installed = installedFolder(executablePath: executablePath)
        if holdsTemplates(installed) { return installed }
        for folder in ExecutableLocation.folderAndParents(of: executablePath) {
            let candidate = folder.appendingPathComponent("templates", isDirectory: true)
            let isCheckout = FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
            if isCheckout && holdsTemplates(candidate) { return candidate }
        }
        return nil
    }

    /// ``locate(environment:executablePath:)``, or the invalid-input error every command reports
    /// when no templates folder is found; the message names the places looked at and the fix.
    public static func required(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String = ExecutableLocation.current
    ) throws(PipelineError) -> URL {
        if let url = locate(environment: environment, executablePath: executablePath) { return url }
        if let explicit = environment["EXPREG_TEMPLATES"], !explicit.isEmpty {
            throw PipelineError.invalid(
                "report templates not found: EXPREG_TEMPLATES=\(explicit) holds no report.md"
                    + " (point it at a templates/ folder, or unset it to use the installed templates)")
        }
        let installed = installedFolder(executablePath: executablePath).path
        throw PipelineError.invalid(
            "report templates not found: \(installed) holds no report.md and \(executablePath) is not inside a"
                + " build checkout; install with `make install PREFIX=…` (binary and templates together) or set"
                + " EXPREG_TEMPLATES to a templates/ folder")
    }

    private static func holdsTemplates(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("report.md").path)
    }
}
