import ExpRegCore
import ExpRegReport
import Foundation
import Testing

@Test func scratchRender() throws {
    let renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
    let out = try renderer.render(batch: ReportFixtures.troubled, previous: ReportFixtures.previousNight,
                                  figures: try ReportFixtures.figures)
    try out.markdown.write(toFile: "/tmp/scratch-report.md", atomically: true, encoding: .utf8)
    try out.html.write(toFile: "/tmp/scratch-report.html", atomically: true, encoding: .utf8)
    try out.summary.write(toFile: "/tmp/scratch-summary.md", atomically: true, encoding: .utf8)
    let ok = try renderer.render(batch: ReportFixtures.allConverged, previous: ReportFixtures.previousNight,
                                  figures: [])
    try ok.summary.write(toFile: "/tmp/scratch-summary-ok.md", atomically: true, encoding: .utf8)
}
