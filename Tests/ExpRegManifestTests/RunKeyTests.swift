import ExpRegCore
import ExpRegManifest
import ExpRegTestSupport
import Foundation
import Testing

@Suite struct RunKeyTests {
    static let expectedURL = ManifestFixtures.root.appendingPathComponent("valid/runkey.expected")

    static func keyLines(_ plan: Plan) -> String {
        plan.runs.map { "\($0.index) \($0.experiment) \($0.runKey)" }.joined(separator: "\n") + "\n"
    }

    /// Keys of a fixed manifest equal the ones recorded when the fixture was generated; a change
    /// here changes every archived run's identity (regression comparisons, --resume), so it must be
    /// deliberate (set EXPREG_REGENERATE_EXPECT=1 to rewrite the record).
    @Test func keysOfAFixedManifestAreStable() throws {
        let plan = try ManifestFixtures.load("valid/runkey.yaml").plan
        let actual = Self.keyLines(plan)
        if ProcessInfo.processInfo.environment["EXPREG_REGENERATE_EXPECT"] == "1" {
            try actual.write(to: Self.expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.expectedURL, encoding: .utf8)
        #expect(actual == expected)
        #expect(plan.runs.count == 5)
    }

    @Test func everyTrainingParameterChangesTheKey() throws {
        let base = try #require(ManifestFixtures.load("valid/minimal.yaml").plan.runs.first).runKey
        let changes = [
            "seed=5", "data.n=32", "data.d=8", "data.labels=teacher", "data.seed=2", "model.activation=relu",
            "model.width=512", "model.init_scale=0.5", "train.steps=100", "train.learning_rate=0.1",
            "train.target_loss=0", "train.log_every=5", "train.spectrum_every=0",
        ]
        var keys: Set<String> = [base]
        for change in changes {
            let key = try #require(ManifestFixtures.load("valid/minimal.yaml", overrides: [change]).plan.runs.first)
                .runKey
            #expect(key != base, "\(change) did not change the run key")
            keys.insert(key)
        }
        #expect(keys.count == changes.count + 1)
    }

    @Test func settingsThatDoNotApplyKeepTheKey() throws {
        let base = try #require(ManifestFixtures.load("valid/minimal.yaml").plan.runs.first).runKey
        // Sphere data ignores path and normalize; 1 and 1.0 are the same number; an explicit
        // default equals the built-in one.
        for same in [
            "data.path=other.csv", "data.normalize=false", "model.init_scale=1", "train.steps=2000",
            "train.target_loss=1.0e-6",
        ] {
            let key = try #require(ManifestFixtures.load("valid/minimal.yaml", overrides: [same]).plan.runs.first)
                .runKey
            #expect(key == base, "\(same) changed the run key")
        }
    }

    @Test func identicalConfigsInDifferentExperimentsShareAKey() throws {
        let text = """
            name: twins
            experiments:
              - name: a
                model: {width: 64}
              - name: b
                model: {width: 64, init_scale: 1}
                sweep: {seed: [0, 1]}
            """
        let runs = try ManifestLoader.parse(text: text, baseDirectory: "/tmp").plan.runs
        #expect(runs.count == 3)
        #expect(runs[0].runKey == runs[1].runKey)
        #expect(runs[0].runKey != runs[2].runKey)
        #expect(runs.map(\.experiment) == ["a", "b", "b"])
    }

    @Test func csvKeysFollowFileContentsNotLocation() throws {
        let original = try ManifestFixtures.load("valid/csv.yaml").plan.runs.map(\.runKey)
        // Move the manifest and its data elsewhere: same keys.
        let temp = TemporaryDirectory()
        let fm = FileManager.default
        try fm.copyItem(atPath: ManifestFixtures.path("valid/csv.yaml"), toPath: temp.path + "/csv.yaml")
        try fm.copyItem(atPath: ManifestFixtures.path("valid/data"), toPath: temp.path + "/data")
        let moved = try ManifestLoader.load(path: temp.path + "/csv.yaml").plan.runs.map(\.runKey)
        #expect(moved == original)
        // Change one value in the file: that run's key changes, the other's does not.
        let trainPath = temp.path + "/data/train.csv"
        let edited = try String(contentsOfFile: trainPath, encoding: .utf8).replacingOccurrences(
            of: "0.5", with: "0.75")
        try edited.write(toFile: trainPath, atomically: true, encoding: .utf8)
        let changed = try ManifestLoader.load(path: temp.path + "/csv.yaml").plan.runs.map(\.runKey)
        #expect(changed[0] != original[0])
        #expect(changed[1] == original[1])
    }
}
