import ExpRegCore
import ExpRegManifest
import Foundation
import Testing

@Suite struct ValidManifestTests {
    @Test func minimalManifestGetsEveryBuiltInDefault() throws {
        let loaded = try ManifestFixtures.load("valid/minimal.yaml")
        let plan = loaded.plan
        #expect(plan.name == "minimal")
        #expect(plan.title == nil)
        #expect(plan.gates == GateConfig())
        #expect(plan.compareWith == .previous)
        #expect(plan.overrides.isEmpty)
        try #require(plan.runs.count == 1)
        let run = plan.runs[0]
        #expect(run.index == 0)
        #expect(run.experiment == "baseline")
        #expect(run.sweptKeys.isEmpty)
        #expect(run.config == RunConfig(seed: 0, data: DataConfig(), model: ModelConfig(), train: TrainConfig()))
        #expect(
            run.config.data
                == DataConfig(
                    source: .sphere, n: 64, d: 16, labels: .random, seed: 1, path: nil,
                    normalize: true))
        #expect(run.config.model == ModelConfig(activation: .exp, width: 1024, initScale: 1.0))
        #expect(
            run.config.train
                == TrainConfig(
                    steps: 2000, learningRate: .auto, targetLoss: 1e-6, logEvery: 10,
                    spectrumEvery: 200))
        // Every resolved key, dotted, sorted; data.path omitted for sphere data.
        #expect(
            run.params.map(\.key) == [
                "data.d", "data.labels", "data.n", "data.normalize", "data.seed", "data.source",
                "model.activation", "model.init_scale", "model.width", "seed",
                "train.learning_rate", "train.log_every", "train.spectrum_every", "train.steps", "train.target_loss",
            ])
        #expect(run.param("train.learning_rate") == .string("auto"))
        #expect(run.param("model.init_scale") == .double(1.0))
        #expect(run.param("model.width") == .int(1024))
        #expect(run.param("data.normalize") == .bool(true))
        #expect(run.param("train.target_loss") == .double(1e-6))
        #expect(run.runKey.count == 64)
        #expect(run.runKey.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    @Test func designExampleExpandsWithFirstSweepKeySlowest() throws {
        let loaded = try ManifestFixtures.load("valid/design-example.yaml")
        let plan = loaded.plan
        #expect(plan.name == "nightly-exp")
        #expect(plan.title == "指数活性化ネットワークの夜間検証")
        #expect(plan.gates == GateConfig(maxFinalLoss: 1e-4, maxDiverged: 0, maxRegression: 2.0))
        #expect(plan.runs.count == 9)
        #expect(plan.runs.map(\.index) == Array(0..<9))
        #expect(plan.runs.map(\.config.model.width) == [256, 256, 256, 1024, 1024, 1024, 4096, 4096, 4096])
        #expect(plan.runs.map(\.config.seed) == [0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(plan.runs.allSatisfy { $0.sweptKeys == ["model.width", "seed"] })
        #expect(plan.runs.allSatisfy { $0.experiment == "width-sweep" })
        // `path` is written in defaults but does not apply to sphere data.
        #expect(plan.runs.allSatisfy { $0.config.data.path == nil && $0.param("data.path") == nil })
        #expect(Set(plan.runs.map(\.runKey)).count == 9)
        #expect(loaded.csvDatasets.isEmpty)
        #expect(loaded.sha256.count == 64)
    }

    @Test func expansionIsDeterministic() throws {
        let first = try ManifestFixtures.load("valid/overrides.yaml")
        let second = try ManifestFixtures.load("valid/overrides.yaml")
        #expect(first.plan == second.plan)
    }

    @Test func experimentSectionsOverrideDefaults() throws {
        let plan = try ManifestFixtures.load("valid/overrides.yaml").plan
        #expect(plan.compareWith == CompareWith.none)
        #expect(plan.gates == GateConfig(maxFinalLoss: 1e-3))
        #expect(plan.experimentNames == ["exp-wide", "relu"])
        try #require(plan.runs.count == 7)
        let wide = plan.runs[0]
        #expect(
            wide.config
                == RunConfig(
                    seed: 7,
                    data: DataConfig(
                        source: .sphere, n: 32, d: 8, labels: .teacher, seed: 1, path: nil, normalize: true),
                    model: ModelConfig(activation: .exp, width: 2048, initScale: 0.5),
                    train: TrainConfig(
                        steps: 500, learningRate: .fixed(0.25), targetLoss: 1e-6, logEvery: 10,
                        spectrumEvery: 200)))
        let relu = Array(plan.runs.dropFirst())
        #expect(relu.map(\.config.data.n) == [16, 16, 16, 32, 32, 32])
        #expect(relu.map(\.config.model.width) == [128, 256, 512, 128, 256, 512])
        #expect(
            relu.allSatisfy {
                $0.config.model.activation == .relu && $0.config.train.learningRate == .auto
                    && $0.config.train.spectrumEvery == 0 && $0.config.train.steps == 500 && $0.config.seed == 7
            })
        #expect(relu.map(\.index) == Array(1...6))
    }

    @Test func mergeKeysAndAliasesAreResolved() throws {
        let plan = try ManifestFixtures.load("valid/anchors.yaml").plan
        try #require(plan.runs.count == 2)
        #expect(plan.runs[0].config.train.steps == 50)
        #expect(plan.runs[0].config.train.logEvery == 5)
        #expect(plan.runs[1].config.train.steps == 100)
        #expect(plan.runs[1].config.train.logEvery == 5)
    }

    @Test func csvPathsAreRelativeToTheManifestFolder() throws {
        let loaded = try ManifestFixtures.load("valid/csv.yaml")
        try #require(loaded.plan.runs.count == 2)
        let trainPath = URL(fileURLWithPath: ManifestFixtures.path("valid/data/train.csv"))
            .standardizedFileURL.resolvingSymlinksInPath().path
        let unitPath = URL(fileURLWithPath: ManifestFixtures.path("valid/data/unit.csv"))
            .standardizedFileURL.resolvingSymlinksInPath().path
        #expect(Set(loaded.csvDatasets.keys) == [trainPath, unitPath])
        #expect(loaded.resolvedDataPath("data/train.csv") == trainPath)

        let scaled = loaded.plan.runs[0]
        #expect(scaled.config.data.source == .csv)
        #expect(scaled.config.data.path == "data/train.csv")
        #expect(scaled.param("data.path") == .string("data/train.csv"))
        // n and d come from the file (a blank line is skipped): 3 rows of 3 values.
        #expect(scaled.config.data.n == 3)
        #expect(scaled.config.data.d == 3)
        #expect(scaled.param("data.n") == .int(3))
        let dataset = try #require(loaded.csvDataset(for: scaled))
        // Rows (1,2,2)/3, (3,0,4)/5, (0,0,-2)/2. Each entry is one correctly rounded division of
        // exact inputs by an exactly computed norm (3, 5, 2), so 1 ulp (≤ 2.3e-16 here) suffices.
        let expected: [Double] = [1.0 / 3, 2.0 / 3, 2.0 / 3, 0.6, 0, 0.8, 0, 0, -1]
        #expect(zip(dataset.x, expected).allSatisfy { abs($0 - $1) <= 2.3e-16 })
        #expect(dataset.y == [0.5, -1, 0.25])

        let unit = loaded.plan.runs[1]
        #expect(unit.config.data.normalize == false)
        let unitData = try #require(loaded.csvDataset(for: unit))
        // normalize: false uses the rows unchanged (bitwise).
        #expect(unitData.x == [0.6, 0.8, -0.8, 0.6, 1, 0])
        #expect(unitData.y == [1, -1, 0])
        #expect(loaded.csvDataset(for: try ManifestFixtures.load("valid/minimal.yaml").plan.runs[0]) == nil)
    }

    @Test func summaryListsRunsPerExperimentTotalAndWork() throws {
        let loaded = try ManifestFixtures.load("valid/design-example.yaml", overrides: ["train.steps=2000"])
        let summary = loaded.summary()
        // Σ steps·4·n·d·m = 2000·4·64·16·(256 + 1024 + 4096)·3 = 1.32e11 FLOP.
        #expect(summary.contains("width-sweep  9 runs  sweep model.width × seed (3 × 3)  ~132 GFLOP"))
        #expect(summary.contains("Total: 9 runs, 9 distinct run keys, estimated work 132 GFLOP"))
        #expect(summary.contains("Overrides (--set, applied to every run): train.steps=2000"))
        #expect(
            summary.contains("Gates: max_final_loss 0.0001, max_diverged 0, max_regression 2.0; compare with: previous")
        )
        let runLines = summary.split(separator: "\n").filter { $0.hasPrefix("  #") }
        #expect(runLines.count == 9)
        #expect(runLines[0].contains("model.width=256 seed=0  \(loaded.plan.runs[0].runKey)"))
        #expect(LoadedManifest.estimatedFLOPs(of: loaded.plan.runs[0]) == 2000 * 4 * 64 * 16 * 256)
    }

    @Test func textIsParsedWithoutAFile() throws {
        let text = "name: inline\nexperiments:\n  - name: a\n    sweep: {seed: [1, 2]}\n"
        let loaded = try ManifestLoader.parse(text: text, file: "inline.yaml", baseDirectory: "/tmp")
        #expect(loaded.plan.runs.map(\.config.seed) == [1, 2])
        #expect(loaded.path == "inline.yaml")
        #expect(loaded.text == text)
        // SHA-256 of the UTF-8 bytes (checked with `shasum -a 256`).
        #expect(loaded.sha256 == "1c94229b767056ed4f2c7c55f573c474ce4458e228b979c67e9bd6c9f8423b67")
    }
}
