import ExpRegCore

/// Per-step median and min–max over several curves (e.g. one width's seeds), taken only where
/// every curve still has a point, plus each curve's own continuation beyond that.
///
/// Seeds of one width can stop at different steps (a run that reaches `target_loss` stops early).
/// A statistic over "the seeds still present" would jump where a seed drops out, so the
/// aggregate covers only the steps present in every non-empty curve up to the shortest curve's
/// last step; past that, ``tails`` holds each longer curve from the last common step on (so it
/// joins the median line) to be drawn on its own. Empty curves (e.g. a failed run) are ignored.
///
/// Only finite values enter the statistics; a common step where no curve is finite gets NaN
/// (the chart drops and counts it).
struct CurveSpread {
    /// Steps where every non-empty curve has a point, ascending, up to the shortest curve's end.
    let steps: [Int]
    let median: [Double]
    let minimum: [Double]
    let maximum: [Double]
    /// Per longer curve (input order, curves ending at the common end omitted): its points from
    /// the last common step on (the whole curve when there is no common step).
    let tails: [[CurvePoint]]

    /// - Complexity: O(total points · log) for sorting the steps.
    init(_ curves: [[CurvePoint]]) {
        let present = curves.filter { !$0.isEmpty }
        var valuesByStep: [Int: [Double]] = [:]
        var curvesByStep: [Int: Int] = [:]
        for curve in present {
            for step in Set(curve.map(\.step)) { curvesByStep[step, default: 0] += 1 }
            for point in curve { valuesByStep[point.step, default: []].append(point.value) }
        }
        let commonEnd = present.compactMap { $0.map(\.step).max() }.min() ?? Int.min
        steps = curvesByStep.filter { $0.value == present.count && $0.key <= commonEnd }.keys.sorted()
        var med: [Double] = []
        var lo: [Double] = []
        var hi: [Double] = []
        for step in steps {
            let finite = (valuesByStep[step] ?? []).filter(\.isFinite)
            med.append(ExpRegCore.median(finite) ?? .nan)
            lo.append(finite.min() ?? .nan)
            hi.append(finite.max() ?? .nan)
        }
        median = med
        minimum = lo
        maximum = hi
        let join = steps.last ?? Int.min
        tails = present.compactMap { curve in
            guard curve.contains(where: { $0.step > join }) else { return nil }
            return curve.filter { $0.step >= join }
        }
    }

    var medianPoints: [DataPoint] { zip(steps, median).map { DataPoint(Double($0), $1) } }

    var bandSamples: [Band.Sample] {
        steps.indices.map { Band.Sample(x: Double(steps[$0]), lower: minimum[$0], upper: maximum[$0]) }
    }

    /// The last step of any curve (the x extent of the group), nil for no points.
    var lastStep: Int? { ([steps.last] + tails.map { $0.last?.step }).compactMap { $0 }.max() }
}

extension CurveSpread {
    /// Line width of a single seed's continuation past the shortest seed (thinner than a median).
    static let tailLineWidth = 1.3

    /// Adds the spread to `panel`: the min–max band (when `band`), the median line named `name`
    /// and each tail as a thin line named "`name` seed tail i", all in `color` and `style`.
    func draw(
        into panel: inout Panel, name: String, color: RGBColor, style: LineStyle = .solid,
        lineWidth: Double = 2, band: Bool
    ) {
        if band && !steps.isEmpty { panel.bands.append(Band(color: color, samples: bandSamples)) }
        if !steps.isEmpty {
            panel.series.append(
                Series(
                    name: name, color: color, mark: .line(style), lineWidth: lineWidth,
                    points: medianPoints))
        }
        for (i, tail) in tails.enumerated() {
            panel.series.append(
                Series(
                    name: "\(name) seed tail \(i + 1)", color: color, mark: .line(style),
                    lineWidth: min(lineWidth, Self.tailLineWidth),
                    points: tail.map { DataPoint(Double($0.step), $0.value) }))
        }
    }
}
