/// Where a drawing put its text, in points: every plot area and the box of every title, legend
/// row, note, reference-line label and annotation. The renderer lays labels out so that none leaves
/// the chart, the legend stays clear of the plot areas, and labels inside a plot area stay inside
/// it, off its frame and off each other; the tests check exactly that on these boxes.
struct ChartDrawing {
    /// What a text box is.
    enum Kind: Equatable {
        case title, subtitle, legend, note, reference, annotation
    }

    /// One drawn text box: its text, kind, box and panel (for labels inside a plot area).
    struct Label {
        var text: String
        var kind: Kind
        var box: Rect
        var panel: Int?
    }

    var plotAreas: [Rect] = []
    var labels: [Label] = []
}

extension Rect {
    /// True when the two boxes share interior points.
    func intersects(_ other: Rect) -> Bool {
        x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
    }

    /// True when `other` lies within this box (edges included, with `tolerance` points of slack).
    func contains(_ other: Rect, tolerance: Double = 0.01) -> Bool {
        other.x >= x - tolerance && other.y >= y - tolerance && other.x + other.width <= x + width + tolerance
            && other.y + other.height <= y + height + tolerance
    }
}

extension ChartRenderer {
    /// The box of `width` points of text of `size` points with its baseline at `y` and its left
    /// edge at `left`: from the ascent (0.95 size above the baseline) to the descent (0.35 below),
    /// with 2 points at the sides — the box the translucent backing of a label fills.
    static func textBox(left: Double, baseline y: Double, width: Double, size: Double) -> Rect {
        Rect(x: left - 2, y: y - size * 0.95, width: width + 4, height: size * 1.3)
    }
}
