/// A point in data coordinates.
public struct DataPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
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
    public var name: String
    public var color: RGBColor
    public var mark: SeriesMark
    /// Line width in points (ignored for scatter).
    public var lineWidth: Double
    public var points: [DataPoint]

    public init(name: String, color: RGBColor, mark: SeriesMark = .line(.solid), lineWidth: Double = 2,
                points: [DataPoint]) {
        self.name = name
        self.color = color
        self.mark = mark
        self.lineWidth = lineWidth
        self.points = points
    }
}

/// A shaded min–max band (e.g. the spread over seeds), drawn under the series.
public struct Band: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        public var x: Double
        public var lower: Double
        public var upper: Double
        public init(x: Double, lower: Double, upper: Double) {
            self.x = x
            self.lower = lower
            self.upper = upper
        }
    }

    public var color: RGBColor
    /// Fill opacity (0...1).
    public var opacity: Double
    public var samples: [Sample]

    public init(color: RGBColor, opacity: Double = 0.18, samples: [Sample]) {
        self.color = color
        self.opacity = opacity
        self.samples = samples
    }
}

/// A straight reference line across the whole plot area.
public struct ReferenceLine: Sendable, Equatable {
    public enum Orientation: Sendable, Equatable {
        /// y = value.
        case horizontal(Double)
        /// x = value.
        case vertical(Double)
    }

    public var orientation: Orientation
    /// Text drawn next to the line, inside the plot area (markup allowed); empty for none.
    public var label: String
    public var color: RGBColor
    public var style: LineStyle

    public init(_ orientation: Orientation, label: String = "", color: RGBColor = .reference, style: LineStyle = .dashed) {
        self.orientation = orientation
        self.label = label
        self.color = color
        self.style = style
    }
}

/// Text placed at a fraction of the plot area (0,0 = top-left; 1,1 = bottom-right).
public struct Annotation: Sendable, Equatable {
    public var text: String
    public var fractionX: Double
    public var fractionY: Double
    public var color: RGBColor

    public init(_ text: String, fractionX: Double, fractionY: Double, color: RGBColor = .axis) {
        self.text = text
        self.fractionX = fractionX
        self.fractionY = fractionY
        self.color = color
    }
}

/// One axis: its title (markup allowed), scale and optional fixed ticks.
public struct AxisSpec: Sendable, Equatable {
    public var title: String
    public var scale: AxisScale
    /// Custom ticks (e.g. dates); the range then spans the first to the last tick.
    public var customTicks: [Tick]?
    /// Values the automatic range always includes (e.g. 0 for counts).
    public var alwaysInclude: [Double]
    /// Counts: ticks only on whole numbers (linear axes).
    public var integerTicks: Bool

    public init(title: String, scale: AxisScale = .linear, customTicks: [Tick]? = nil, alwaysInclude: [Double] = [],
                integerTicks: Bool = false) {
        self.title = title
        self.scale = scale
        self.customTicks = customTicks
        self.alwaysInclude = alwaysInclude
        self.integerTicks = integerTicks
    }
}

/// One plot area with axes (a small multiple).
public struct Panel: Sendable, Equatable {
    public var title: String
    public var xAxis: AxisSpec
    public var yAxis: AxisSpec
    public var bands: [Band]
    public var series: [Series]
    public var references: [ReferenceLine]
    public var annotations: [Annotation]
    /// Notes about this panel's data (shown in the chart's footer, prefixed by the panel title).
    public var notes: [String]

    public init(title: String = "", xAxis: AxisSpec, yAxis: AxisSpec, bands: [Band] = [], series: [Series] = [],
                references: [ReferenceLine] = [], annotations: [Annotation] = [], notes: [String] = []) {
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
    public enum Swatch: Sendable, Equatable {
        case line(LineStyle)
        case band
        case marker
    }

    public var label: String
    public var color: RGBColor
    public var swatch: Swatch

    public init(_ label: String, color: RGBColor, swatch: Swatch = .line(.solid)) {
        self.label = label
        self.color = color
        self.swatch = swatch
    }
}

/// A whole figure: title, subtitle, small multiples side by side, a legend on the right and notes.
public struct Chart: Sendable, Equatable {
    public var title: String
    public var subtitle: String
    public var panels: [Panel]
    public var legend: [LegendEntry]
    /// Figure-wide notes (e.g. "データ不足 / not enough data"), shown in the footer.
    public var notes: [String]
    /// Page size in points; the PNG has `scale` pixels per point.
    public var width: Double
    public var height: Double

    public init(title: String, subtitle: String = "", panels: [Panel], legend: [LegendEntry] = [],
                notes: [String] = [], width: Double = 800, height: Double = 500) {
        self.title = title
        self.subtitle = subtitle
        self.panels = panels
        self.legend = legend
        self.notes = notes
        self.width = width
        self.height = height
    }
}
