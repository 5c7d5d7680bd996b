import ExpRegCore

/// `spectrum`: sorted eigenvalues (log axis) of H*, H(W(0)) and H(W(T)), one panel per activation.
///
/// H* (black) comes from the lowest-seed run of the smallest width; per width (colour) the
/// lowest-seed run's H(W(0)) (dashed) and its last H(W) spectrum (solid). Index i = 1…n ascending.
enum SpectrumFigure {
    static let title = "グラム行列の固有値スペクトル"

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panels: [Panel] = []
        for (activation, widths) in groups.byActivation {
            var panel = Panel(
                title: activation.rawValue,
                xAxis: AxisSpec(title: "index i (ascending)", tight: true),
                yAxis: AxisSpec(title: "eigenvalue (log)", scale: .log10))
            for group in widths {
                let run = group.representative
                let hw = run.outcome.spectra.filter { $0.kind == .hW }
                let color = groups.color(width: group.width)
                if let initial = hw.min(by: { $0.step < $1.step }) {
                    panel.series.append(
                        Series(
                            name: "\(activation.rawValue) m=\(group.width) H(W(0))", color: color,
                            mark: .line(.dashed), lineWidth: 1.5, points: points(initial.eigenvalues)))
                }
                if hw.count > 1, let final = hw.max(by: { $0.step < $1.step }) {
                    panel.series.append(
                        Series(
                            name: "\(activation.rawValue) m=\(group.width) H(W(T))", color: color,
                            lineWidth: 1.5, points: points(final.eigenvalues)))
                }
            }
            // H* last, so it stays visible on top of the finite-width spectra.
            if let first = widths.first?.representative,
                let hStar = first.outcome.spectra.first(where: { $0.kind == .hStar })
            {
                panel.series.append(
                    Series(
                        name: "\(activation.rawValue) H*", color: .black, lineWidth: 1.8,
                        points: points(hStar.eigenvalues)))
            }
            if panel.series.isEmpty { panel.notes.append(FigureText.notEnoughData + " (スペクトルなし / no spectra)") }
            panels.append(panel)
        }
        var notes: [String] = []
        if panels.isEmpty {
            panels.append(
                Panel(
                    xAxis: AxisSpec(title: "index i (ascending)", tight: true),
                    yAxis: AxisSpec(title: "eigenvalue (log)", scale: .log10)))
            notes.append(FigureText.notEnoughData + " (実行なし / no runs)")
        }
        let hasHStar = panels.contains { $0.series.contains { $0.color == .black } }
        var legend = hasHStar ? [LegendEntry("H*", color: .black)] : []
        legend += groups.allWidths.map { LegendEntry(FigureText.width($0), color: groups.color(width: $0)) }
        legend += [
            LegendEntry("H(W(0))", color: .axis, swatch: .line(.dashed)),
            LegendEntry("H(W(T))", color: .axis),
        ]
        return Chart(
            title: title, subtitle: "sorted eigenvalues of H*, H(W(0)), H(W(T)) — \(FigureText.batchLabel(batch))",
            panels: panels, legend: legend, notes: notes)
    }

    /// (i, λ_i) for i = 1…n after sorting ascending (NaN sorts last and is dropped by the chart).
    static func points(_ eigenvalues: [Double]) -> [DataPoint] {
        let sorted = eigenvalues.sorted { a, b in a.isNaN ? false : (b.isNaN ? true : a < b) }
        return sorted.enumerated().map { DataPoint(Double($0.offset + 1), $0.element) }
    }
}
