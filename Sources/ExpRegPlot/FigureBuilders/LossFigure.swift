import ExpRegCore
import Foundation

/// `loss`: loss vs GD step on a log axis, one panel per activation (small multiples).
///
/// Per width (colour): the median over seeds (solid) with the min–max band, the kernel-regime
/// prediction (dashed, median over seeds) and the theorem's envelope L(0)·(1−ηλ*/2)^k of the
/// lowest-seed run (dotted).
enum LossFigure {
    static let title = "損失の推移"

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panels: [Panel] = []
        for (activation, widths) in groups.byActivation {
            var panel = Panel(title: activation.rawValue,
                              xAxis: AxisSpec(title: "GD step k"),
                              yAxis: AxisSpec(title: "loss (log)", scale: .log10))
            for group in widths {
                let color = groups.color(width: group.width)
                let spread = CurveSpread(group.runs.map(\.outcome.lossCurve))
                if group.runs.count > 1 { panel.bands.append(Band(color: color, samples: spread.bandSamples)) }
                panel.series.append(Series(name: "\(activation.rawValue) \(FigureText.width(group.width)) loss",
                                           color: color, points: spread.medianPoints))
                let kernel = CurveSpread(group.runs.map(\.outcome.kernelPrediction))
                if !kernel.steps.isEmpty {
                    panel.series.append(Series(name: "\(activation.rawValue) \(FigureText.width(group.width)) kernel",
                                               color: color, mark: .line(.dashed), lineWidth: 1.3,
                                               points: kernel.medianPoints))
                }
                let run = group.representative
                let rate = run.outcome.diagnostics.predictedRate
                    ?? run.outcome.eta.flatMap { eta in run.outcome.diagnostics.lambdaStar.map { 1 - eta * $0 / 2 } }
                if let rate, let initial = run.outcome.lossInitial ?? run.outcome.lossCurve.first?.value,
                   let last = spread.steps.last, last > 0 {
                    let steps = envelopeSteps(last: last)
                    panel.series.append(Series(
                        name: "\(activation.rawValue) \(FigureText.width(group.width)) envelope",
                        color: color, mark: .line(.dotted), lineWidth: 1.5,
                        // Analytic: points that underflow to 0 (or are not finite) are simply not part of it.
                        points: steps.map { DataPoint(Double($0), initial * Foundation.pow(rate, Double($0))) }
                            .filter { $0.y.isFinite && $0.y > 0 }))
                }
            }
            if widths.allSatisfy({ $0.runs.allSatisfy { $0.outcome.lossCurve.isEmpty } }) {
                panel.notes.append(FigureText.notEnoughData + " (損失曲線なし / no loss curve)")
            }
            panels.append(panel)
        }
        var notes: [String] = []
        if panels.isEmpty {
            panels.append(Panel(xAxis: AxisSpec(title: "GD step k"), yAxis: AxisSpec(title: "loss (log)", scale: .log10)))
            notes.append(FigureText.notEnoughData + " (実行なし / no runs)")
        }
        var legend = groups.allWidths.map { LegendEntry(FigureText.width($0), color: groups.color(width: $0)) }
        legend += [
            LegendEntry(FigureText.measured, color: .axis),
            LegendEntry(FigureText.spread, color: .axis, swatch: .band),
            LegendEntry("カーネル予測 / kernel", color: .axis, swatch: .line(.dashed)),
            LegendEntry("包絡線 / envelope", color: .axis, swatch: .line(.dotted)),
        ]
        return Chart(title: title, subtitle: "loss vs step; envelope L(0)(1−ηλ*/2)^{k} — \(FigureText.batchLabel(batch))", panels: panels,
                     legend: legend, notes: notes)
    }

    /// About 200 evenly spaced steps from 0 to `last` (inclusive) for smooth analytic curves.
    static func envelopeSteps(last: Int) -> [Int] {
        let stride = max(1, last / 200)
        var steps = Array(Swift.stride(from: 0, through: last, by: stride))
        if steps.last != last { steps.append(last) }
        return steps
    }
}
