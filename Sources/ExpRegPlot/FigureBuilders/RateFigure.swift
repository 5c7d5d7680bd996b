import ExpRegCore

/// `rate`: observed per-step rate (L_final/L_initial)^(1/steps) vs width beside the predicted
/// rate 1 − ηλ*/2, exp vs relu (colour per activation).
///
/// Each run's observed rate is a dot; the median per width is a solid line; the predicted rate's
/// median per width is dashed. Runs without the diagnostic are skipped.
enum RateFigure {
    static let title = "1 ステップあたりの収束率"

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panel = Panel(
            xAxis: groups.widthAxis(title: "width m (log)"),
            yAxis: AxisSpec(title: "per-step rate L(k+1)/L(k)"))
        var legend: [LegendEntry] = []
        var notes: [String] = []
        for (activation, widths) in groups.byActivation {
            let color = RunGroups.color(activation)
            let dots = widths.flatMap(\.runs).compactMap { run -> DataPoint? in
                run.outcome.diagnostics.observedRate.map { DataPoint(Double(run.spec.config.model.width), $0) }
            }
            // One width: the medians are short horizontal strokes (a lone point would look like a run's dot).
            let span = widths.count == 1 ? [0.8, 1.25] : [1.0]
            func medians(_ rate: KeyPath<TheoryDiagnostics, Double?>) -> [DataPoint] {
                widths.flatMap { g -> [DataPoint] in
                    guard let value = median(g.runs.compactMap { $0.outcome.diagnostics[keyPath: rate] }) else {
                        return []
                    }
                    return span.map { DataPoint(Double(g.width) * $0, value) }
                }
            }
            let observed = medians(\.observedRate)
            let predicted = medians(\.predictedRate)
            panel.series.append(
                Series(
                    name: "\(activation.rawValue) observed runs", color: color,
                    mark: .scatter(radius: 3), points: dots))
            panel.series.append(Series(name: "\(activation.rawValue) observed", color: color, points: observed))
            panel.series.append(
                Series(
                    name: "\(activation.rawValue) predicted", color: color, mark: .line(.dashed),
                    lineWidth: 1.5, points: predicted))
            legend.append(LegendEntry("\(activation.rawValue) 観測 / observed", color: color))
            legend.append(LegendEntry("\(activation.rawValue) 予測 / 1−ηλ*/2", color: color, swatch: .line(.dashed)))
            if widths.count < 2 {
                notes.append("\(activation.rawValue): " + FigureText.notEnoughData + " (幅が 1 種類 / one width only)")
            }
        }
        if !groups.byActivation.isEmpty {
            legend.append(LegendEntry("各 run / each run", color: .axis, swatch: .marker))
        }
        if groups.byActivation.isEmpty { notes.append(FigureText.notEnoughData + " (実行なし / no runs)") }
        return Chart(
            title: title,
            subtitle: "observed vs predicted per-step loss rate (lower is faster) — \(FigureText.batchLabel(batch))",
            panels: [panel], legend: legend, notes: notes)
    }
}
