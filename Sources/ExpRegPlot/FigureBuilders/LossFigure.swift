import ExpRegCore
import Foundation

/// `loss`: loss vs GD step on a log axis, one panel per activation (small multiples).
///
/// Per width (colour): the median over seeds (solid) with the min–max band over the steps every
/// seed reached, then each longer seed's own curve as a thin line (see ``CurveSpread``); the
/// kernel-regime prediction (dashed, same aggregation); a dot where a converged run stopped; and
/// the theorem's envelope L(0)·(1−ηλ*/2)^k (dotted) with the median over seeds of L(0), η and λ*.
/// The y-range comes from the measured curves and the kernel prediction only: the envelope is
/// clipped to it, so a far-off envelope cannot stretch the axis.
enum LossFigure {
    static let title = "損失の推移"

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panels: [Panel] = []
        var anyTail = false
        var anyConverged = false
        var anyBand = false
        for (activation, widths) in groups.byActivation {
            var panel = Panel(
                title: activation.rawValue,
                xAxis: AxisSpec(title: "GD step k"),
                yAxis: AxisSpec(title: "loss (log)", scale: .log10))
            for group in widths {
                let color = groups.color(width: group.width)
                let label = "\(activation.rawValue) \(FigureText.width(group.width))"
                let spread = CurveSpread(group.runs.map(\.outcome.lossCurve))
                spread.draw(into: &panel, name: "\(label) loss", color: color, band: group.runs.count > 1)
                anyTail = anyTail || !spread.tails.isEmpty
                anyBand = anyBand || (group.runs.count > 1 && !spread.steps.isEmpty)
                let kernel = CurveSpread(group.runs.map(\.outcome.kernelPrediction))
                kernel.draw(
                    into: &panel, name: "\(label) kernel", color: color, style: .dashed, lineWidth: 1.3, band: false)
                let ends = group.runs.filter { $0.outcome.status == .converged }
                    .compactMap { $0.outcome.lossCurve.max { $0.step < $1.step } }
                    .map { DataPoint(Double($0.step), $0.value) }
                if !ends.isEmpty {
                    panel.series.append(
                        Series(name: "\(label) converged", color: color, mark: .scatter(radius: 2.8), points: ends))
                    anyConverged = true
                }
                if let last = spread.lastStep, last > 0, let envelope = envelope(group, last: last) {
                    panel.series.append(
                        Series(
                            name: "\(label) envelope", color: color, mark: .line(.dotted),
                            lineWidth: 1.5, points: envelope, setsAxisRange: false))
                }
            }
            if widths.allSatisfy({ $0.runs.allSatisfy { $0.outcome.lossCurve.isEmpty } }) {
                panel.notes.append(FigureText.notEnoughData + " (損失曲線なし / no loss curve)")
            }
            panels.append(panel)
        }
        var notes: [String] = []
        if panels.isEmpty {
            panels.append(
                Panel(xAxis: AxisSpec(title: "GD step k"), yAxis: AxisSpec(title: "loss (log)", scale: .log10)))
            notes.append(FigureText.notEnoughData + " (実行なし / no runs)")
        }
        var legend = groups.allWidths.map { LegendEntry(FigureText.width($0), color: groups.color(width: $0)) }
        legend += [
            LegendEntry(FigureText.measured, color: .axis)
        ]
        if anyBand { legend.append(LegendEntry(FigureText.spread, color: .axis, swatch: .band)) }
        if anyTail { legend.append(LegendEntry(FigureText.singleSeed, color: .axis, swatch: .thinLine)) }
        if anyConverged { legend.append(LegendEntry(FigureText.converged, color: .axis, swatch: .marker)) }
        legend += [
            LegendEntry("カーネル予測 / kernel", color: .axis, swatch: .line(.dashed)),
            LegendEntry("包絡線 / envelope", color: .axis, swatch: .line(.dotted)),
        ]
        return Chart(
            title: title, subtitle: "loss vs step; envelope L(0)(1−ηλ*/2)^{k} — \(FigureText.batchLabel(batch))",
            panels: panels,
            legend: legend, notes: notes)
    }

    /// The envelope L(0)·r^k of one width for k = 0…`last`, where L(0), η and λ* are medians over
    /// the group's runs and r = 1 − ηλ*/2 (the median of the runs' predicted rates when η or λ*
    /// is missing). Nil without L(0) or a rate, or when r ≤ 0 (no meaningful envelope).
    /// Points that underflow to 0 (or are not finite) are left out: the curve is analytic.
    static func envelope(_ group: RunGroups.WidthGroup, last: Int) -> [DataPoint]? {
        let runs = group.runs
        let initial = median(runs.compactMap { $0.outcome.lossInitial ?? $0.outcome.lossCurve.first?.value })
        var rate: Double?
        if let eta = median(runs.compactMap(\.outcome.eta)),
            let star = median(runs.compactMap(\.outcome.diagnostics.lambdaStar))
        {
            rate = 1 - eta * star / 2
        } else {
            rate = median(runs.compactMap(\.outcome.diagnostics.predictedRate))
        }
        guard let initial, let rate, rate > 0, rate.isFinite, initial.isFinite else { return nil }
        return envelopeSteps(last: last).map { DataPoint(Double($0), initial * Foundation.pow(rate, Double($0))) }
            .filter { $0.y.isFinite && $0.y > 0 }
    }

    /// About 200 evenly spaced steps from 0 to `last` (inclusive) for smooth analytic curves.
    static func envelopeSteps(last: Int) -> [Int] {
        let stride = max(1, last / 200)
        var steps = Array(Swift.stride(from: 0, through: last, by: stride))
        if steps.last != last { steps.append(last) }
        return steps
    }
}
