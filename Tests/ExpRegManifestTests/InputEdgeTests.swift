import ExpRegCore
import ExpRegManifest
import Foundation
import Testing

/// Inputs the theory cannot take are named; a byte-order mark is not an error.
@Suite struct InputEdgeTests {
    static let plain = "name: bom-manifest\nexperiments:\n  - name: a\n    data: {n: 8, d: 4}\n    model: {width: 16}\n"

    @Test func aManifestWithAUTF8ByteOrderMarkIsValidAndPlansTheSameRuns() throws {
        let withBOM = try ManifestLoader.parse(text: "\u{FEFF}" + Self.plain, baseDirectory: ".")
        let without = try ManifestLoader.parse(text: Self.plain, baseDirectory: ".")
        #expect(withBOM.plan.name == "bom-manifest")
        #expect(withBOM.plan.runs.map(\.runKey) == without.plan.runs.map(\.runKey))
        #expect(withBOM.text.unicodeScalars.first == "\u{FEFF}", "the archived text keeps the file as written")
    }

    @Test func aBOMManifestFileLoads() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/bom.yaml"
        try Data([0xEF, 0xBB, 0xBF] + Array(Self.plain.utf8)).write(to: URL(fileURLWithPath: path))
        #expect(try ManifestLoader.load(path: path).plan.runs.count == 1)
    }

    @Test func duplicateAndProportionalRowsAreNamedWithBothLines() throws {
        let error = try #require(throws: ManifestError.self) {
            try CSVDataFile(
                bytes: Array("x1,x2,y\n1,2,0\n3,1,0\n2,4,1\n3,1,5\n1,2,0\n0.5,1.0,0\n-1,-2,0\n".utf8),
                displayName: "d.csv", normalize: true)
        }
        let lines = error.diagnostics.map(\.description)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines[0].hasPrefix("d.csv:4:1: error: this row has the same x as line 2 after scaling to unit norm"))
        #expect(lines[1].hasPrefix("d.csv:5:1: error: this row has the same x as line 3"))
        #expect(lines[2].hasPrefix("d.csv:6:1: error: this row has the same x as line 2"))
        #expect(lines[3].hasPrefix("d.csv:7:1: error: this row has the same x as line 2"))
        // -x is another point (antipodal), not a duplicate.
        #expect(!lines.contains { $0.hasPrefix("d.csv:8:") })
    }

    @Test func withoutNormalisationOnlyEqualRowsAreDuplicates() throws {
        #expect(throws: ManifestError.self) {
            try CSVDataFile(
                bytes: Array("x1,x2,y\n0.6,0.8,1\n0.6,0.8,2\n".utf8), displayName: "d.csv", normalize: false)
        }
        let distinct = try CSVDataFile(
            bytes: Array("x1,x2,y\n0.6,0.8,1\n0.8,0.6,2\n".utf8), displayName: "d.csv", normalize: false)
        #expect(distinct.dataset.n == 2)
    }
}

/// A temporary folder removed on deinit.
final class TemporaryFolder {
    let path: String
    init() {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("expreg-manifest-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
