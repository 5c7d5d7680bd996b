import Foundation

/// Opens PDFs with Debian's poppler-utils (`pdfinfo`, `pdffonts`, `pdftotext`, `pdftoppm`), the
/// way a reader's tools would; `make test` installs them (Makefile `TEST_APT_PACKAGES`).
public enum PDFInspection {
    /// A poppler tool that is missing or failed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `tool` with `arguments`, returns its stdout; throws when it is not installed or exits non-zero.
    public static func run(_ tool: String, _ arguments: [String]) throws -> String {
        guard
            let binary = ["/usr/bin", "/usr/local/bin", "/bin"].map({ "\($0)/\(tool)" })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw Failure(description: "\(tool) is not installed: `make test-deps` installs poppler-utils")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let folder = TemporaryDirectory(prefix: "expreg-poppler")
        let out = folder.url.appendingPathComponent("stdout")
        let err = folder.url.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            throw Failure(
                description:
                    "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(stderr)")
        }
        return stdout
    }

    /// `pdfinfo` fields, e.g. `Pages` → `1`, `Page size` → `595.276 x 841.89 pts (A4)`.
    public static func info(_ path: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for line in try run("pdfinfo", [path]).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// One `pdffonts` row.
    public struct Font: Equatable {
        public var name: String
        public var type: String
        public var embedded: Bool
        public var hasUnicodeMap: Bool
    }

    /// The fonts `pdffonts` lists (the columns from the right: object id, generation, uni, sub, emb).
    public static func fonts(_ path: String) throws -> [Font] {
        try run("pdffonts", [path]).split(separator: "\n").dropFirst(2).compactMap { line in
            let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard columns.count >= 7 else { return nil }
            let n = columns.count
            return Font(
                name: columns[0], type: columns[1..<(n - 6)].joined(separator: " "),
                embedded: columns[n - 5] == "yes", hasUnicodeMap: columns[n - 3] == "yes")
        }
    }

    /// The text of the document (`pdftotext -enc UTF-8`), pages separated by form feeds.
    public static func text(_ path: String) throws -> String {
        try run("pdftotext", ["-enc", "UTF-8", path, "-"])
    }

    /// A word's box on its page, in points (origin top-left).
    public struct Word: Equatable {
        public var page: Int
        public var text: String
        public var xMin: Double, yMin: Double, xMax: Double, yMax: Double
    }

    /// Every word with its box (`pdftotext -bbox`), page numbers from 1.
    public static func words(_ path: String) throws -> [Word] {
        let html = try run("pdftotext", ["-bbox", "-enc", "UTF-8", path, "-"])
        var words: [Word] = []
        var page = 0
        for line in html.split(separator: "\n") {
            if line.contains("<page ") {
                page += 1
                continue
            }
            guard line.contains("<word "), let open = line.range(of: ">"), let close = line.range(of: "</word>") else {
                continue
            }
            func attribute(_ name: String) -> Double {
                guard let start = line.range(of: "\(name)=\"") else { return .nan }
                let rest = line[start.upperBound...]
                return Double(rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)]) ?? .nan
            }
            words.append(
                Word(
                    page: page, text: String(line[open.upperBound..<close.lowerBound]),
                    xMin: attribute("xMin"), yMin: attribute("yMin"),
                    xMax: attribute("xMax"), yMax: attribute("yMax")))
        }
        return words
    }

    /// Renders page `page` (from 1) to a PNG at `dpi` with `pdftoppm`; returns the PNG's path in `folder`.
    public static func renderPage(_ path: String, page: Int = 1, dpi: Int = 50, into folder: URL) throws -> String {
        let stem = folder.appendingPathComponent("page").path
        _ = try run(
            "pdftoppm", ["-f", String(page), "-l", String(page), "-r", String(dpi), "-png", "-singlefile", path, stem])
        return stem + ".png"
    }

    /// `text` without any whitespace (wrapping and layout spaces differ between a PDF and its source).
    public static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }
}
