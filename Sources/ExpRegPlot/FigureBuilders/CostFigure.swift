import ExpRegCore
import Foundation

/// `cost`: what width costs, log–log, one colour per activation (one archived ``WidthScaling``
/// group each; with several groups per activation, the first in plan order).
///
/// Left panel: each converged run's seconds in GD steps and spectra against width m (dots), the
/// group's ``WidthCostModel`` (solid over the tested widths, dashed beyond them up to the condition
/// width), and the projection (`analysis.width_scaling[].projection.seconds_per_run`, the same
/// model at the condition width) as a ring: one model for the curve, the ring and the summary.
/// Right panel: each run's `memory_bytes` in GiB (dots), the estimate ``TrainingMemory`` from the
/// smallest width to the condition width (dashed), the projected memory as a ring. A vertical
/// dotted line marks the condition width (theory slope −1/2) per activation.
enum CostFigure {
    static let title = "幅のコスト(目標到達までの時間とメモリ)"
    static let gibibyte = 1_073_741_824.0

    static func chart(_ batch: BatchSnapshot) -> Chart {
        let analysis = batch.judgement.analysis
        let groups = RunGroups(batch)
        var time = Panel(
            title: "時間 / seconds to target", xAxis: AxisSpec(title: "width m (log)", scale: .log10),
            yAxis: AxisSpec(title: "seconds per run (log)", scale: .log10))
        var memory = Panel(
            title: "メモリ / working set", xAxis: AxisSpec(title: "width m (log)", scale: .log10),
            yAxis: AxisSpec(title: "GiB (log)", scale: .log10))
        var legend: [LegendEntry] = []
        var notes: [String] = []
        var row = 0.0
        for (activation, _) in groups.byActivation {
            let color = RunGroups.color(activation)
            guard let group = analysis.widthScaling.first(where: { $0.activation == activation.rawValue }) else {
                notes.append(
                    "\(activation.rawValue): " + FigureText.notEnoughData + " (幅が 2 種類未満 / fewer than 2 widths)")
                continue
            }
            let runs = batch.runs.filter(group.contains)
            let n = runs.first?.spec.config.data.n ?? 1
            let d = runs.first?.spec.config.data.d ?? 1
            let minWidth = Double(group.widths.first ?? 1)
            let maxWidth = Double(group.widths.last ?? 1)
            let target = group.projection.map { Double($0.width) }
            legend.append(LegendEntry(activation.rawValue, color: color, swatch: .marker))

            let seconds = runs.filter { $0.status == .converged }.compactMap { run in
                WidthCostModel.measuredSeconds(of: run).map { DataPoint(Double(run.spec.config.model.width), $0) }
            }
            time.series.append(
                Series(name: "\(activation.rawValue) runs", color: color, mark: .scatter(radius: 3.5), points: seconds))
            let model = group.costModel
            if model.secondsPerRun(width: minWidth) != nil {
                time.series.append(
                    Series(
                        name: "\(activation.rawValue) model", color: color, lineWidth: 1.6,
                        points: Self.curve(from: minWidth, to: maxWidth) { model.secondsPerRun(width: $0) }))
                if let target, target > maxWidth {
                    time.series.append(
                        Series(
                            name: "\(activation.rawValue) extrapolation", color: color, mark: .line(.dashed),
                            lineWidth: 1.2,
                            points: Self.curve(from: maxWidth, to: target) { model.secondsPerRun(width: $0) }))
                }
            }
            let bytes = runs.compactMap { run in
                run.outcome.memoryBytes.map { DataPoint(Double(run.spec.config.model.width), Double($0) / gibibyte) }
            }
            memory.series.append(
                Series(name: "\(activation.rawValue) runs", color: color, mark: .scatter(radius: 3.5), points: bytes))
            let top = max(maxWidth, target ?? maxWidth)
            let curve = Self.curve(from: minWidth, to: top) {
                Double(TrainingMemory.bytes(n: n, d: d, m: Int($0.rounded()))) / gibibyte
            }
            memory.series.append(
                Series(
                    name: "\(activation.rawValue) estimate", color: color, mark: .line(.dashed),
                    lineWidth: 1.2, points: curve))
            if let projection = group.projection, let target {
                if let s = projection.secondsPerRun {
                    time.series.append(
                        Series(
                            name: "\(activation.rawValue) projection", color: color,
                            mark: .scatter(radius: 6), points: [DataPoint(target, s)]))
                }
                memory.series.append(
                    Series(
                        name: "\(activation.rawValue) projection", color: color, mark: .scatter(radius: 6),
                        points: [DataPoint(target, Double(projection.memoryBytes) / gibibyte)]))
                let label =
                    "\(activation.rawValue): m* ≈ \(projection.width)"
                    + (projection.secondsPerRun.map { ", " + duration($0) } ?? "") + ", "
                    + ByteFormat.memory(projection.memoryBytes)
                for index in [0, 1] {
                    let annotation = Annotation(label, fractionX: 0.03, fractionY: 0.08 + row, color: color)
                    if index == 0 { time.annotations.append(annotation) } else { memory.annotations.append(annotation) }
                }
                row += 0.07
                time.references.append(
                    ReferenceLine(.vertical(target), label: "m* \(activation.rawValue)", color: color, style: .dotted))
                memory.references.append(
                    ReferenceLine(.vertical(target), label: "m* \(activation.rawValue)", color: color, style: .dotted))
            }
        }
        legend.append(LegendEntry("model / estimate", color: .axis, swatch: .line(.dashed)))
        legend.append(LegendEntry("m* = condition width (slope −1/2)", color: .axis, swatch: .line(.dotted)))
        if groups.byActivation.isEmpty { notes.append(FigureText.notEnoughData + " (実行なし / no runs)") }
        if time.series.allSatisfy({ $0.points.isEmpty }) {
            notes.append("時間: 目標に到達した run がありません / no converged run to time")
        }
        return Chart(
            title: title, subtitle: "time and memory vs width, log–log — \(FigureText.batchLabel(batch))",
            panels: [time, memory], legend: legend, notes: notes)
    }

    /// 17 points of `f` from `a` to `b` (both exactly), evenly spaced on a log scale (points where
    /// `f` is nil are left out).
    static func curve(from a: Double, to b: Double, _ f: (Double) -> Double?) -> [DataPoint] {
        (0...16).compactMap { i in
            let m = i == 0 ? a : i == 16 ? b : a * Foundation.pow(b / a, Double(i) / 16)
            return f(m).map { DataPoint(m, $0) }
        }
    }

    /// Seconds as `12.3 s`, `4.5 min` or `2.10 h`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return formatFixed(seconds, digits: 1) + " s" }
        if seconds < 3600 { return formatFixed(seconds / 60, digits: 1) + " min" }
        return formatFixed(seconds / 3600, digits: 2) + " h"
    }

}
