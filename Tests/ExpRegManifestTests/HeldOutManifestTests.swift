import ExpRegCore
import ExpRegManifest
import ExpRegTestSupport
import Foundation
import Testing

/// `data.test_path` (csv) and `data.test_n` (sphere): resolution, loading and run keys.
@Suite struct HeldOutManifestTests {
    @Test func sphereTestNAndCSVTestPathAreResolved() throws {
        let loaded = try ManifestFixtures.load("valid/heldout.yaml")
        let runs = loaded.plan.runs
        try #require(runs.count == 2)
        // Sphere: test_n as written; no test path.
        #expect(runs[0].config.data.testN == 16)
        #expect(runs[0].config.data.testPath == nil)
        #expect(runs[0].param("data.test_n") == .int(16))
        #expect(runs[0].param("data.test_path") == nil)
        #expect(loaded.csvTestDataset(for: runs[0]) == nil)
        // csv: the test file's rows, normalised like the training file; test_n (from defaults)
        // does not apply and is replaced by the file's row count.
        let csv = runs[1]
        #expect(csv.config.data.testPath == "data/test.csv")
        #expect(csv.config.data.testN == 3)
        #expect(csv.param("data.test_n") == .int(3))
        let test = try #require(loaded.csvTestDataset(for: csv))
        #expect(test.n == 3 && test.d == 3)
        #expect(test.y == [0.25, -0.5, 1])
        // Row 1 is (2, 1, 2) / 3: scaled to unit norm.
        #expect(Array(test.x.prefix(3)).elementsEqual([2.0 / 3, 1.0 / 3, 2.0 / 3]) { abs($0 - $1) <= 1e-15 })
        // The training data is not changed by the test file.
        #expect(try #require(loaded.csvDataset(for: csv)).n == 3)
    }

    @Test func runKeysWithoutATestSetAreUnchanged() throws {
        // The recorded keys of runkey.yaml (RunKeyTests) stay valid; here the explicit check that
        // settings that do not apply leave a key alone.
        let base = try #require(ManifestFixtures.load("valid/minimal.yaml").plan.runs.first).runKey
        let ignored = try #require(
            ManifestFixtures.load("valid/minimal.yaml", overrides: ["data.test_path=t.csv"])
                .plan.runs.first
        ).runKey
        #expect(ignored == base, "test_path does not apply to sphere data")
        let withTest = try #require(
            ManifestFixtures.load("valid/minimal.yaml", overrides: ["data.test_n=64"])
                .plan.runs.first
        ).runKey
        let otherTest = try #require(
            ManifestFixtures.load("valid/minimal.yaml", overrides: ["data.test_n=65"])
                .plan.runs.first
        ).runKey
        #expect(withTest != base)
        #expect(otherTest != withTest)
    }

    @Test func csvTestFileIsPartOfTheKeyByContentNotByPath() throws {
        let original = try ManifestFixtures.load("valid/heldout.yaml").plan.runs.map(\.runKey)
        let withoutTest = try ManifestFixtures.load("valid/csv.yaml").plan.runs[0].runKey
        let temp = TemporaryDirectory()
        let fm = FileManager.default
        try fm.copyItem(atPath: ManifestFixtures.path("valid/heldout.yaml"), toPath: temp.path + "/heldout.yaml")
        try fm.copyItem(atPath: ManifestFixtures.path("valid/data"), toPath: temp.path + "/data")
        // Moved: same keys.
        #expect(try ManifestLoader.load(path: temp.path + "/heldout.yaml").plan.runs.map(\.runKey) == original)
        // The same training file with and without a test file: different keys.
        #expect(original[1] != withoutTest)
        // Another test file (same rows, one label changed): the csv run's key changes, the sphere run's not.
        let testPath = temp.path + "/data/test.csv"
        let edited = try String(contentsOfFile: testPath, encoding: .utf8).replacingOccurrences(of: "0.25", with: "0.3")
        try edited.write(toFile: testPath, atomically: true, encoding: .utf8)
        let changed = try ManifestLoader.load(path: temp.path + "/heldout.yaml").plan.runs.map(\.runKey)
        #expect(changed[0] == original[0])
        #expect(changed[1] != original[1])
    }
}
