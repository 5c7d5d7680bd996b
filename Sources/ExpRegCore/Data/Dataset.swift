/// Training data: X (n × d, row-major, rows of unit norm) and labels y (n).
///
/// Every `Dataset` is valid: n ≥ 1, d ≥ 1, `x.count == n·d`, `y.count == n`, all values finite and
/// every row has |‖x_i‖₂ − 1| ≤ ``unitNormTolerance`` (the theory assumes points on the sphere).
/// CSV parsing lives outside Core; build the dataset with ``init(n:d:x:y:)`` or, for
/// `normalize: true`, with ``normalizingRows(n:d:x:y:)``.
public struct Dataset: Sendable, Equatable {
    /// Allowed deviation of a row's Euclidean norm from 1.
    public static let unitNormTolerance = 1e-6

    /// Number of points n ≥ 1.
    public let n: Int
    /// Input dimension d ≥ 1.
    public let d: Int
    /// Row-major n × d: x_i is `x[i*d ..< (i+1)*d]`.
    public let x: [Double]
    /// Labels y_i, length n.
    public let y: [Double]

    /// Validates shapes (x.count == n·d, y.count == n, n ≥ 1, d ≥ 1), finiteness and unit row norms.
    ///
    /// - Throws: ``DatasetError`` naming the first offending row (1-based, as in a data file
    ///   without its header) and how to fix it.
    public init(n: Int, d: Int, x: [Double], y: [Double]) throws(DatasetError) {
        try Self.checkShape(n: n, d: d, x: x, y: y)
        for i in 0..<n {
            var sumSquares = 0.0
            for j in 0..<d {
                let v = x[i * d + j]
                guard v.isFinite else {
                    throw DatasetError("row \(i + 1): x\(j + 1) is \(v); every input must be a finite number")
                }
                sumSquares += v * v
            }
            guard y[i].isFinite else {
                throw DatasetError("row \(i + 1): y is \(y[i]); every label must be a finite number")
            }
            let norm = sumSquares.squareRoot()
            guard abs(norm - 1) <= Self.unitNormTolerance else {
                throw DatasetError("row \(i + 1): ||x|| = \(norm), but points must have unit norm "
                    + "(|‖x‖ − 1| ≤ \(Self.unitNormTolerance)); set `normalize: true` for csv data")
            }
        }
        self.n = n
        self.d = d
        self.x = x
        self.y = y
    }

    /// Scales every row x_i to x_i / ‖x_i‖₂ (labels unchanged), then validates as ``init(n:d:x:y:)``.
    ///
    /// For csv data with `normalize: true`.
    /// - Throws: ``DatasetError`` for a bad shape, a non-finite value, or a zero row (which has no
    ///   direction), naming the row.
    public static func normalizingRows(n: Int, d: Int, x: [Double], y: [Double]) throws(DatasetError) -> Dataset {
        try checkShape(n: n, d: d, x: x, y: y)
        var scaled = x
        for i in 0..<n {
            var maxAbs = 0.0
            for j in 0..<d {
                let v = x[i * d + j]
                guard v.isFinite else {
                    throw DatasetError("row \(i + 1): x\(j + 1) is \(v); every input must be a finite number")
                }
                maxAbs = max(maxAbs, abs(v))
            }
            guard maxAbs > 0 else {
                throw DatasetError("row \(i + 1): all inputs are 0, so the row cannot be scaled to unit norm; "
                    + "remove the row or fix the data")
            }
            // Scale by the largest entry first so the sum of squares cannot overflow or underflow.
            var sumSquares = 0.0
            for j in 0..<d {
                let v = x[i * d + j] / maxAbs
                sumSquares += v * v
            }
            let norm = sumSquares.squareRoot()
            for j in 0..<d { scaled[i * d + j] = (x[i * d + j] / maxAbs) / norm }
        }
        return try Dataset(n: n, d: d, x: scaled, y: y)
    }

    private static func checkShape(n: Int, d: Int, x: [Double], y: [Double]) throws(DatasetError) {
        guard n >= 1 else { throw DatasetError("the dataset has \(n) points; at least 1 is needed") }
        guard d >= 1 else { throw DatasetError("the dataset has dimension d = \(d); d must be at least 1") }
        let (cells, overflow) = n.multipliedReportingOverflow(by: d)
        guard !overflow, x.count == cells else {
            throw DatasetError("x has \(x.count) values, expected n·d = \(n)·\(d); every row needs d inputs")
        }
        guard y.count == n else {
            throw DatasetError("y has \(y.count) labels, expected n = \(n); every row needs one label")
        }
    }
}

/// Invalid training data: the message says which row/field and how to fix it.
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, where (1-based row) and the fix.
    public var message: String
    /// An error with the given message.
    public init(_ message: String) { self.message = message }
    /// "invalid dataset: " followed by ``message``.
    public var description: String { "invalid dataset: \(message)" }
}
