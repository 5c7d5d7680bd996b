import ExpRegCore
import Foundation

/// `gram_distance`: ‖H(W(0)) − H*‖₂ vs width m, log–log, one colour per activation, out to the
/// condition width the summary quotes.
///
/// Per activation (its first archived ``WidthScaling/Group``, the one the summary and the cost
/// figure use): each run is a dot; the group's free fit C·m^slope is a solid line over the tested
/// widths with its slope printed; the fit with the theory's slope −1/2 (C½·m^−1/2, the projection)
/// is dashed from the smallest tested width out to where it meets λ*/4 (dotted, the sufficient
/// width condition), and that point m* — the projected condition width — is a ring with a vertical
/// dotted line labelled with its value. Fewer than two widths: dots only and a note.
///
/// Issue 25's measured crossings belong beside the projection: one ``ConditionMark`` each.
enum GramDistanceFigure {
    static let title = "有限幅グラム行列と H* の距離"

    /// A condition width marked on the figure: where the condition ‖H(W0) − H*‖ ≤ λ*/4 is reached.
    struct ConditionMark {
        enum Source {
            /// The theory-slope fit's width (`analysis.width_scaling[].condition_width`).
            case projection
        }

        var source: Source
        var width: Double
        var distance: Double
    }

    /// The marks of a group: its projection, when finite.
    static func conditionMarks(_ group: WidthScaling.Group) -> [ConditionMark] {
        guard let width = group.conditionWidth, width.isFinite, width > 0, let star = group.lambdaStar else {
            return []
        }
        return [ConditionMark(source: .projection, width: width, distance: star / 4)]
    }

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        let analysis = batch.judgement.analysis
        let projected = groups.byActivation.contains { activation, _ in
            analysis.widthScaling.first { $0.activation == activation.rawValue }.map(conditionMarks)?.isEmpty == false
        }
        var panel = Panel(
            xAxis: projected
                ? AxisSpec(title: "width m (log)", scale: .log10) : groups.widthAxis(title: "width m (log)"),
            yAxis: AxisSpec(title: "‖H(W(0)) − H*‖_{2} (log)", scale: .log10))
        var legend: [LegendEntry] = []
        var notes: [String] = []
        var annotationRow = 0.0
        var anyProjection = false
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
            let group = analysis.widthScaling.first { $0.activation == activation.rawValue }
            guard let group, let slope = group.gramDistanceSlope, let constant = group.gramDistanceConstant,
                slope.isFinite
            else {
                notes.append(
                    "\(activation.rawValue): " + FigureText.notEnoughData + " (幅が 2 種類未満 / fewer than 2 widths, no fit)"
                )
                continue
            }
            let minWidth = Double(group.widths.first ?? 1)
            let maxWidth = Double(group.widths.last ?? 1)
            let fit = PowerLaw(coefficient: constant, exponent: slope)
            panel.series.append(
                Series(
                    name: "\(activation.rawValue) fit", color: color, lineWidth: 1.6,
                    points: [DataPoint(minWidth, fit(minWidth)), DataPoint(maxWidth, fit(maxWidth))]))
            panel.annotations.append(
                Annotation(
                    "\(activation.rawValue): slope = \(formatFixed(slope, digits: 3)) (theory −0.5)",
                    fractionX: 0.03, fractionY: 0.08 + annotationRow, color: color))
            annotationRow += 0.07
            legend.append(LegendEntry("\(activation.rawValue) fit C·m^{slope}", color: color))
            if let star = group.lambdaStar {
                panel.references.append(
                    ReferenceLine(
                        .horizontal(star / 4), label: "λ*/4 \(activation.rawValue)", color: color, style: .dotted))
            }
            for mark in conditionMarks(group) {
                anyProjection = true
                let theory = PowerLaw(
                    coefficient: group.gramDistanceConstantTheorySlope ?? mark.distance / pow(mark.width, -0.5),
                    exponent: WidthScaling.theorySlope)
                panel.series.append(
                    Series(
                        name: "\(activation.rawValue) projection", color: color, mark: .line(.dashed), lineWidth: 1.2,
                        points: [DataPoint(minWidth, theory(minWidth)), DataPoint(mark.width, mark.distance)]))
                panel.series.append(
                    Series(
                        name: "\(activation.rawValue) condition width", color: color, mark: .scatter(radius: 5),
                        points: [DataPoint(mark.width, mark.distance)]))
                panel.references.append(
                    ReferenceLine(
                        .vertical(mark.width),
                        label: "m* \(activation.rawValue) ≈ \(formatPredictedWidth(mark.width))", color: color,
                        style: .dotted))
            }
        }
        if anyProjection {
            legend.append(LegendEntry("slope −1/2 fit → m*", color: .axis, swatch: .line(.dashed)))
            legend.append(LegendEntry("m* = condition width (projection)", color: .axis, swatch: .marker))
        }
        if !groups.byActivation.isEmpty {
            legend.append(LegendEntry("λ*/4 (width condition)", color: .axis, swatch: .line(.dotted)))
        }
        if groups.byActivation.isEmpty { notes.append(FigureText.notEnoughData + " (実行なし / no runs)") }
        return Chart(
            title: title, subtitle: "‖H(W(0)) − H*‖_{2} vs width, log–log — \(FigureText.batchLabel(batch))",
            panels: [panel], legend: legend, notes: notes)
    }
}
