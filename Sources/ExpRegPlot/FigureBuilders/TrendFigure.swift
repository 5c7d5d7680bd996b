import ExpRegCore
import Foundation

/// `trend`: headline numbers per night across archived batches of the same manifest (oldest
/// first): median final loss per activation (log), λ* and the number of diverged runs.
///
/// x is the batch's position with its UTC start date (`MM-dd`) as label; batches sharing a date
/// (a night re-run) also show their start time (`MM-dd HH:mm`), and a trend spanning more than one
/// year shows the year (`yyyy-MM-dd`). Fewer than two batches: a note "not enough data".
enum TrendFigure {
    static let title = "夜間バッチの推移"

    static func chart(_ batch: BatchSnapshot, trend: [BatchHeadline]) -> Chart {
        chart(manifestName: batch.info.manifestName, trend: trend)
    }

    static func chart(manifestName: String, trend: [BatchHeadline]) -> Chart {
        let labels = dateLabels(trend.map(\.startedAt)).enumerated().map {
            Tick(value: Double($0.offset), label: $0.element)
        }
        // Unlabelled end ticks half a night outside, so the first and last markers are not clipped.
        // (Also for one night: its date, not a fractional -1…1 axis.)
        let ticks =
            labels.isEmpty
            ? nil : [Tick(value: -0.5, label: "")] + labels + [Tick(value: Double(labels.count) - 0.5, label: "")]
        let xAxis = AxisSpec(title: "batch start (UTC)", customTicks: ticks)
        var lossPanel = Panel(
            title: "median final loss", xAxis: xAxis, yAxis: AxisSpec(title: "loss (log)", scale: .log10))
        var legend: [LegendEntry] = []
        for activation in Activation.allCases {
            let points = trend.enumerated().compactMap { i, h in
                h.medianFinalLoss[activation.rawValue].map { DataPoint(Double(i), $0) }
            }
            guard !points.isEmpty else { continue }
            let color = RunGroups.color(activation)
            lossPanel.series.append(
                Series(name: "\(activation.rawValue) median final loss", color: color, points: points))
            lossPanel.series.append(
                Series(
                    name: "\(activation.rawValue) nights", color: color, mark: .scatter(radius: 3),
                    points: points))
            legend.append(LegendEntry(activation.rawValue, color: color))
        }
        let divergedColor = Palette.reddishPurple
        // λ* per activation (H* differs by activation), in the activation's colour.
        var starPanel = Panel(
            title: "λ*", xAxis: xAxis, yAxis: AxisSpec(title: "λ* = λ_{min}(H*) (log)", scale: .log10))
        for activation in Activation.allCases {
            let stars = trend.enumerated().compactMap { i, h in
                h.lambdaStar[activation.rawValue].map { DataPoint(Double(i), $0) }
            }
            guard !stars.isEmpty else { continue }
            let color = RunGroups.color(activation)
            starPanel.series.append(Series(name: "\(activation.rawValue) lambda star", color: color, points: stars))
            starPanel.series.append(
                Series(
                    name: "\(activation.rawValue) lambda star nights", color: color,
                    mark: .scatter(radius: 3), points: stars))
        }
        let diverged = trend.enumerated().map { DataPoint(Double($0.offset), Double($0.element.broken)) }
        let divergedPanel = Panel(
            title: "diverged runs", xAxis: xAxis,
            yAxis: AxisSpec(title: "runs diverged or failed", alwaysInclude: [0], integerTicks: true),
            series: [
                Series(name: "diverged", color: divergedColor, points: diverged),
                Series(name: "diverged nights", color: divergedColor, mark: .scatter(radius: 3), points: diverged),
            ])
        legend.append(LegendEntry("diverged", color: divergedColor))
        var notes: [String] = []
        if trend.count < 2 {
            notes.append(FigureText.notEnoughData + " (比較できるバッチが 2 件未満 / fewer than 2 batches of \(manifestName))")
        }
        return Chart(
            title: title, subtitle: "headline numbers per night of \(manifestName)",
            panels: [lossPanel, starPanel, divergedPanel], legend: legend, notes: notes)
    }

    /// `MM-dd` of `date` in UTC (deterministic, no locale).
    static func dateLabel(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.month, .day], from: date)
        return String(format: "%02d-%02d", parts.month ?? 0, parts.day ?? 0)
    }

    /// One label per batch start (UTC): `MM-dd`, with the year first (`yyyy-MM-dd`) when the dates
    /// span more than one year, and the time after (`… HH:mm`) for every batch whose date is shared.
    static func dateLabels(_ dates: [Date]) -> [String] {
        let parts = dates.map { utcCalendar.dateComponents([.year, .month, .day, .hour, .minute], from: $0) }
        let years = Set(parts.map { $0.year ?? 0 })
        let days = parts.map { part in
            let day = String(format: "%02d-%02d", part.month ?? 0, part.day ?? 0)
            return years.count > 1 ? String(format: "%04d-", part.year ?? 0) + day : day
        }
        var count: [String: Int] = [:]
        for day in days { count[day, default: 0] += 1 }
        return zip(days, parts).map { day, part in
            (count[day] ?? 0) > 1 ? day + String(format: " %02d:%02d", part.hour ?? 0, part.minute ?? 0) : day
        }
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }()
}
