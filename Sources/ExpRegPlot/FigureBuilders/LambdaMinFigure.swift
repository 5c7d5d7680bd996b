import ExpRegCore

/// `lambda_min`: λ_min(H(W(t))) over training per width (median over seeds, min–max band, over
/// the steps every seed reached; then each longer seed alone, see ``CurveSpread``),
/// one panel per activation, with λ* (median over the activation's runs) as a dashed reference.
///
/// Runs without a λ_min curve fall back to (0, λ_min init) and (steps_run, λ_min final).
enum LambdaMinFigure {
    static let title = "最小固有値 λ_{min} の推移"

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panels: [Panel] = []
        var anyTail = false
        var anyBand = false
        for (activation, widths) in groups.byActivation {
            var panel = Panel(
                title: activation.rawValue, xAxis: AxisSpec(title: "GD step k"),
                yAxis: AxisSpec(title: "λ_{min}(H(W(k)))"))
            for group in widths {
                let color = groups.color(width: group.width)
                let spread = CurveSpread(group.runs.map(curve))
                spread.draw(
                    into: &panel, name: "\(activation.rawValue) m=\(group.width) λmin", color: color,
                    band: group.runs.count > 1)
                anyTail = anyTail || !spread.tails.isEmpty
                anyBand = anyBand || (group.runs.count > 1 && !spread.steps.isEmpty)
            }
            let stars = widths.flatMap(\.runs).compactMap(\.outcome.diagnostics.lambdaStar)
            if let star = median(stars) {
                panel.references.append(
                    ReferenceLine(.horizontal(star), label: "λ* = \(formatScientific(star, digits: 2))"))
            } else {
                panel.notes.append("λ* なし / lambda_star missing")
            }
            if panel.series.allSatisfy(\.points.isEmpty) { panel.notes.append(FigureText.notEnoughData) }
            panels.append(panel)
        }
        var notes: [String] = []
        if panels.isEmpty {
            panels.append(Panel(xAxis: AxisSpec(title: "GD step k"), yAxis: AxisSpec(title: "λ_{min}(H(W(k)))")))
            notes.append(FigureText.notEnoughData + " (実行なし / no runs)")
        }
        var legend = groups.allWidths.map { LegendEntry(FigureText.width($0), color: groups.color(width: $0)) }
        if anyBand { legend.append(LegendEntry(FigureText.spread, color: .axis, swatch: .band)) }
        if anyTail { legend.append(LegendEntry(FigureText.singleSeed, color: .axis, swatch: .thinLine)) }
        legend += [LegendEntry("λ* = λ_{min}(H*)", color: .reference, swatch: .line(.dashed))]
        return Chart(
            title: title, subtitle: "smallest eigenvalue of H(W(k)) during training — \(FigureText.batchLabel(batch))",
            panels: panels, legend: legend, notes: notes)
    }

    static func curve(_ run: RunRecord) -> [CurvePoint] {
        if !run.outcome.lambdaMinCurve.isEmpty { return run.outcome.lambdaMinCurve }
        var points: [CurvePoint] = []
        if let initial = run.outcome.diagnostics.lambdaMinInit { points.append(CurvePoint(step: 0, value: initial)) }
        if let final = run.outcome.diagnostics.lambdaMinFinal, run.outcome.stepsRun > 0 {
            points.append(CurvePoint(step: run.outcome.stepsRun, value: final))
        }
        return points
    }
}
