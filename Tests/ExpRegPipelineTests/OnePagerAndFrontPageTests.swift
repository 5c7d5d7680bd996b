import ExpRegPlot
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `report.pdf` and `output/index.html` written by the real binary, opened by real readers:
/// poppler-utils for the PDF, headless Chromium for the front page.
@Suite(.serialized)
struct OnePagerAndFrontPageTests {
    /// Runs the tiny manifest into `<dir>/out`; returns the batch folder.
    static func runTiny(in dir: TemporaryDirectory, manifest text: String = RunCommandTests.tinyManifest) throws -> URL
    {
        let manifest = try writeManifest(text, in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
    }

    /// The summary's lines without Markdown markers and whitespace: the words the PDF must carry.
    static func summaryPhrases(_ summary: String) -> [String] {
        summary.split(separator: "\n").map { line -> String in
            var text = String(line)
            for prefix in ["## ", "- ", "1. ", "2. ", "3. "] where text.hasPrefix(prefix) {
                text.removeFirst(prefix.count)
            }
            return PDFInspection.squeezed(
                text.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: ""))
        }.filter { !$0.isEmpty }
    }

    @Test(.tags(.slow), .skippedWhenFast) func runWritesAOnePageA4PDFWithTheSummaryAndRebuildsItByteIdentically() throws
    {
        let dir = TemporaryDirectory(prefix: "expreg-pdf-e2e")
        let folder = try Self.runTiny(in: dir)
        let pdf = folder.appendingPathComponent("report.pdf")
        let info = try PDFInspection.info(pdf.path)
        #expect(info["Pages"] == "1", "the nightly-sized summary fits one page: \(info)")
        #expect(info["Page size"]?.hasPrefix("595.276 x 841.89 pts (A4)") == true)
        #expect(info["Title"] == "小さな検証")
        let fonts = try PDFInspection.fonts(pdf.path)
        #expect(fonts.contains { $0.name.hasSuffix("+IPAexGothic") && $0.embedded })
        #expect(fonts.allSatisfy { $0.embedded && $0.hasUnicodeMap }, "\(fonts)")

        // Every sentence of summary.ja.md is in the PDF as text (same template partial).
        let text = PDFInspection.squeezed(try PDFInspection.text(pdf.path))
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.ja.md"), encoding: .utf8)
        let phrases = Self.summaryPhrases(summary)
        #expect(phrases.count > 8)
        for phrase in phrases {
            #expect(text.contains(phrase), "pdftotext lacks: \(phrase)")
        }
        for words in [
            "結論", "要点", "リスク・注意点", "次のアクション", "max_diverged", "合格", "損失の推移",
            "有限幅グラム行列とH*の距離", folder.lastPathComponent,
        ] {
            #expect(text.contains(PDFInspection.squeezed(words)), "pdftotext lacks \(words)")
        }

        // Page 1 rendered by pdftoppm is not blank.
        let png = try PDFInspection.renderPage(pdf.path, dpi: 40, into: dir.url)
        let image = try RasterImage(pngPath: png)
        #expect(Double(image.pixels.filter { $0 != .white }.count) / Double(image.pixels.count) > 0.03)

        // Registered as an artifact with its SHA-256, like the other files.
        let bytes = try Data(contentsOf: pdf)
        let db = try DatabaseQueue(path: dir.url.appendingPathComponent("out/a.sqlite").path)
        let row = try db.read {
            try Row.fetchOne($0, sql: "SELECT sha256, bytes FROM artifacts WHERE path = 'report.pdf'")
        }
        let artifact = try #require(row, "report.pdf is not in the artifacts table")
        #expect(artifact["bytes"] as Int == bytes.count)
        let sha = try PDFInspection.run("sha256sum", [pdf.path]).prefix(64)
        #expect(artifact["sha256"] as String == String(sha))
        try db.close()

        // `expreg report` rebuilds the same bytes (dates come from the batch, not the clock).
        let again = try ExpRegProcess.run(["report", "--db", "out/a.sqlite", "--output", "out"], in: dir.url)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stdout.contains("report.pdf") && again.stdout.contains("index.html"))
        #expect(try Data(contentsOf: pdf) == bytes, "report.pdf changed when re-reported")
    }

    @Test func aLongTitleAndManyExperimentsWrapInsideThePage() throws {
        let experiments = (1...14).map { i in
            // Distinct seeds: experiments with identical configurations would share their run_keys.
            "  - name: experiment-number-\(i)-with-a-long-name\n    seed: \(i)\n    sweep:\n      model.width: [16, 32]\n"
        }.joined()
        let title = String(repeating: "とても長いタイトルの夜間検証 with English words ", count: 6)
        let manifest = """
            name: many
            title: \(title)
            defaults:
              data: {source: sphere, n: 8, d: 4, labels: teacher, seed: 3}
              model: {activation: exp, width: 16, init_scale: 0.7}
              train: {steps: 40, learning_rate: auto, target_loss: 1.0e-3, log_every: 10, spectrum_every: 0}
            experiments:
            \(experiments)
            gates:
              max_diverged: 0
              max_final_loss: 1.0e-12
            """
        let dir = TemporaryDirectory(prefix: "expreg-pdf-many")
        let written = try writeManifest(manifest, in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", written, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
        #expect(result.status == 3, "the impossible loss gate fails: \(result.stderr)")
        let pdf = dir.url.appendingPathComponent("out/latest/report.pdf").resolvingSymlinksInPath().path
        let pages = try #require(Int(try PDFInspection.info(pdf)["Pages"] ?? ""))
        #expect(pages >= 1 && pages <= 3, "\(pages) pages")
        let words = try PDFInspection.words(pdf)
        let left = 40.0 - 1
        let right = OnePager.pageWidth - 40 + 1
        let outside = words.filter { $0.xMin < left || $0.xMax > right || $0.yMax > OnePager.pageHeight - 20 }
        #expect(outside.isEmpty, "words outside the margins: \(outside.prefix(5))")
        let text = PDFInspection.squeezed(try PDFInspection.text(pdf))
        #expect(
            text.contains(PDFInspection.squeezed(title.trimmingCharacters(in: .whitespaces))),
            "the title is wrapped, not cut")
        #expect(text.contains("experiment-number-14-with-a-long-name"))
        #expect(text.contains("不合格"), "the failed gate is on the page")
    }

    @Test(.tags(.slow), .skippedWhenFast) func theFrontPageListsEveryBatchAndLoadsInChromiumWithEveryLinkResolving()
        throws
    {
        let dir = TemporaryDirectory(prefix: "expreg-index-e2e")
        _ = try Self.runTiny(in: dir)
        let second = try Self.runTiny(in: dir)
        let out = dir.url.appendingPathComponent("out")
        let index = out.appendingPathComponent("index.html")
        let html = try String(contentsOf: index, encoding: .utf8)
        #expect(html.contains("<html lang=\"ja\">"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url("))
        let batches = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix("-tiny") }
            .sorted()
        #expect(batches.count == 2)
        // Newest first, the latest batch linked at the top.
        let positions = batches.map { html.range(of: "id=\"batch-\($0)\"")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        if let older = positions[0], let newer = positions[1] { #expect(newer < older, "newest batch first") }
        #expect(batches.last == second.lastPathComponent)
        #expect(html.contains("href=\"\(second.lastPathComponent)/report.pdf\""))

        let dom = try HeadlessChromium.run(["--dump-dom", index.absoluteString])
        try #require(dom != nil || HeadlessChromium.skip)
        if let dom {
            #expect(dom.status == 0)
            #expect(!dom.stderr.contains(":CONSOLE"), "console messages: \(dom.stderr)")
            #expect(dom.stdout.contains("</html>"))
            let hrefs = Self.hrefs(in: dom.stdout)
            #expect(hrefs.count >= 5, "\(hrefs)")
            for href in hrefs {
                #expect(!href.contains(":"), "external or absolute link \(href)")
                #expect(
                    FileManager.default.fileExists(atPath: out.appendingPathComponent(href).path),
                    "\(href) does not resolve")
            }
        }

        // An archive without its batch folders: the page says so and links nothing missing.
        let moved = dir.url.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: out.appendingPathComponent(batches[0]), to: moved)
        let rebuilt = try ExpRegProcess.run(["index", "--db", "out/a.sqlite", "--output", "out"], in: dir.url)
        #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("index.html"))
        let page = try String(contentsOf: index, encoding: .utf8)
        #expect(!page.contains("href=\"\(batches[0])/"))
        // Its row says the folder is missing and how to rebuild it (as after `expreg prune`).
        let row = try #require(page.range(of: "id=\"batch-\(batches[0])\"")).upperBound
        #expect(page[row...].prefix(2000).contains("class=\"missing\""))
        #expect(page[row...].prefix(2000).contains("expreg report --batch \(batches[0])"))
        #expect(page.contains("href=\"\(batches[1])/report.html\""))
    }

    @Test func indexUsageErrorsExit2() throws {
        let dir = TemporaryDirectory(prefix: "expreg-index-usage")
        let unknown = try ExpRegProcess.run(["index", "--bogus"], in: dir.url)
        #expect(unknown.status == 2)
        let missing = try ExpRegProcess.run(["index", "--db", "nope.sqlite"], in: dir.url)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("output/index.html").path))
    }

    /// `href` values of `<a>` elements in a DOM dump.
    static func hrefs(in dom: String) -> [String] {
        dom.components(separatedBy: "href=\"").dropFirst().compactMap {
            $0.split(separator: "\"", maxSplits: 1).first.map(String.init)
        }
    }
}

/// Headless Chromium for end-to-end pages (the report's own browser tests live in ExpRegReportTests).
///
/// Missing Chromium fails the test (`make test` installs it) unless `EXPREG_SKIP_BROWSER=1`.
enum HeadlessChromium {
    static let skip = ProcessInfo.processInfo.environment["EXPREG_SKIP_BROWSER"] == "1"

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs Chromium headless (stopped by pid after `timeout` s); nil when skipped.
    static func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Result? {
        if skip { return nil }
        let binary = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/local/bin/chromium"]
                .first { FileManager.default.isExecutableFile(atPath: $0) },
            "chromium is not installed: `make test` installs it; set EXPREG_SKIP_BROWSER=1 to skip")
        let profile = TemporaryDirectory(prefix: "expreg-chromium-profile")
        let logs = TemporaryDirectory(prefix: "expreg-chromium-logs")
        let out = logs.url.appendingPathComponent("stdout")
        let err = logs.url.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0",
            ] + arguments
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("chromium did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
