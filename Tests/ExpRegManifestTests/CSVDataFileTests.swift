import ExpRegCore
import ExpRegManifest
import Testing

@Suite struct CSVDataFileTests {
    func load(_ text: String, normalize: Bool = true) throws(ManifestError) -> CSVDataFile {
        try CSVDataFile(bytes: Array(text.utf8), displayName: "d.csv", normalize: normalize)
    }

    func problems(_ text: String, normalize: Bool = true) -> [String] {
        do {
            _ = try load(text, normalize: normalize)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func acceptsBOMCRLFSpacesAndBlankLines() throws {
        let file = try load("\u{FEFF}x1,x2,y\r\n 0.6 ,\t0.8, 1e0\r\n\r\n-1,0,-2.5\n")
        #expect(file.dataset.n == 2)
        #expect(file.dataset.d == 2)
        // (0.6, 0.8) has norm 1 up to rounding; dividing by it moves each entry by at most a few ulps.
        #expect(abs(file.dataset.x[0] - 0.6) <= 4e-16 && abs(file.dataset.x[1] - 0.8) <= 4e-16)
        #expect(Array(file.dataset.x[2...]) == [-1, 0])
        #expect(file.dataset.y == [1, -2.5])
    }

    @Test func hashesTheFileBytes() throws {
        // `printf 'x1,y\n1,2\n' | sha256sum`
        #expect(try load("x1,y\n1,2\n").sha256 == "51af6c042da08fad961fafa93a97929108dea112c12ee4b338631970b905654f")
    }

    @Test func normalizesHugeAndTinyRowsWithoutOverflow() throws {
        let file = try load("x1,x2,y\n1e200,1e200,0\n3e-200,4e-200,0\n")
        // 1/sqrt(2) and (0.6, 0.8) to within a few ulps: the norm is computed after scaling by max|x|.
        #expect(abs(file.dataset.x[0] - 0.5.squareRoot()) <= 4e-16)
        #expect(abs(file.dataset.x[1] - 0.5.squareRoot()) <= 4e-16)
        #expect(abs(file.dataset.x[2] - 0.6) <= 4e-16 && abs(file.dataset.x[3] - 0.8) <= 4e-16)
    }

    @Test func rejectsBadHeaders() {
        #expect(problems("") == ["d.csv:1:1: error: empty file; expected a header `x1,...,xd,y` and at least one row"])
        #expect(
            problems("y\n1\n") == [
                "d.csv:1:1: error: expected a header `x1,...,xd,y` with at least one x column, found `y`"
            ])
        #expect(
            problems("x1,x3,y\n1,2,3\n") == [
                "d.csv:1:4: error: header column 2: expected `x2`, found `x3` (the header must be exactly x1,x2,y)"
            ])
        #expect(
            problems("X1,y\n1,2\n").first?.hasPrefix("d.csv:1:1: error: header column 1: expected `x1`, found `X1`")
                == true)
    }

    @Test func rejectsNonDecimalAndNonFiniteNumbers() {
        let found = problems("x1,y\n0x10,1\nnan,1\ninf,1\n1e400,1\n,1\n")
        #expect(
            found == [
                "d.csv:2:1: error: expected a number, found `0x10`",
                "d.csv:3:1: error: expected a number, found `nan`",
                "d.csv:4:1: error: expected a number, found `inf`",
                "d.csv:5:1: error: expected a finite number, found `1e400` (overflows a double)",
                "d.csv:6:1: error: expected a number, found ``",
            ])
    }

    @Test func unitNormIsRequiredWithoutNormalize() {
        #expect(problems("x1,x2,y\n0.6,0.8,1\n", normalize: false).isEmpty)
        // |‖x‖ − 1| = 5e-7 is within the 1e-6 tolerance; 2e-6 is not.
        #expect(problems("x1,y\n1.0000005,1\n", normalize: false).isEmpty)
        #expect(problems("x1,y\n1.000002,1\n", normalize: false).count == 1)
        #expect(
            problems("x1,y\n0,1\n", normalize: true) == [
                "d.csv:2:1: error: all x values of this row are zero; it cannot be scaled to unit norm (remove the row)"
            ])
    }

    @Test func reportsAtMost20ProblemsPerFile() {
        let rows = (0..<30).map { _ in "a,1" }.joined(separator: "\n")
        let found = problems("x1,y\n" + rows + "\n")
        #expect(found.count == 21)
        #expect(found.last?.contains("10 more problem(s) in this file not shown") == true)
    }

    @Test func missingFileHasNoPosition() {
        do {
            _ = try CSVDataFile.load(path: "/nonexistent/expreg/x.csv", displayName: "x.csv", normalize: true)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics.first?.line == nil)
            #expect(error.description.contains("no such file"))
        }
    }
}
