/// An opaque sRGB colour with 8-bit channels.
public struct RGBColor: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Red channel, 0...255.
    public var red: UInt8
    /// Green channel, 0...255.
    public var green: UInt8
    /// Blue channel, 0...255.
    public var blue: UInt8

    /// A colour from its three 8-bit channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// `#rrggbb`.
    public var description: String {
        "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Largest per-channel difference to `other` (0...255).
    public func distance(to other: RGBColor) -> Int {
        max(abs(Int(red) - Int(other.red)), abs(Int(green) - Int(other.green)), abs(Int(blue) - Int(other.blue)))
    }

    /// Page background.
    public static let white = RGBColor(hex: 0xFFFFFF)
    /// H* spectra and titles.
    public static let black = RGBColor(hex: 0x000000)
    /// Axis frame and tick labels.
    public static let axis = RGBColor(hex: 0x333333)
    /// Subtitles and notes.
    public static let muted = RGBColor(hex: 0x666666)
    /// Grid lines.
    public static let grid = RGBColor(hex: 0xE4E4E4)
    /// Theory reference lines (λ*, m^(-1/2), predicted values without a series colour).
    public static let reference = RGBColor(hex: 0x444444)
}

/// The Okabe–Ito colour-blind-safe palette, in the order series receive colours.
///
/// Yellow (#F0E442) is last because it has little contrast on white; black is reserved for
/// references and never handed out to series.
public enum Palette {
    /// Okabe–Ito blue #0072B2.
    public static let blue = RGBColor(hex: 0x0072B2)
    /// Okabe–Ito orange #E69F00.
    public static let orange = RGBColor(hex: 0xE69F00)
    /// Okabe–Ito bluish green #009E73.
    public static let bluishGreen = RGBColor(hex: 0x009E73)
    /// Okabe–Ito vermillion #D55E00.
    public static let vermillion = RGBColor(hex: 0xD55E00)
    /// Okabe–Ito reddish purple #CC79A7.
    public static let reddishPurple = RGBColor(hex: 0xCC79A7)
    /// Okabe–Ito sky blue #56B4E9.
    public static let skyBlue = RGBColor(hex: 0x56B4E9)
    /// Okabe–Ito yellow #F0E442 (low contrast on white; last).
    public static let yellow = RGBColor(hex: 0xF0E442)

    /// Series colours in order; index `i` wraps around.
    public static let series: [RGBColor] = [blue, orange, bluishGreen, vermillion, reddishPurple, skyBlue, yellow]

    /// The colour of the `index`-th series (wraps after seven).
    public static func color(_ index: Int) -> RGBColor {
        series[((index % series.count) + series.count) % series.count]
    }
}
