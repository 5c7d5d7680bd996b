import Foundation

/// A panel with its undrawable points removed and its axes computed.
struct PreparedPanel {
    let panel: Panel
    /// Series with only drawable points (finite; > 0 on a log axis).
    let series: [Series]
    /// Bands with only drawable samples.
    let bands: [Band]
    let xTicks: AxisTicks
    let yTicks: AxisTicks
    /// Points (and band samples) that could not be drawn because a coordinate was NaN or ±∞.
    let nonFiniteDropped: Int
    /// Points that could not be drawn because a coordinate was ≤ 0 on a log axis.
    let nonPositiveDropped: Int

    /// True when nothing at all can be drawn (no series point, no band sample).
    var isEmpty: Bool { series.allSatisfy(\.points.isEmpty) && bands.allSatisfy(\.samples.isEmpty) }

    init(_ panel: Panel) {
        self.panel = panel
        let xLog = panel.xAxis.scale == .log10
        let yLog = panel.yAxis.scale == .log10
        var nonFinite = 0
        var nonPositive = 0
        func keep(_ x: Double, _ y: [Double]) -> Bool {
            let values = [x] + y
            if values.contains(where: { !$0.isFinite }) {
                nonFinite += 1
                return false
            }
            if (xLog && x <= 0) || (yLog && y.contains(where: { $0 <= 0 })) {
                nonPositive += 1
                return false
            }
            return true
        }
        let kept = panel.series.map { s in
            var copy = s
            copy.points = s.points.filter { keep($0.x, [$0.y]) }
            return copy
        }
        bands = panel.bands.map { b in
            var copy = b
            copy.samples = b.samples.filter { keep($0.x, [$0.lower, $0.upper]) }
            return copy
        }
        nonFiniteDropped = nonFinite
        nonPositiveDropped = nonPositive

        // Series that do not set the y-range (analytic bounds) count only when nothing else does.
        let rangeSetters =
            kept.contains { $0.setsAxisRange && !$0.points.isEmpty } || bands.contains { !$0.samples.isEmpty }
            ? kept.filter(\.setsAxisRange) : kept
        var xs = kept.flatMap { $0.points.map(\.x) } + bands.flatMap { $0.samples.map(\.x) }
        var ys =
            rangeSetters.flatMap { $0.points.map(\.y) } + bands.flatMap { $0.samples.flatMap { [$0.lower, $0.upper] } }
        for reference in panel.references {
            switch reference.orientation {
            case .horizontal(let v) where v.isFinite && (!yLog || v > 0): ys.append(v)
            case .vertical(let v) where v.isFinite && (!xLog || v > 0): xs.append(v)
            default: break
            }
        }
        let xTicks = Self.ticks(panel.xAxis, values: xs)
        let yTicks = Self.ticks(panel.yAxis, values: ys, headroom: true)
        self.xTicks = xTicks
        self.yTicks = yTicks
        series = kept.flatMap { s -> [Series] in
            guard !s.setsAxisRange, rangeSetters.count < kept.count else { return [s] }
            return Self.clip(s, lower: yTicks.lower, upper: yTicks.upper, log: yLog)
        }
    }

    /// `series` restricted to lower ≤ y ≤ upper: dots outside are dropped; a line is cut where it
    /// crosses a bound (interpolated linearly on the axis scale, so the kept pieces lie exactly on
    /// the drawn segments) and may fall apart into several series of the same name and style.
    static func clip(_ series: Series, lower: Double, upper: Double, log: Bool) -> [Series] {
        func t(_ y: Double) -> Double { log ? Foundation.log10(y) : y }
        func y(_ t: Double) -> Double { log ? Foundation.pow(10, t) : t }
        let lo = t(lower)
        let hi = t(upper)
        guard lo < hi else { return [series] }
        if case .scatter = series.mark {
            var copy = series
            copy.points = series.points.filter { t($0.y) >= lo && t($0.y) <= hi }
            return [copy]
        }
        var pieces: [[DataPoint]] = []
        var current: [DataPoint] = []
        func inside(_ v: Double) -> Bool { v >= lo && v <= hi }
        for (i, p) in series.points.enumerated() {
            let tp = t(p.y)
            if i == 0 {
                if inside(tp) { current = [p] }
                continue
            }
            let q = series.points[i - 1]
            let tq = t(q.y)
            // The part of segment q→p inside [lo, hi], as parameters 0…1 along it.
            var enter = 0.0
            var leave = 1.0
            if tp != tq {
                let a = (lo - tq) / (tp - tq)
                let b = (hi - tq) / (tp - tq)
                enter = Swift.max(0, Swift.min(a, b))
                leave = Swift.min(1, Swift.max(a, b))
            } else if !inside(tq) {
                enter = 1
                leave = 0
            }
            guard enter <= leave else {
                if !current.isEmpty {
                    pieces.append(current)
                    current = []
                }
                continue
            }
            func at(_ f: Double) -> DataPoint {
                f == 0 ? q : (f == 1 ? p : DataPoint(q.x + (p.x - q.x) * f, y(tq + (tp - tq) * f)))
            }
            if current.isEmpty { current = [at(enter)] }
            current.append(at(leave))
            if leave < 1 {
                pieces.append(current)
                current = []
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces.map { piece in
            var copy = series
            copy.points = piece
            return copy
        }
    }

    /// Share of the data span added above a linear y-axis' positive maximum before rounding to
    /// nice ticks, so a series at the very top is not drawn on the frame (e.g. rates near 1).
    static let headroom = 0.02

    private static func ticks(_ axis: AxisSpec, values: [Double], headroom: Bool = false) -> AxisTicks {
        if let custom = axis.customTicks, let first = custom.first, let last = custom.last, first.value < last.value {
            return AxisTicks(lower: first.value, upper: last.value, ticks: custom)
        }
        let values = values + axis.alwaysInclude.filter { $0.isFinite && (axis.scale == .linear || $0 > 0) }
        guard let low = values.min(), let high = values.max() else {
            return AxisTicks.make(
                scale: axis.scale, min: axis.scale == .log10 ? 1 : 0, max: axis.scale == .log10 ? 10 : 1)
        }
        if axis.scale == .linear && axis.integerTicks {
            // Counts: whole-number ticks, a quarter step of air so 0 is not drawn on the frame.
            var ticks = AxisTicks.linear(min: low, max: Swift.max(high, low + 1), minimumStep: 1)
            let step = ticks.ticks.count > 1 ? ticks.ticks[1].value - ticks.ticks[0].value : 1
            ticks.lower -= step / 4
            ticks.upper += step / 4
            return ticks
        }
        if axis.scale == .linear && axis.tight && low < high {
            var ticks = AxisTicks.linear(min: low, max: high)
            let slack = (high - low) * 1e-9
            ticks.ticks = ticks.ticks.filter { $0.value >= low - slack && $0.value <= high + slack }
            ticks.lower = low
            ticks.upper = high
            return ticks
        }
        if headroom && axis.scale == .linear && low < high && high > 0 {
            return AxisTicks.make(scale: axis.scale, min: low, max: high + (high - low) * Self.headroom)
        }
        return AxisTicks.make(scale: axis.scale, min: low, max: high)
    }
}

/// A chart with its panels prepared and its footer notes collected.
struct ChartLayoutInput {
    let chart: Chart
    let panels: [PreparedPanel]
    /// Footer lines: the chart's notes, then each panel's notes and dropped-point counts.
    let notes: [String]

    init(chart: Chart) {
        self.chart = chart
        panels = chart.panels.map(PreparedPanel.init)
        var lines = chart.notes
        for prepared in panels {
            let prefix = prepared.panel.title.isEmpty ? "" : "\(prepared.panel.title): "
            for note in prepared.panel.notes { lines.append(prefix + note) }
            if prepared.nonFiniteDropped > 0 {
                lines.append(
                    prefix
                        + "非有限値 \(prepared.nonFiniteDropped) 点を除外 / \(prepared.nonFiniteDropped) non-finite points not drawn"
                )
            }
            if prepared.nonPositiveDropped > 0 {
                lines.append(
                    prefix
                        + "0 以下の値 \(prepared.nonPositiveDropped) 点を除外 (対数軸) / \(prepared.nonPositiveDropped) points <= 0 not drawn on the log axis"
                )
            }
        }
        notes = lines
    }
}
