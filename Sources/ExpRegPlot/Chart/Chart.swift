/// A point in data coordinates.
public struct DataPoint: Sendable, Equatable {
    /// Horizontal data value.
    public var x: Double
    /// Vertical data value.
    public var y: Double
    /// The point (x, y).
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// Stroke pattern of a line.
public enum LineStyle: Sendable, Equatable {
    case solid
    /// Long dashes (6 pt on, 4 pt off).
    case dashed
    /// Dots (1.5 pt on, 3 pt off).
    case dotted

    /// Cairo dash pattern in points for a line of the given width.
    func dashPattern(lineWidth: Double) -> [Double] {
        switch self {
        case .solid: return []
        case .dashed: return [6, 4]
        case .dotted: return [Swift.max(1, lineWidth), 3]
        }
    }
}

/// How a series is drawn.
public enum SeriesMark: Sendable, Equatable {
    /// One polyline through the points in order (one path).
    case line(LineStyle)
    /// A filled circle of `radius` points at each point (all circles form one path).
    case scatter(radius: Double)
}

/// A named sequence of points with a colour. Non-finite points (and ≤ 0 values on a log axis)
/// are not drawn; the chart counts them in a note.
public struct Series: Sendable, Equatable {
    /// Identifies the series in tests and diagnostics (not drawn; the legend is separate).
    public var name: String
    /// Colour.
    public var color: RGBColor
    /// Line or dots.
    public var mark: SeriesMark
    /// Line width in points (ignored for scatter).
    public var lineWidth: Double
    /// Points in drawing order (lines join them in this order).
    public var points: [DataPoint]
    /// Whether the points take part in choosing the automatic y-range (default true). A series
    /// that does not (e.g. an analytic bound) is clipped to the range the others chose: a line is
    /// cut where it leaves the range (interpolated on the axis scale), dots outside are dropped
    /// silently. If no series of the panel sets the range, all of them do.
    public var setsAxisRange: Bool

    /// A series; solid 2 pt line by default.
    public init(
        name: String, color: RGBColor, mark: SeriesMark = .line(.solid), lineWidth: Double = 2,
        points: [DataPoint], setsAxisRange: Bool = true
    ) {
        self.name = name
        self.color = color
        self.mark = mark
        self.lineWidth = lineWidth
        self.points = points
        self.setsAxisRange = setsAxisRange
    }
}

/// A shaded min–max band (e.g. the spread over seeds), drawn under the series.
public struct Band: Sendable, Equatable {
    /// The band's extent at one x.
    public struct Sample: Sendable, Equatable {
        /// Horizontal data value.
        public var x: Double
        /// Lower edge (e.g. the minimum over seeds).
        public var lower: Double
        /// Upper edge (e.g. the maximum over seeds).
        public var upper: Double
        /// The band spans `lower...upper` at `x`.
        public init(x: Double, lower: Double, upper: Double) {
            self.x = x
            self.lower = lower
            self.upper = upper
        }
    }

    /// Colour.
    public var color: RGBColor
    /// Fill opacity (0...1).
    public var opacity: Double
    /// Samples in ascending x; a sample with a non-finite value is dropped and counted.
    public var samples: [Sample]

    /// A band of `color` at `opacity`.
    public init(color: RGBColor, opacity: Double = 0.18, samples: [Sample]) {
        self.color = color
        self.opacity = opacity
        self.samples = samples
    }
}

/// A straight reference line across the whole plot area.
public struct ReferenceLine: Sendable, Equatable {
    /// Which coordinate is fixed.
    public enum Orientation: Sendable, Equatable {
        /// y = value.
        case horizontal(Double)
        /// x = value.
        case vertical(Double)
    }

    /// Where the line is; a non-finite value (or ≤ 0 on a log axis) draws nothing.
    public var orientation: Orientation
    /// Text drawn next to the line, inside the plot area (markup allowed); empty for none.
    public var label: String
    /// Colour.
    public var color: RGBColor
    /// Stroke pattern.
    public var style: LineStyle

    /// A reference line; dashed grey by default.
    public init(
        _ orientation: Orientation, label: String = "", color: RGBColor = .reference, style: LineStyle = .dashed
    ) {
        self.orientation = orientation
        self.label = label
        self.color = color
        self.style = style
    }
}

/// Text placed at a fraction of the plot area (0,0 = top-left; 1,1 = bottom-right).
public struct Annotation: Sendable, Equatable {
    /// The text (markup allowed).
    public var text: String
    /// Left edge of the text as a fraction of the plot width.
    public var fractionX: Double
    /// Baseline as a fraction of the plot height from the top.
    public var fractionY: Double
    /// Colour.
    public var color: RGBColor

    /// Text at a fractional position of the plot area.
    public init(_ text: String, fractionX: Double, fractionY: Double, color: RGBColor = .axis) {
        self.text = text
        self.fractionX = fractionX
        self.fractionY = fractionY
        self.color = color
    }
}

/// One axis: its title (markup allowed), scale and optional fixed ticks.
public struct AxisSpec: Sendable, Equatable {
    /// Title (markup allowed; Japanese text is fine).
    public var title: String
    /// Linear or log10.
    public var scale: AxisScale
    /// Custom ticks (e.g. dates); the range then spans the first to the last tick.
    public var customTicks: [Tick]?
    /// Values the automatic range always includes (e.g. 0 for counts).
    public var alwaysInclude: [Double]
    /// Counts: ticks only on whole numbers (linear axes).
    public var integerTicks: Bool
    /// Linear axes: end exactly at the data's extremes instead of the enclosing nice ticks
    /// (e.g. an eigenvalue index 1…n).
    public var tight: Bool

    /// An axis; automatic nice ticks unless `customTicks` is given.
    public init(
        title: String, scale: AxisScale = .linear, customTicks: [Tick]? = nil, alwaysInclude: [Double] = [],
        integerTicks: Bool = false, tight: Bool = false
    ) {
        self.title = title
        self.scale = scale
        self.customTicks = customTicks
        self.alwaysInclude = alwaysInclude
        self.integerTicks = integerTicks
        self.tight = tight
    }
}

/// One plot area with axes (a small multiple).
public struct Panel: Sendable, Equatable {
    /// Title (markup allowed; Japanese text is fine).
    public var title: String
    /// Horizontal axis.
    public var xAxis: AxisSpec
    /// Vertical axis.
    public var yAxis: AxisSpec
    /// Shaded bands, drawn first.
    public var bands: [Band]
    /// Series, drawn over bands and references, in order.
    public var series: [Series]
    /// Reference lines, drawn over bands.
    public var references: [ReferenceLine]
    /// Text drawn over the data.
    public var annotations: [Annotation]
    /// Notes about this panel's data (shown in the chart's footer, prefixed by the panel title).
    public var notes: [String]

    /// A panel; everything but the axes is optional.
    public init(
        title: String = "", xAxis: AxisSpec, yAxis: AxisSpec, bands: [Band] = [], series: [Series] = [],
        references: [ReferenceLine] = [], annotations: [Annotation] = [], notes: [String] = []
    ) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.bands = bands
        self.series = series
        self.references = references
        self.annotations = annotations
        self.notes = notes
    }
}

/// One legend row: a swatch and a label.
public struct LegendEntry: Sendable, Equatable {
    /// What the legend row shows left of its label (always filled shapes).
    public enum Swatch: Sendable, Equatable {
        case line(LineStyle)
        /// A thin solid line (e.g. a single seed's curve beside a thicker median).
        case thinLine
        case band
        case marker
    }

    /// Label markup.
    public var label: String
    /// Colour.
    public var color: RGBColor
    /// The sample shape.
    public var swatch: Swatch

    /// A legend row.
    public init(_ label: String, color: RGBColor, swatch: Swatch = .line(.solid)) {
        self.label = label
        self.color = color
        self.swatch = swatch
    }
}

/// A whole figure: title, subtitle, small multiples side by side, a legend on the right and notes.
public struct Chart: Sendable, Equatable {
    /// Title (markup allowed; Japanese text is fine).
    public var title: String
    /// Second line (English description, batch id); may be empty.
    public var subtitle: String
    /// Small multiples, left to right, equal widths.
    public var panels: [Panel]
    /// Rows of the legend column on the right; empty for none.
    public var legend: [LegendEntry]
    /// Figure-wide notes (e.g. "データ不足 / not enough data"), shown in the footer.
    public var notes: [String]
    /// Page width in points; the PNG has 2 pixels per point.
    public var width: Double
    /// Page height in points.
    public var height: Double

    /// A chart of 800 × 500 pt by default.
    public init(
        title: String, subtitle: String = "", panels: [Panel], legend: [LegendEntry] = [],
        notes: [String] = [], width: Double = 800, height: Double = 500
    ) {
        self.title = title
        self.subtitle = subtitle
        self.panels = panels
        self.legend = legend
        self.notes = notes
        self.width = width
        self.height = height
    }
}

extension Chart {
    /// Draws the chart to a PNG (2 px per point) and an SVG of the same drawing, each written to a
    /// temporary name and renamed into place.
    ///
    /// Non-finite points (and points ≤ 0 on a log axis) are not drawn; their counts appear in the
    /// footer notes. Same chart ⇒ byte-identical files.
    /// - Throws: ``PlotError`` when no Japanese font is installed, Cairo fails or a file cannot be written.
    public func write(pngPath: String, svgPath: String) throws {
        try ChartRenderer.write(self, pngPath: pngPath, svgPath: svgPath)
    }

    /// Draws the chart to a PDF (same drawing code; vector text). Not byte-reproducible: Cairo
    /// stamps the creation date.
    /// - Throws: ``PlotError`` as for ``write(pngPath:svgPath:)``.
    public func writePDF(path: String) throws {
        try ChartRenderer.writePDF(self, path: path)
    }
}
