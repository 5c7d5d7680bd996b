import ExpRegCore
import Foundation

/// `generalization`: held-out MSE vs width m, log–log, one colour per activation.
///
/// Each run's `test_mse` is a dot and the median over seeds per width a solid line; the
/// kernel-regime limit from the same W(0) (`kernel_test_mse`, median per width) is dashed and the
/// infinite-width NTK interpolant (`ntk_test_mse`, median per width; it does not depend on m or
/// the seed) dotted. Drawn only for batches with a test set (``applies(to:)``).
enum GeneralizationFigure {
    static let title = "汎化(テストデータの平均二乗誤差)"

    /// True when at least one run has a held-out value to show.
    static func applies(to batch: BatchSnapshot) -> Bool {
        batch.runs.contains { run in
            let h = run.outcome.heldOut
            return h.testMSE != nil || h.kernelTestMSE != nil || h.ntkTestMSE != nil
        }
    }

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let groups = RunGroups(batch)
        var panel = Panel(
            xAxis: groups.widthAxis(title: "width m (log)"),
            yAxis: AxisSpec(title: "test MSE (log)", scale: .log10))
        var legend: [LegendEntry] = []
        var notes: [String] = []
        for (activation, widths) in groups.byActivation {
            let color = RunGroups.color(activation)
            let name = activation.rawValue
            func medians(_ value: KeyPath<HeldOutErrors, Double?>) -> [DataPoint] {
                widths.compactMap { group in
                    median(group.runs.compactMap { $0.outcome.heldOut[keyPath: value] }.filter { $0 > 0 })
                        .map { DataPoint(Double(group.width), $0) }
                }
            }
            let dots = widths.flatMap(\.runs).compactMap { run -> DataPoint? in
                guard let mse = run.outcome.heldOut.testMSE, mse > 0 else { return nil }
                return DataPoint(Double(run.spec.config.model.width), mse)
            }
            let measured = medians(\.testMSE)
            let kernel = medians(\.kernelTestMSE)
            let ntk = medians(\.ntkTestMSE)
            guard !dots.isEmpty || !kernel.isEmpty || !ntk.isEmpty else { continue }
            panel.series.append(
                Series(name: "\(name) test runs", color: color, mark: .scatter(radius: 3.5), points: dots))
            panel.series.append(Series(name: "\(name) test median", color: color, lineWidth: 1.8, points: measured))
            panel.series.append(
                Series(
                    name: "\(name) kernel", color: color, mark: .line(.dashed), lineWidth: 1.4,
                    points: kernel))
            panel.series.append(
                Series(
                    name: "\(name) NTK", color: color, mark: .line(.dotted), lineWidth: 1.4,
                    points: ntk))
            legend.append(LegendEntry("\(name) 実測 / network", color: color, swatch: .marker))
            legend.append(LegendEntry("\(name) \(FigureText.measured)", color: color))
            legend.append(LegendEntry("\(name) カーネル予測 / kernel regime", color: color, swatch: .line(.dashed)))
            legend.append(LegendEntry("\(name) NTK 補間 / NTK interpolant", color: color, swatch: .line(.dotted)))
        }
        if panel.series.isEmpty { notes.append(FigureText.notEnoughData + " (テストデータなし / no test set)") }
        notes.append("定理の対象外 / outside the theorem (it bounds the training loss only)")
        return Chart(
            title: title, subtitle: "held-out MSE vs width, log–log — \(FigureText.batchLabel(batch))",
            panels: [panel], legend: legend, notes: notes)
    }
}
