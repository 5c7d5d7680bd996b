/// Everything that can go wrong while drawing or writing a chart.
///
/// Each message says what failed, where, and how to fix it.
public enum PlotError: Error, Sendable, CustomStringConvertible {
    /// No installed font has Japanese glyphs.
    case noJapaneseFont(tried: [String])
    /// Cairo reported an error status.
    case cairo(operation: String, status: String)
    /// A file could not be written or moved into place.
    case io(path: String, reason: String)
    /// A document asked for a figure that does not exist.
    case unknownFigure(name: String)

    /// What failed, where, and the fix.
    public var description: String {
        switch self {
        case .noJapaneseFont(let tried):
            return "plot: no font with Japanese glyphs found (tried \(tried.joined(separator: ", "))); "
                + "install one with `apt-get install fonts-ipaexfont-gothic`"
        case .cairo(let operation, let status):
            return
                "plot: cairo failed in \(operation): \(status); check free disk space and the output folder's permissions"
        case .io(let path, let reason):
            return "plot: cannot write \(path): \(reason); check that the folder exists and is writable"
        case .unknownFigure(let name):
            return "plot: no figure named '\(name)'; use one of \(Figures.names.joined(separator: ", "))"
        }
    }
}
