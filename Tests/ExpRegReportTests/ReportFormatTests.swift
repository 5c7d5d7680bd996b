import ExpRegReport
import Foundation
import Testing

/// The number formatting rules (exact strings: these are the rules the traceability test applies).
@Suite struct ReportFormatTests {
    @Test func countsAndWidthsGroupThousands() {
        #expect(ReportFormat.count(0) == "0")
        #expect(ReportFormat.count(999) == "999")
        #expect(ReportFormat.count(1_000) == "1,000")
        #expect(ReportFormat.width(65_536) == "65,536")
        #expect(ReportFormat.width(1_048_576) == "1,048,576")
        #expect(ReportFormat.count(-4_096) == "-4,096")
    }

    @Test func predictedWidthRoundsUpToThreeSignificantDigits() {
        #expect(ReportFormat.predictedWidth(647_379.2) == "648,000")
        #expect(ReportFormat.predictedWidth(648_000) == "648,000")
        #expect(ReportFormat.predictedWidth(912.3) == "913")
        #expect(ReportFormat.predictedWidth(12.01) == "13")
        #expect(ReportFormat.predictedWidth(.infinity) == "inf")
    }

    @Test func stepsRoundHalfAwayFromZero() {
        #expect(ReportFormat.steps(310.5) == "311")
        #expect(ReportFormat.steps(310.49) == "310")
        #expect(ReportFormat.steps(1_999.5) == "2,000")
    }

    @Test func printfRules() {
        #expect(ReportFormat.loss(3.14159e-7) == "3.14e-07")
        #expect(ReportFormat.loss(0) == "0.00e+00")
        #expect(ReportFormat.rate(0.996123) == "0.9961")
        #expect(ReportFormat.slope(-0.4949) == "-0.49")
        #expect(ReportFormat.ratio(2.6947) == "2.69")
        #expect(ReportFormat.ratio(2.3) == "2.30")
        #expect(ReportFormat.magnitude(1.57921) == "1.579")
        #expect(ReportFormat.magnitude(0.000312567) == "0.0003126")
        #expect(ReportFormat.magnitude(25_412.7) == "2.541e+04")
        #expect(ReportFormat.gateLoss(1e-4) == "1.0e-04")
        #expect(ReportFormat.gateRatio(2) == "2.00")
    }

    @Test func nonFiniteAndMissingValues() {
        #expect(ReportFormat.loss(.nan) == "NaN")
        #expect(ReportFormat.rate(.infinity) == "inf")
        #expect(ReportFormat.magnitude(-.infinity) == "-inf")
        #expect(ReportFormat.optional(nil as Double?, ReportFormat.loss) == "—")
        #expect(ReportFormat.duration(.nan) == "—")
    }

    @Test func datesAndDurationsAreUTC() {
        let date = Date(timeIntervalSince1970: 1_795_926_600)  // 2026-11-29T04:30:00Z
        #expect(ReportFormat.date(date) == "2026-11-29")
        #expect(ReportFormat.timestamp(date) == "2026-11-29 04:30:00 UTC")
        #expect(ReportFormat.duration(3_725.9) == "1:02:05")
    }
}
