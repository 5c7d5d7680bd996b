import ExpRegCore
import ExpRegReport
import ExpRegTestSupport
import Foundation
import Testing

/// report.html's run table on a laptop screen (1280 × 800 CSS px) in a real headless Chromium: each
/// verdict is one line and lies within the first screen's width, without scrolling sideways, and
/// every column header is one line.
@Suite(.serialized, .tags(.slow), .skippedWhenFast, .skipped(because: browserTestsTurnedOff))
struct RunTableLayoutTests {
    /// Appended to a copy of the page (without its CSP, which forbids scripts): finds the run table
    /// and its 判定 column by their headers, and writes, per run, the number of line boxes of the
    /// verdict and the cell's right edge, and the viewport width.
    static let probe = """
        <script>
        const table = [...document.querySelectorAll('table')].find(t =>
          [...t.querySelectorAll('thead th')].some(th => th.textContent === 'カーネル予測'));
        const column = [...table.querySelectorAll('thead th')].findIndex(th => th.textContent === '判定');
        const rows = [...table.querySelectorAll('tbody tr')].map(tr => {
          const cell = tr.children[column];
          return [cell.firstElementChild.getClientRects().length, cell.getBoundingClientRect().right];
        });
        const lines = node => { const r = document.createRange(); r.selectNodeContents(node); return r.getClientRects().length; };
        const headers = [...table.querySelectorAll('thead th')].map(lines);
        document.body.insertAdjacentHTML('beforeend', '<pre id="layout">' +
          JSON.stringify({viewport: document.documentElement.clientWidth, cells: rows, headers: headers}) + '</pre>');
        </script>
        """

    @Test func verdictsAndHeadersAreOneLineOnTheFirstScreen() throws {
        // Every verdict, including the longest (矛盾なし(保証外・未収束)).
        var shapes = ReportFixtures.healthyShapes()
        shapes[0].status = .completed
        shapes[1].violations = 2
        shapes[2].status = .diverged
        shapes[2].lossFinal = nil
        shapes[3].conditionMet = true
        let report = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
            .render(batch: ReportFixtures.batch(shapes), previous: nil, figures: [])
        let csp = try #require(
            report.html.range(of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, options: .regularExpression))
        var html = report.html
        html.removeSubrange(csp)
        html = html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
        let folder = TemporaryDirectory(prefix: "expreg-run-table")
        let page = folder.url.appendingPathComponent("report.html")
        try Data(html.utf8).write(to: page)
        let dom = try BrowserTests.chromium(["--window-size=1280,800", "--dump-dom", page.absoluteString])
        #expect(dom.status == 0, "chromium: \(dom.stderr.suffix(1000))")
        let start = try #require(dom.stdout.range(of: "<pre id=\"layout\">", options: .backwards))
        let end = try #require(dom.stdout.range(of: "</pre>", range: start.upperBound..<dom.stdout.endIndex))
        let json = String(dom.stdout[start.upperBound..<end.lowerBound])
        let layout = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "layout: \(json)")
        let viewport = try #require(layout["viewport"] as? Double)
        let cells = try #require(layout["cells"] as? [[Double]])
        #expect(cells.count == shapes.count)
        let headers = try #require(layout["headers"] as? [Double])
        #expect(headers.count == 15 && headers.allSatisfy { $0 == 1 }, "header lines: \(headers)")
        for (index, cell) in cells.enumerated() {
            #expect(cell[0] == 1, "run \(index): the verdict takes \(Int(cell[0])) lines")
            #expect(
                cell[1] <= viewport, "run \(index): the verdict ends at \(cell[1]) px, past the \(viewport) px screen")
        }
    }
}
