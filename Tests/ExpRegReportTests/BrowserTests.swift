import ExpRegCore
import ExpRegReport
import ExpRegTestSupport
import Foundation
import Testing

/// Why the browser tests do not run (`EXPREG_SKIP_BROWSER=1`), nil when they do.
let browserTestsTurnedOff: String? =
    ProcessInfo.processInfo.environment["EXPREG_SKIP_BROWSER"] == "1"
    ? "EXPREG_SKIP_BROWSER=1: the headless-browser tests are turned off" : nil

/// report.html opened in a real headless Chromium.
///
/// Fails (never skips silently) when Chromium is missing — `make test` installs it — unless
/// `EXPREG_SKIP_BROWSER=1` is set (then reported as skipped). Each Chromium call is time-boxed to 60 s.
///
/// "Loads without errors": exit status 0, the DOM dump is the whole document, and Chromium's log
/// has no `CONSOLE` line (a CSP violation, a blocked load or a script error would print one).
/// "Not blank": the screenshot PNG has the requested size (IHDR), and its first screen, decoded
/// with ``PNGImage``, has ≥ 2 % of pixels differing from the background and ≥ 32 distinct colours,
/// including the summary's red alert bar (#cf222e) — a blank or unstyled page fails. The same
/// check is shown to fail on a blank page.
@Suite(.serialized, .tags(.slow), .skippedWhenFast, .skipped(because: browserTestsTurnedOff))
struct BrowserTests {
    static let width = 1280, height = 2000

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func chromiumPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Runs Chromium headless with `arguments`; kills it after `timeout` seconds.
    static func chromium(_ arguments: [String], timeout: TimeInterval = 60) throws -> Result {
        let binary = try #require(
            chromiumPath(),
            "chromium is not installed: `make test` installs it (apt-get install chromium); set EXPREG_SKIP_BROWSER=1 to skip"
        )
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let profile = TemporaryDirectory(prefix: "expreg-chromium-profile")
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0",
            ] + arguments
        let out = TemporaryDirectory(prefix: "expreg-chromium-out")
        let stdoutURL = out.url.appendingPathComponent("stdout")
        let stderrURL = out.url.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("chromium did not finish within \(Int(timeout)) s: \(arguments)")
        }
        process.waitUntilExit()
        try stdoutHandle.close()
        try stderrHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }

    /// The blank-page measure: (fraction of pixels unlike the top-left one, distinct colours, has #cf222e).
    static func inkStatistics(_ image: PNGImage) -> (ink: Double, colours: Int, alertBar: Bool) {
        let background = image.rgb(x: 0, y: 0)
        var differing = 0
        var colours = Set<UInt32>()
        var alertBar = false
        for y in 0..<image.rowsDecoded {
            for x in 0..<image.width {
                let c = image.rgb(x: x, y: y)
                if c != background { differing += 1 }
                if colours.count < 4096 { colours.insert(c) }
                if c == 0xCF222E { alertBar = true }
            }
        }
        return (Double(differing) / Double(image.width * image.rowsDecoded), colours.count, alertBar)
    }

    static func screenshot(of html: String, in folder: TemporaryDirectory) throws -> (PNGImage, Data, Result) {
        let page = folder.url.appendingPathComponent("report.html")
        try Data(html.utf8).write(to: page)
        let png = folder.url.appendingPathComponent("shot.png")
        let result = try chromium([
            "--hide-scrollbars", "--screenshot=\(png.path)",
            "--window-size=\(width),\(height)", page.absoluteString,
        ])
        let data = try #require(
            try? Data(contentsOf: png),
            "chromium wrote no screenshot; exit \(result.status)\n\(result.stderr.suffix(2000))")
        return (try PNGImage(data: data, maxRows: 1000), data, result)
    }

    @Test func reportLoadsWithoutErrorsAndTheScreenshotIsNotBlank() throws {
        let report = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
            .render(
                batch: ReportFixtures.troubled, previous: ReportFixtures.previousNight,
                figures: try ReportFixtures.figures)
        let folder = TemporaryDirectory(prefix: "expreg-browser")
        let (image, data, result) = try Self.screenshot(of: report.html, in: folder)
        #expect(result.status == 0, "chromium exit status \(result.status)")
        #expect(
            !result.stderr.contains(":CONSOLE"),
            "console messages: \(result.stderr.components(separatedBy: "\n").filter { $0.contains(":CONSOLE") })")
        #expect(image.width == Self.width && image.height == Self.height)
        let stats = Self.inkStatistics(image)
        #expect(stats.ink > 0.02, "only \(stats.ink * 100) % of the first screen differs from the background")
        #expect(stats.colours >= 32, "only \(stats.colours) colours on the first screen")
        #expect(stats.alertBar, "the summary's red alert bar (#cf222e) is not on the first screen")
        if let keep = ProcessInfo.processInfo.environment["EXPREG_KEEP_SCREENSHOT"] {
            try data.write(to: URL(fileURLWithPath: keep))
        }

        // The DOM Chromium built is the whole page: summary section, the figure, the closing tag.
        let page = folder.url.appendingPathComponent("report.html")
        let dom = try Self.chromium(["--dump-dom", page.absoluteString])
        #expect(dom.status == 0)
        #expect(!dom.stderr.contains(":CONSOLE"))
        #expect(dom.stdout.contains("<section class=\"summary alert\" id=\"summary\">"))
        #expect(dom.stdout.contains("<figure id=\"figure-loss-curves\">"))
        #expect(dom.stdout.contains("</html>"))
    }

    @Test func hostileStringsStayTextInTheBrowser() throws {
        let folder = TemporaryDirectory(prefix: "expreg-browser-xss")
        let page = folder.url.appendingPathComponent("report.html")
        try Data(try HTMLSafetyTests.render().utf8).write(to: page)
        let dom = try Self.chromium(["--dump-dom", page.absoluteString])
        #expect(dom.status == 0)
        #expect(!dom.stderr.contains(":CONSOLE"), "a CSP violation means something tried to run or load")
        #expect(!dom.stdout.contains("<script"))
        #expect(!dom.stdout.contains("<img src=\"x\""))
        #expect(dom.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func theBlankCheckFailsOnABlankPage() throws {
        let folder = TemporaryDirectory(prefix: "expreg-browser-blank")
        let (image, _, result) = try Self.screenshot(
            of: "<!DOCTYPE html><html lang=\"ja\"><body></body></html>", in: folder)
        #expect(result.status == 0)
        let stats = Self.inkStatistics(image)
        #expect(stats.ink < 0.02 && stats.colours < 32 && !stats.alertBar)
    }
}
