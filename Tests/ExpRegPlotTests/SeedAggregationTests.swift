import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

/// Seeds of one width that stop at different steps, and the loss envelope: the figures aggregate
/// only where every seed has a point, never jump, and the envelope never stretches the y-axis.
@Suite struct SeedAggregationTests {
    /// The step where the early seed stops (the reference curves run 0…100, every step).
    static let stop = 40

    /// relu, width 16, seeds 0…2 from the reference run; seed `earlySeed` converges at ``stop``.
    static func runs(earlySeed: Int) throws -> [RunRecord] {
        let reference = try SampleBatch.reference("tiny-relu")
        return (0..<3).map { seed in
            var run = SampleBatch.run(reference, width: 16, widthRank: 0, seed: seed, index: seed)
            if seed == earlySeed {
                run.outcome.status = .converged
                run.outcome.stepsRun = stop
                run.outcome.lossCurve = run.outcome.lossCurve.filter { $0.step <= stop }
                run.outcome.kernelPrediction = run.outcome.kernelPrediction.filter { $0.step <= stop }
                run.outcome.lambdaMinCurve = run.outcome.lambdaMinCurve.filter { $0.step <= stop }
            }
            return run
        }
    }

    static func batch(_ runs: [RunRecord]) -> BatchSnapshot {
        SampleBatch.snapshot(id: "seeds", startedAt: Date(timeIntervalSince1970: 0), runs: runs)
    }

    static func series(_ chart: Chart, _ name: String) throws -> Series {
        try #require(chart.panels.first?.series.first { $0.name == name }, "no series '\(name)'")
    }

    /// The value of `curve` at `step` (every curve here has every step it covers).
    static func value(_ curve: [CurvePoint], _ step: Double) -> Double? {
        curve.first { Double($0.step) == step }?.value
    }

    /// The median is 1-Lipschitz in the max norm, so between two steps it can move (in log) at
    /// most as far as the farthest-moving seed; a seed dropping out of the statistic breaks that.
    /// 1e-12 absorbs the rounding of log10 on values of order 1e-3…1.
    static func expectNoJump(_ median: Series, over curves: [[CurvePoint]], _ label: String) {
        for (a, b) in zip(median.points, median.points.dropFirst()) {
            let moves = curves.compactMap { c -> Double? in
                guard let va = value(c, a.x), let vb = value(c, b.x) else { return nil }
                return abs(log10(vb) - log10(va))
            }
            #expect(moves.count == curves.count, "\(label): a seed lacks step \(a.x) or \(b.x) of the median")
            let jump = abs(log10(b.y) - log10(a.y))
            #expect(jump <= (moves.max() ?? 0) + 1e-12, "\(label): median jumps by \(jump) decades at step \(b.x)")
        }
    }

    @Test(arguments: [0, 2])
    func lossMedianStopsWhereTheFirstSeedStops(earlySeed: Int) throws {
        let runs = try Self.runs(earlySeed: earlySeed)
        let chart = LossFigure.chart(Self.batch(runs))
        for (kind, curves) in [
            ("loss", runs.map(\.outcome.lossCurve)), ("kernel", runs.map(\.outcome.kernelPrediction)),
        ] {
            let median = try Self.series(chart, "relu m = 16 \(kind)")
            #expect(median.points.last?.x == Double(Self.stop), "\(kind): median runs past the early seed")
            Self.expectNoJump(median, over: curves, kind)
            // The two longer seeds go on alone, from the last common step, exactly as measured.
            let tails = chart.panels[0].series.filter { $0.name.hasPrefix("relu m = 16 \(kind) seed tail") }
            #expect(tails.count == 2)
            let longer = curves.enumerated().filter { $0.offset != earlySeed }.map(\.element)
            for (tail, curve) in zip(tails, longer) {
                #expect(tail.points.first?.x == Double(Self.stop))
                #expect(tail.points.count == curve.filter { $0.step >= Self.stop }.count)
                #expect(
                    tail.points.allSatisfy { Self.value(curve, $0.x) == $0.y },
                    "\(kind) tail is not the seed's own curve")
                #expect(tail.lineWidth < median.lineWidth || kind == "kernel")
            }
        }
        if let band = chart.panels[0].bands.first {
            #expect(band.samples.last?.x == Double(Self.stop), "the min–max band runs past the early seed")
        }
        // The converged seed's end is marked.
        let marker = try Self.series(chart, "relu m = 16 converged")
        #expect(
            marker.points == [DataPoint(Double(Self.stop), try #require(runs[earlySeed].outcome.lossCurve.last).value)])
        #expect(chart.legend.contains { $0.swatch == .thinLine } && chart.legend.contains { $0.swatch == .marker })
    }

    @Test func lambdaMinMedianStopsWhereTheFirstSeedStops() throws {
        let runs = try Self.runs(earlySeed: 2)
        let chart = LambdaMinFigure.chart(Self.batch(runs))
        let median = try Self.series(chart, "relu m=16 λmin")
        // λ_min is logged at 0, 25, 50, 75, 100; cut at 40 the early seed ends at 25.
        #expect(median.points.map(\.x) == [0, 25])
        let tails = chart.panels[0].series.filter { $0.name.hasPrefix("relu m=16 λmin seed tail") }
        #expect(tails.count == 2)
        #expect(tails.allSatisfy { $0.points.map(\.x) == [25, 50, 75, 100] })
    }

    @Test func equalLengthSeedsHaveNoTails() throws {
        let reference = try SampleBatch.reference("tiny-relu")
        let runs = (0..<3).map { SampleBatch.run(reference, width: 16, widthRank: 0, seed: $0, index: $0) }
        let chart = LossFigure.chart(Self.batch(runs))
        #expect(!chart.panels[0].series.contains { $0.name.contains("seed tail") })
        #expect(try Self.series(chart, "relu m = 16 loss").points.count == 101)
        #expect(!chart.legend.contains { $0.swatch == .thinLine || $0.swatch == .marker })
    }

    @Test func envelopeUsesTheMediansOverSeeds() throws {
        var runs = try Self.runs(earlySeed: -1)
        // L(0), η and λ* differ per seed; the medians are 2, 0.2 and 0.1 (not seed 0's values).
        for (i, (initial, eta, star)) in [(3.0, 0.3, 0.1), (1.0, 0.2, 0.05), (2.0, 0.1, 0.2)].enumerated() {
            runs[i].outcome.lossInitial = initial
            runs[i].outcome.eta = eta
            runs[i].outcome.diagnostics.lambdaStar = star
            runs[i].outcome.diagnostics.predictedRate = 1 - eta * star / 2
        }
        let envelope = try Self.series(LossFigure.chart(Self.batch(runs)), "relu m = 16 envelope")
        let rate = 1 - 0.2 * 0.1 / 2
        #expect(envelope.points.first == DataPoint(0, 2))
        // pow of a value near 1 over ≤ 100 steps: relative error a few ulps; 1e-12 is generous.
        let worst = envelope.points.map { abs($0.y - 2 * pow(rate, $0.x)) / $0.y }.max() ?? .infinity
        #expect(worst <= 1e-12, "envelope is off by \(worst) (relative)")
        #expect(envelope.points.last?.x == 100 && !envelope.setsAxisRange)
    }

    @Test func envelopeFarBelowTheDataDoesNotStretchTheAxis() throws {
        var runs = try Self.runs(earlySeed: -1)
        for i in runs.indices {
            // 1 − ηλ*/2 = 1e-5: the envelope falls 5 decades per step, to ~1e-300 and below.
            let star = try #require(runs[i].outcome.diagnostics.lambdaStar)
            runs[i].outcome.eta = 2 * (1 - 1e-5) / star
            runs[i].outcome.diagnostics.predictedRate = 1e-5
        }
        let chart = LossFigure.chart(Self.batch(runs))
        let prepared = PreparedPanel(chart.panels[0])
        let measured = runs.flatMap { $0.outcome.lossCurve.map(\.value) + $0.outcome.kernelPrediction.map(\.value) }
        let low = try #require(measured.filter { $0 > 0 }.min())
        let high = try #require(measured.max())
        // Nice log ticks widen the data range by less than one decade on each side.
        #expect(prepared.yTicks.lower >= low / 10 && prepared.yTicks.lower <= low)
        #expect(prepared.yTicks.upper <= high * 10 && prepared.yTicks.upper >= high)
        let envelope = prepared.series.filter { $0.name.hasSuffix("envelope") }
        #expect(envelope.count == 1)
        // Clipped at the bottom of the axis: starts at L(0), ends (interpolated) on the bound.
        let points = try #require(envelope.first?.points)
        #expect(points.allSatisfy { $0.y >= prepared.yTicks.lower * (1 - 1e-9) && $0.y <= prepared.yTicks.upper })
        let last = try #require(points.last)
        #expect(abs(last.y - prepared.yTicks.lower) <= 1e-9 * prepared.yTicks.lower)
        #expect(ChartLayoutInput(chart: chart).notes.isEmpty, "clipping is not dropped data")
    }
}

/// Clipping a line that does not set the axis range: cut where it crosses a bound, on the axis scale.
@Suite struct RangeClippingTests {
    /// Interpolated points: a few ulps of log10/pow on values 1e-4…1e4; 1e-9 relative is generous.
    static func close(_ a: DataPoint, _ b: DataPoint) -> Bool {
        abs(a.x - b.x) <= 1e-9 * max(1, abs(b.x)) && abs(a.y - b.y) <= 1e-9 * max(abs(a.y), abs(b.y))
    }

    @Test func logLineIsCutAtTheBoundsOnTheLogScale() {
        let line = Series(
            name: "bound", color: .black, points: [DataPoint(0, 1e4), DataPoint(10, 1e-4)], setsAxisRange: false)
        let pieces = PreparedPanel.clip(line, lower: 1e-2, upper: 1e2, log: true)
        // log10 y goes 4 → −4 linearly in x: it is 2 at x = 2.5 and −2 at x = 7.5.
        #expect(pieces.count == 1)
        let points = pieces.first?.points ?? []
        #expect(
            points.count == 2 && Self.close(points[0], DataPoint(2.5, 1e2))
                && Self.close(points[1], DataPoint(7.5, 1e-2)))
    }

    @Test func lineLeavingAndReenteringFallsIntoPieces() {
        let line = Series(
            name: "zigzag", color: .black, mark: .line(.dotted),
            points: [DataPoint(0, 0), DataPoint(1, 4), DataPoint(2, 0), DataPoint(3, -4), DataPoint(4, 0)],
            setsAxisRange: false)
        let pieces = PreparedPanel.clip(line, lower: -1, upper: 1, log: false)
        #expect(pieces.count == 3)
        #expect(pieces.map(\.points.count) == [2, 3, 2])
        #expect(pieces.allSatisfy { $0.name == "zigzag" && $0.mark == .line(.dotted) })
        #expect(pieces.flatMap(\.points).allSatisfy { abs($0.y) <= 1 })
        #expect(
            Self.close(pieces[1].points[0], DataPoint(1.75, 1)) && Self.close(pieces[1].points[2], DataPoint(2.25, -1)))
    }

    @Test func rangeComesOnlyFromRangeSettingSeries() {
        let panel = Panel(
            xAxis: AxisSpec(title: "k"), yAxis: AxisSpec(title: "v", scale: .log10),
            series: [
                Series(name: "data", color: Palette.blue, points: [DataPoint(0, 1), DataPoint(10, 1e-3)]),
                Series(
                    name: "bound", color: .black, points: [DataPoint(0, 1e30), DataPoint(10, 1e-300)],
                    setsAxisRange: false),
            ])
        let prepared = PreparedPanel(panel)
        #expect(prepared.yTicks.lower == 1e-3 && prepared.yTicks.upper == 1)
        // Alone, a non-range series still gets an axis around itself.
        let alone = PreparedPanel(
            Panel(
                xAxis: AxisSpec(title: "k"), yAxis: AxisSpec(title: "v", scale: .log10),
                series: [panel.series[1]]))
        #expect(alone.yTicks.lower <= 1e-300 && alone.series[0].points.count == 2)
    }
}

/// One night only: the trend's x-axis shows that night's date, not fractional positions.
@Test func trendOfOneNightShowsItsDate() throws {
    let batch = try SampleBatch.make()
    let chart = TrendFigure.chart(batch, trend: [BatchHeadline(snapshot: batch)])
    let prepared = ChartLayoutInput(chart: chart).panels
    for panel in prepared {
        #expect(
            panel.xTicks.ticks.filter { !$0.label.isEmpty }.map(\.label) == [
                TrendFigure.dateLabel(batch.info.startedAt)
            ])
    }
}

/// Re-runs of a night and a new year stay distinguishable on the trend's x-axis.
@Test func trendLabelsTellSameDayBatchesAndYearsApart() {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    #expect(
        TrendFigure.dateLabels([date("2026-11-28T02:00:00Z"), date("2026-11-29T02:00:00Z")]) == ["11-28", "11-29"])
    #expect(
        TrendFigure.dateLabels([
            date("2026-11-28T02:00:00Z"), date("2026-11-29T02:00:00Z"), date("2026-11-29T09:41:00Z"),
        ])
            == ["11-28", "11-29 02:00", "11-29 09:41"])
    #expect(
        TrendFigure.dateLabels([date("2026-12-31T02:00:00Z"), date("2027-01-01T02:00:00Z")]) == [
            "2026-12-31", "2027-01-01",
        ])
    #expect(TrendFigure.dateLabels([]) == [])
}
