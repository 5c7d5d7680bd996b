import Foundation

/// A rectangle in points.
struct Rect: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
}

/// Maps data values to page coordinates inside a plot area.
struct AxisMapping {
    let xTicks: AxisTicks
    let xScale: AxisScale
    let yTicks: AxisTicks
    let yScale: AxisScale
    let area: Rect

    /// Page x of a data x (clamped far outside the page so Cairo's fixed point never overflows).
    func x(_ value: Double) -> Double {
        area.x + fraction(value, xTicks, xScale) * area.width
    }

    func y(_ value: Double) -> Double {
        area.y + area.height - fraction(value, yTicks, yScale) * area.height
    }

    func drawable(x value: Double) -> Bool { value.isFinite && (xScale == .linear || value > 0) }
    func drawable(y value: Double) -> Bool { value.isFinite && (yScale == .linear || value > 0) }

    private func fraction(_ value: Double, _ ticks: AxisTicks, _ scale: AxisScale) -> Double {
        let f: Double
        switch scale {
        case .linear:
            f = (value - ticks.lower) / (ticks.upper - ticks.lower)
        case .log10:
            f =
                (Foundation.log10(value) - Foundation.log10(ticks.lower))
                / (Foundation.log10(ticks.upper) - Foundation.log10(ticks.lower))
        }
        guard f.isFinite else { return value > 0 ? 50 : -50 }
        return max(-50, min(50, f))
    }
}
