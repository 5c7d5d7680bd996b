import ExpRegCore
import Foundation

/// `gram_distance`: ‖H(W(0)) − H*‖₂ vs width m, log–log, one colour per activation.
///
/// Each run is a dot; the archived free fit C·m^slope of the activation's first width group
/// (``WidthScaling/Group``, the fit the summary quotes) is a solid line with its slope printed; an m^(−1/2) line (dashed, grey) through the first
/// activation's fit at the smallest width shows the theory's slope; λ*/4 per activation (dotted)
/// marks the sufficient width condition. Fewer than two widths: dots only and a note.
enum GramDistanceFigure {
    static let title = "有限幅グラム行列と H* の距離"

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panel = Panel(
            xAxis: groups.widthAxis(title: "width m (log)"),
            yAxis: AxisSpec(title: "‖H(W(0)) − H*‖_{2} (log)", scale: .log10))
        var legend: [LegendEntry] = []
        var notes: [String] = []
        var theoryDrawn = false
        var annotationRow = 0.0
        for (activation, widths) in groups.byActivation {
            let color = RunGroups.color(activation)
            let runs = widths.flatMap(\.runs)
            let pairs = runs.compactMap { run -> DataPoint? in
                guard let distance = run.outcome.diagnostics.gramDistanceInit else { return nil }
                return DataPoint(Double(run.spec.config.model.width), distance)
            }
            panel.series.append(
                Series(
                    name: "\(activation.rawValue) runs", color: color, mark: .scatter(radius: 3.5),
                    points: pairs))
            legend.append(LegendEntry("\(activation.rawValue)", color: color, swatch: .marker))
            let minWidth = Double(widths.first?.width ?? 1)
            let maxWidth = Double(widths.last?.width ?? 1)
            let group = batch.judgement.analysis.widthScaling.first { $0.activation == activation.rawValue }
            if let slope = group?.gramDistanceSlope, let constant = group?.gramDistanceConstant, slope.isFinite {
                let fit = PowerLaw(coefficient: constant, exponent: slope)
                panel.series.append(
                    Series(
                        name: "\(activation.rawValue) fit", color: color, lineWidth: 1.6,
                        points: [
                            DataPoint(minWidth, fit(minWidth)),
                            DataPoint(maxWidth, fit(maxWidth)),
                        ]))
                panel.annotations.append(
                    Annotation(
                        "\(activation.rawValue): slope = \(formatFixed(slope, digits: 3)) (theory −0.5)",
                        fractionX: 0.03, fractionY: 0.08 + annotationRow, color: color))
                annotationRow += 0.07
                if !theoryDrawn {
                    let anchor = fit(minWidth)
                    panel.series.append(
                        Series(
                            name: "m^-1/2 reference", color: .reference, mark: .line(.dashed),
                            lineWidth: 1.3,
                            points: [minWidth, maxWidth].map {
                                DataPoint($0, anchor * Foundation.pow($0 / minWidth, -0.5))
                            }))
                    theoryDrawn = true
                }
                legend.append(LegendEntry("\(activation.rawValue) fit C·m^{slope}", color: color))
            } else {
                notes.append(
                    "\(activation.rawValue): " + FigureText.notEnoughData + " (幅が 2 種類未満 / fewer than 2 widths, no fit)"
                )
            }
            if let star = median(runs.compactMap(\.outcome.diagnostics.lambdaStar)) {
                panel.references.append(
                    ReferenceLine(
                        .horizontal(star / 4), label: "λ*/4 \(activation.rawValue)",
                        color: color, style: .dotted))
            }
        }
        if theoryDrawn { legend.append(LegendEntry("m^{−1/2}", color: .reference, swatch: .line(.dashed))) }
        if !groups.byActivation.isEmpty {
            legend.append(LegendEntry("λ*/4 (width condition)", color: .axis, swatch: .line(.dotted)))
        }
        if groups.byActivation.isEmpty { notes.append(FigureText.notEnoughData + " (実行なし / no runs)") }
        return Chart(
            title: title, subtitle: "‖H(W(0)) − H*‖_{2} vs width, log–log — \(FigureText.batchLabel(batch))",
            panels: [panel], legend: legend, notes: notes)
    }
}
