import ExpRegCore
import ExpRegDigest
import Foundation

/// A validated `source: csv` data file: the ``Dataset`` it yields and the SHA-256 of its bytes.
///
/// Format: a header line that is exactly `x1,x2,...,xd,y` (d ≥ 1), then one or more rows of d + 1
/// decimal numbers (`-0.5`, `1e-3`; no `nan`/`inf`, no hex), every value finite. Spaces around
/// values, blank lines, `\r\n` line ends and a UTF-8 byte-order mark are accepted.
/// With `normalize: true` every row's x is scaled to unit Euclidean norm (an all-zero x is an error);
/// with `normalize: false` every row must already satisfy |‖x‖ − 1| ≤ `Dataset.unitNormTolerance`
/// (1e-6) and is used unchanged.
/// y is never scaled. Two rows with the same x (after normalisation: within 1e-12 per entry, e.g.
/// `1,2` and `2,4`) are an error naming both lines: they make H* singular (λ* = 0), which the
/// theory cannot take.
///
/// Every problem is reported (up to 20 per file) as `FILE:LINE:COLUMN` (1-based, line of the file).
public struct CSVDataFile: Sendable {
    /// The rows (n × d, row-major) and labels.
    public let dataset: Dataset
    /// SHA-256 (lowercase hex) of the file's bytes; part of the run_key instead of the path.
    public let sha256: String

    /// Most problems reported for one file before a final "N more" diagnostic.
    static let problemLimit = 20

    /// Reads and validates the file at `path`.
    ///
    /// - Parameters:
    ///   - path: file system path to read.
    ///   - displayName: the name diagnostics use (e.g. the path relative to the working folder).
    ///   - normalize: scale rows to unit norm (true) or require unit norm (false).
    /// - Throws: ``ManifestError`` with every problem found (a missing or unreadable file has no
    ///   line/column).
    /// - Complexity: O(n·d) in the size of the file.
    public static func load(path: String, displayName: String, normalize: Bool) throws(ManifestError) -> CSVDataFile {
        switch FileBytes.read(path, limit: ManifestLimits.maxDataFileBytes) {
        case .failure(let problem):
            throw ManifestError([
                ManifestDiagnostic(
                    file: displayName, line: nil, column: nil, keyPath: nil,
                    message: problem.message, suggestion: nil)
            ])
        case .success(let bytes):
            return try CSVDataFile(bytes: bytes, displayName: displayName, normalize: normalize)
        }
    }

    /// Parses and validates CSV bytes (see the type's documentation for the format).
    ///
    /// - Throws: ``ManifestError`` with every problem found, each at `displayName:LINE:COLUMN`.
    /// - Complexity: O(n·d) in the size of the input.
    public init(bytes: [UInt8], displayName: String, normalize: Bool) throws(ManifestError) {
        var parser = CSVParser(bytes: bytes, file: displayName, normalize: normalize)
        guard let (n, d, x, y) = parser.parse() else { throw ManifestError(parser.diagnostics()) }
        do {
            dataset = try Dataset(n: n, d: d, x: x, y: y)
        } catch {
            throw ManifestError([
                ManifestDiagnostic(
                    file: displayName, line: nil, column: nil, keyPath: nil,
                    message: "invalid data: \(error.message)", suggestion: nil)
            ])
        }
        sha256 = SHA256Digest.hex(bytes)
    }
}

/// The line-by-line reader behind ``CSVDataFile``.
private struct CSVParser {
    let bytes: [UInt8]
    let file: String
    let normalize: Bool
    private var problems: [ManifestDiagnostic] = []
    private var extraProblems = 0

    init(bytes: [UInt8], file: String, normalize: Bool) {
        self.bytes = bytes
        self.file = file
        self.normalize = normalize
    }

    /// One value of a line: its bytes (trimmed) and its 1-based column.
    struct Field {
        var text: Substring
        var column: Int
    }

    mutating func report(line: Int, column: Int, _ message: String, suggestion: String? = nil) {
        if problems.count >= CSVDataFile.problemLimit {
            extraProblems += 1
        } else {
            problems.append(
                ManifestDiagnostic(
                    file: file, line: line, column: column, keyPath: nil,
                    message: message, suggestion: suggestion))
        }
    }

    func diagnostics() -> [ManifestDiagnostic] {
        guard extraProblems > 0 else { return problems }
        let last = problems.last
        return problems + [
            ManifestDiagnostic(
                file: file, line: last?.line, column: last?.column, keyPath: nil,
                message: "\(extraProblems) more problem(s) in this file not shown",
                suggestion: nil)
        ]
    }

    /// Splits the input into (line number, line bytes without the line end).
    private func lines() -> [(number: Int, text: ArraySlice<UInt8>)] {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        var result: [(Int, ArraySlice<UInt8>)] = []
        var number = 1
        var lineStart = start
        for i in start..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            result.append((number, bytes[lineStart..<i]))
            number += 1
            lineStart = i + 1
        }
        if lineStart < bytes.count { result.append((number, bytes[lineStart..<bytes.count])) }
        return result.map { entry in
            var text = entry.1
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            return (entry.0, text)
        }
    }

    private static func isBlank(_ text: ArraySlice<UInt8>) -> Bool {
        text.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    /// The comma-separated values of a line, trimmed of spaces and tabs.
    private static func fields(_ text: ArraySlice<UInt8>) -> [Field] {
        var result: [Field] = []
        var column = 1
        var current: [UInt8] = []
        var currentColumn = 1
        func flush() {
            var lead = 0
            while lead < current.count, current[lead] == UInt8(ascii: " ") || current[lead] == UInt8(ascii: "\t") {
                lead += 1
            }
            var trail = current.count
            while trail > lead, current[trail - 1] == UInt8(ascii: " ") || current[trail - 1] == UInt8(ascii: "\t") {
                trail -= 1
            }
            let value = String(decoding: current[lead..<trail], as: UTF8.self)
            result.append(Field(text: Substring(value), column: currentColumn + lead))
        }
        for byte in text {
            if byte == UInt8(ascii: ",") {
                flush()
                current = []
                currentColumn = column + 1
            } else {
                current.append(byte)
            }
            column += 1
        }
        flush()
        return result
    }

    /// The dataset's n, d, x (row-major), y; nil after reporting problems.
    mutating func parse() -> (Int, Int, [Double], [Double])? {
        let allLines = lines().filter { !Self.isBlank($0.text) }
        guard let header = allLines.first else {
            report(line: 1, column: 1, "empty file; expected a header `x1,...,xd,y` and at least one row")
            return nil
        }
        let names = Self.fields(header.text)
        let d = names.count - 1
        guard d >= 1 else {
            report(
                line: header.number, column: 1,
                "expected a header `x1,...,xd,y` with at least one x column, found `\(ScalarText.clipped(String(names.first?.text ?? "")))`"
            )
            return nil
        }
        for (index, field) in names.enumerated() {
            let expected = index == d ? "y" : "x\(index + 1)"
            if field.text != expected {
                report(
                    line: header.number, column: field.column,
                    "header column \(index + 1): expected `\(expected)`, found `\(ScalarText.clipped(String(field.text)))`",
                    suggestion: "the header must be exactly \(Self.header(d: d))")
                return nil
            }
        }
        guard d <= ManifestLimits.maxDimension else {
            report(
                line: header.number, column: 1,
                "\(d) x columns, more than the limit of \(ManifestLimits.maxDimension)")
            return nil
        }
        let rows = allLines.dropFirst()
        guard !rows.isEmpty else {
            report(
                line: header.number + 1, column: 1,
                "no data rows; expected at least one row of \(d + 1) numbers after the header")
            return nil
        }
        guard rows.count <= ManifestLimits.maxPoints else {
            let row = rows[rows.startIndex + ManifestLimits.maxPoints]
            report(
                line: row.number, column: 1,
                "more than \(ManifestLimits.maxPoints) data rows (the limit of n); found \(rows.count)")
            return nil
        }
        var x: [Double] = []
        var y: [Double] = []
        x.reserveCapacity(rows.count * d)
        y.reserveCapacity(rows.count)
        var ok = true
        var rowLines: [Int] = []
        rowLines.reserveCapacity(rows.count)
        for row in rows {
            let values = Self.fields(row.text)
            guard values.count == d + 1 else {
                let column = values.count > d + 1 ? values[d + 1].column : row.text.count + 1
                report(
                    line: row.number, column: column,
                    "expected \(d + 1) values (x1..x\(d), y) as in the header, found \(values.count)")
                ok = false
                continue
            }
            var numbers: [Double] = []
            numbers.reserveCapacity(d + 1)
            var rowOK = true
            for field in values {
                guard ScalarText.isFloatLiteral(field.text), let value = Double(field.text) else {
                    report(
                        line: row.number, column: field.column,
                        "expected a number, found `\(ScalarText.clipped(String(field.text)))`")
                    rowOK = false
                    continue
                }
                guard value.isFinite else {
                    report(
                        line: row.number, column: field.column,
                        "expected a finite number, found `\(ScalarText.clipped(String(field.text)))` (overflows a double)"
                    )
                    rowOK = false
                    continue
                }
                numbers.append(value)
            }
            guard rowOK else {
                ok = false
                continue
            }
            var features = Array(numbers[0..<d])
            let norm = Dataset.euclideanNorm(features)
            if normalize {
                guard norm > 0, norm.isFinite else {
                    report(
                        line: row.number, column: 1,
                        "all x values of this row are zero; it cannot be scaled to unit norm",
                        suggestion: "remove the row")
                    ok = false
                    continue
                }
                for j in 0..<d { features[j] /= norm }
            } else if !(abs(norm - 1) <= Dataset.unitNormTolerance) {
                report(
                    line: row.number, column: 1,
                    "this row has ‖x‖ = \(norm), but data.normalize is false, which requires |‖x‖ − 1| ≤ 1e-6",
                    suggestion: "set `normalize: true` under `data:` or normalise the file")
                ok = false
                continue
            }
            x.append(contentsOf: features)
            y.append(numbers[d])
            rowLines.append(row.number)
        }
        guard ok else { return nil }
        reportDuplicates(x: x, d: d, lines: rowLines)
        return problems.isEmpty ? (y.count, d, x, y) : nil
    }

    /// Entries closer than this (after normalisation) count as equal.
    static let duplicateTolerance = 1e-12

    /// Reports every row whose x equals an earlier row's (each entry within
    /// ``duplicateTolerance``), naming the earlier line. Rows are bucketed by their entries rounded
    /// to a 1e-9 grid, so the check is O(n·d) expected; a pair straddling a grid boundary in some
    /// entry (farther than 1e-9 from equal in practice never) is not compared.
    private mutating func reportDuplicates(x: [Double], d: Int, lines: [Int]) {
        var buckets: [[Int64]: [Int]] = [:]
        for row in 0..<lines.count {
            let entries = x[(row * d)..<(row * d + d)]
            let key = entries.map { Int64(($0 * 1e9).rounded()) }
            let twin = buckets[key, default: []].first { other in
                zip(entries, x[(other * d)..<(other * d + d)]).allSatisfy { abs($0 - $1) <= Self.duplicateTolerance }
            }
            if let twin {
                report(
                    line: lines[row], column: 1,
                    "this row has the same x as line \(lines[twin])\(normalize ? " after scaling to unit norm" : ""): "
                        + "duplicate points make H* singular (λ* = 0), which the theory excludes",
                    suggestion: "remove one of the two rows")
            } else {
                buckets[key, default: []].append(row)
            }
        }
    }

    /// `x1,x2,y` for small d, else `x1,x2,...,x40,y`.
    static func header(d: Int) -> String {
        d <= 4 ? ((1...d).map { "x\($0)" } + ["y"]).joined(separator: ",") : "x1,x2,...,x\(d),y"
    }
}
