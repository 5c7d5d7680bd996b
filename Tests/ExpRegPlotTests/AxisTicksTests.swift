import Foundation
import Testing

@testable import ExpRegPlot

/// Nice ticks for linear and log axes, including degenerate ranges.
///
/// Tick values are computed as (integer × step); they are compared with a relative tolerance of
/// 1e-12 (a few ulps of the products), labels exactly.
@Suite struct AxisTicksTests {
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(a), abs(b)) }

    @Test func linearZeroToOne() {
        let axis = AxisTicks.linear(min: 0, max: 1)
        #expect(axis.ticks.map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(close(axis.lower, 0) && close(axis.upper, 1))
    }

    @Test func linearEndsOnNiceTicksAroundData() {
        let axis = AxisTicks.linear(min: 0.93, max: 0.996)
        #expect(axis.lower <= 0.93 && axis.upper >= 0.996)
        #expect(axis.ticks.count >= 4 && axis.ticks.count <= 12)
        let step = axis.ticks[1].value - axis.ticks[0].value
        #expect(close(step, 0.01) || close(step, 0.02))
        #expect(axis.ticks.allSatisfy { !$0.label.isEmpty })
    }

    @Test func linearStepsAreOneTwoOrFive() {
        for (lo, hi) in [(0.0, 7.0), (-3.0, 12.0), (1e-6, 9e-6), (100.0, 130000.0), (-0.5, 0.5)] {
            let axis = AxisTicks.linear(min: lo, max: hi)
            let step = axis.ticks[1].value - axis.ticks[0].value
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1.0, 2.0, 5.0, 10.0].contains { close(mantissa, $0) }, "step \(step) for \(lo)...\(hi)")
            #expect(axis.lower <= lo && axis.upper >= hi)
        }
    }

    @Test func linearDegenerateRangesWiden() {
        let constant = AxisTicks.linear(min: 5, max: 5)
        #expect(constant.lower < 5 && constant.upper > 5)
        let zero = AxisTicks.linear(min: 0, max: 0)
        #expect(zero.lower <= -1 && zero.upper >= 1)
        let reversed = AxisTicks.linear(min: 3, max: 1)
        #expect(reversed.lower <= 1 && reversed.upper >= 3)
        let nonFinite = AxisTicks.linear(min: .nan, max: .infinity)
        #expect(nonFinite.lower.isFinite && nonFinite.upper.isFinite && nonFinite.lower < nonFinite.upper)
        let huge = AxisTicks.linear(min: -1e308, max: 1e308)
        #expect(huge.lower.isFinite && huge.upper.isFinite && !huge.ticks.isEmpty)
    }

    @Test func linearScientificLabelsForTinyAndHugeValues() {
        #expect(AxisTicks.linear(min: 0, max: 4e-4).ticks.last?.label == "4e-04")
        #expect(AxisTicks.linear(min: 120_000, max: 140_000).ticks.map(\.label).prefix(2) == ["1.20e+05", "1.25e+05"])
        #expect(AxisTicks.linear(min: 0, max: 4e6).ticks.last?.label == "4e+06")
        #expect(AxisTicks.linear(min: 0, max: 3e-5).ticks.contains { $0.label == "0" })
    }

    @Test func integerTicksForCounts() {
        let axis = AxisTicks.linear(min: 0, max: 1, minimumStep: 1)
        #expect(axis.ticks.map(\.label) == ["0", "1"])
    }

    @Test func logDecadesLabelledAsPowersOfTen() {
        let axis = AxisTicks.log10(min: 3e-6, max: 82)
        #expect(close(axis.lower, 1e-6) && close(axis.upper, 100))
        #expect(
            axis.ticks.filter { !$0.label.isEmpty }.map(\.label)
                == ["10^{-6}", "10^{-5}", "10^{-4}", "10^{-3}", "10^{-2}", "10^{-1}", "10^{0}", "10^{1}", "10^{2}"])
    }

    @Test func logHugeRangeLabelsEveryKthDecade() {
        let axis = AxisTicks.log10(min: 1e-30, max: 1e10)
        #expect(close(axis.lower, 1e-30) && close(axis.upper, 1e10))
        #expect(axis.ticks.count == 41)  // every decade has a tick
        let labelled = axis.ticks.filter { !$0.label.isEmpty }.map(\.label)
        #expect(labelled == stride(from: -30, through: 10, by: 5).map { "10^{\($0)}" })
    }

    @Test func logDegenerateRanges() {
        let constant = AxisTicks.log10(min: 100, max: 100)
        #expect(constant.lower <= 100 && constant.upper > 100 && constant.lower < constant.upper)
        let empty = AxisTicks.log10(min: -1, max: 0)
        #expect(close(empty.lower, 1) && close(empty.upper, 10))
        let halfValid = AxisTicks.log10(min: -5, max: 0.5)
        #expect(halfValid.lower <= 0.5 && halfValid.upper >= 0.5)
        let narrow = AxisTicks.log10(min: 0.2, max: 0.9)
        #expect(close(narrow.lower, 0.1) && close(narrow.upper, 1))
        #expect(narrow.ticks.contains { close($0.value, 0.2) } && narrow.ticks.contains { close($0.value, 0.5) })
        let extreme = AxisTicks.log10(min: Double.leastNonzeroMagnitude, max: .greatestFiniteMagnitude)
        #expect(extreme.lower > 0 && extreme.upper.isFinite)
    }

    @Test func richTextMarkup() {
        #expect(
            parseRichText("10^{-3}") == [
                TextRun(text: "10", position: .normal), TextRun(text: "-3", position: .superscript),
            ])
        #expect(
            parseRichText("λ_{min}(H)") == [
                TextRun(text: "λ", position: .normal),
                TextRun(text: "min", position: .subscriptText),
                TextRun(text: "(H)", position: .normal),
            ])
        #expect(parseRichText("a^{b") == [TextRun(text: "a^{b", position: .normal)])
    }
}
