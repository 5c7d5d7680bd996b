import ExpRegCore
import ExpRegManifest
import Testing

@Suite struct OverrideTests {
    @Test func setIsAppliedAfterSweepsAndRecorded() throws {
        let overrides = ["model.width=64", "train.steps=10"]
        let loaded = try ManifestFixtures.load("valid/design-example.yaml", overrides: overrides)
        #expect(loaded.plan.overrides == overrides)
        #expect(loaded.plan.runs.count == 9)
        #expect(loaded.plan.runs.allSatisfy { $0.config.model.width == 64 && $0.config.train.steps == 10 })
        // The sweep still varies the seed; widths now coincide, so runs with the same seed share a key.
        #expect(loaded.plan.runs.map(\.config.seed) == [0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(Set(loaded.plan.runs.map(\.runKey)).count == 3)
        #expect(loaded.plan.runs[0].runKey == loaded.plan.runs[3].runKey)
    }

    @Test func laterSetWinsAndValuesAreYAMLScalars() throws {
        let loaded = try ManifestFixtures.load(
            "valid/minimal.yaml",
            overrides: [
                "train.steps=10", "train.steps=20", "model.init_scale=1e-1", "train.learning_rate=0.5",
                "data.labels=teacher", "seed=18446744073709551615", "data.normalize=false",
            ])
        let run = try #require(loaded.plan.runs.first)
        #expect(run.config.train.steps == 20)
        #expect(run.config.model.initScale == 0.1)
        #expect(run.config.train.learningRate == .fixed(0.5))
        #expect(run.config.data.labels == .teacher)
        #expect(run.config.seed == UInt64.max)
        // ParamValue has no unsigned case: seeds above Int.max are written as decimal strings.
        #expect(run.param("seed") == .string("18446744073709551615"))
        #expect(run.param("train.learning_rate") == .double(0.5))
    }

    @Test func setDataPathIsRelativeToTheManifest() throws {
        let loaded = try ManifestFixtures.load(
            "valid/csv.yaml",
            overrides: ["data.path=data/unit.csv", "data.normalize=false"])
        #expect(loaded.plan.runs.allSatisfy { $0.config.data.path == "data/unit.csv" && $0.config.data.n == 3 })
        #expect(loaded.csvDatasets.count == 1)
    }

    @Test func setErrorsNameTheOverride() {
        do {
            _ = try ManifestFixtures.load("valid/minimal.yaml", overrides: ["model.width=0"])
            Issue.record("accepted width 0")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics.first?.file == "--set")
            #expect(error.diagnostics.first?.keyPath == "model.width")
            #expect(error.description.contains("given as `--set model.width=0`"))
        }
    }

    @Test func setErrorsAndManifestErrorsAreReportedTogether() {
        do {
            _ = try ManifestLoader.parse(
                text: "name: x\nexperiments:\n  - name: a\n    model: {width: 0}\n",
                baseDirectory: "/tmp", overrides: ["train.stesp=4"])
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.file) == ["manifest.yaml", "--set"])
            #expect(error.diagnostics.last?.suggestion == "did you mean `train.steps`?")
        }
    }
}
