/// Training data: X (n × d, row-major, rows of unit norm) and labels y (n).
///
/// INTERFACE STUB — implemented by the numeric-core work (issue 2).
public struct Dataset: Sendable, Equatable {
    public let n: Int
    public let d: Int
    /// Row-major n × d.
    public let x: [Double]
    public let y: [Double]

    /// Validates shapes (x.count == n·d, y.count == n, n ≥ 1, d ≥ 1), finiteness and unit row norms.
    public init(n: Int, d: Int, x: [Double], y: [Double]) throws(DatasetError) {
        self.n = n
        self.d = d
        self.x = x
        self.y = y
    }
}

/// Invalid training data.
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
