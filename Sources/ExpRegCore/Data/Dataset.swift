/// Training data: X (n × d, row-major, rows of unit norm) and labels y (n).
///
/// Every `Dataset` is valid: n ≥ 1, d ≥ 1, `x.count == n·d`, `y.count == n`, all values finite and
/// every row has |‖x_i‖₂ − 1| ≤ ``unitNormTolerance`` (the theory assumes points on the sphere).
/// CSV parsing (and `normalize: true`, which divides each row by its ``euclideanNorm(_:)``) lives
/// outside Core, in the manifest's CSV loader; build the dataset with ``init(n:d:x:y:)``.
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
                throw DatasetError(
                    "row \(i + 1): ||x|| = \(norm), but points must have unit norm "
                        + "(|‖x‖ − 1| ≤ \(Self.unitNormTolerance)); set `normalize: true` for csv data")
            }
        }
        self.n = n
        self.d = d
        self.x = x
        self.y = y
    }

    /// ‖v‖₂ = s · √(Σ_j (v_j / s)²) with s = max_j |v_j|, so finite entries neither overflow nor
    /// underflow; 0 for an all-zero v. csv data with `normalize: true` divides each row by it.
    public static func euclideanNorm(_ v: [Double]) -> Double {
        let scale = v.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return 0 }
        let sum = v.reduce(0) { $0 + ($1 / scale) * ($1 / scale) }
        return scale * sum.squareRoot()
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
