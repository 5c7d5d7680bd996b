import ExpRegManifest
import Foundation
import Testing

/// `ManifestLoader` must never crash, hang or accept garbage: every input either loads or throws a
/// `ManifestError` whose diagnostics are located.
@Suite struct RobustnessTests {
    /// SplitMix64: a tiny seeded generator so that the fuzz inputs are the same on every run.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Parses `text`; returns the diagnostics (empty when it loaded).
    func diagnostics(_ text: String, overrides: [String] = []) -> [ManifestDiagnostic] {
        do {
            _ = try ManifestLoader.parse(
                text: text, file: "fuzz.yaml", baseDirectory: "/nonexistent-expreg",
                overrides: overrides)
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(state: 42)
        let alphabet = Array("name: experiments-[]{}:,&*!|>'\"#\n\t 0123456789.eE+-?%@`~\\".utf8)
        for _ in 0..<300 {
            let length = Int.random(in: 0...200, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            let found = diagnostics(String(decoding: bytes, as: UTF8.self))
            #expect(!found.isEmpty)
        }
    }

    @Test func mutatedValidManifestsNeverCrash() throws {
        let original = try String(contentsOfFile: ManifestFixtures.path("valid/overrides.yaml"), encoding: .utf8)
        var rng = SplitMix64(state: 7)
        let pieces = [":", "-", " ", "\n", "[", "]", "{", "}", "1e3", "-1", "\"", "&a", "*a", "<<: *a", "~", "\t", "x"]
        var accepted = 0
        for _ in 0..<300 {
            var characters = Array(original)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0..<characters.count, using: &rng)
                if Bool.random(using: &rng) {
                    characters.remove(at: position)
                } else {
                    characters.insert(contentsOf: pieces.randomElement(using: &rng)!, at: position)
                }
            }
            let found = diagnostics(String(characters))
            if found.isEmpty { accepted += 1 }
            // No overrides here, so every problem has a position in the manifest.
            for diagnostic in found {
                #expect(diagnostic.file == "fuzz.yaml")
                #expect(diagnostic.line != nil, "\(diagnostic)")
            }
        }
        #expect(accepted < 300)
    }

    @Test(arguments: [
        "",
        "   \n# nothing\n",
        "42",
        "- a\n- b\n",
        "name: [a]\nexperiments: [{name: a}]\n",
        "name: a\nexperiments: {name: a}\n",
        "name: a\nexperiments:\n  - name: a\n    model: {width: 99999999999999999999999999999}\n",
        "name: a\nexperiments:\n  - name: a\n    model: {width: 1e308, init_scale: 1e999}\n",
        "name: a\nexperiments:\n  - name: a\n    train: {steps: 1.0e3, learning_rate: .inf}\n",
        "name: a\nexperiments:\n  - name: a\n    seed: 0x1p3\n",
        "name: a\nexperiments:\n  - name: a\n    model: {width: !!str 5}\n",
        "name: a\nexperiments:\n  - {? [x, y] : 1, name: b}\n",
        "name: a\nexperiments:\n  - name: b\n    model:\n      <<: 5\n",
        "name: a\nexperiments:\n  - name: b\n    model:\n      <<: [*x]\n",
        "name: a\nx: &x [*x]\nexperiments: [{name: b}]\n",
        "name: a\u{0}\nexperiments: [{name: b}]\n",
        "name: a\n---\n---\n",
        "name: a\nexperiments:\n  - name: b\n    sweep: {seed: [[1, 2], {a: 1}, ~]}\n",
        "%YAML 1.1\n--- !!map\nname: a\n",
        "name: a\nexperiments: [{name: b, data: {source: csv, path: \"\\0\"}}]\n",
        "name: a\nexperiments: [{name: b, data: {source: csv, path: /}}]\n",
    ])
    func edgeCasesAreRejectedWithPositions(_ text: String) {
        let found = diagnostics(text)
        #expect(!found.isEmpty, "accepted: \(text.debugDescription)")
        #expect(found.allSatisfy { $0.line != nil }, "\(found)")
    }

    @Test func aliasesAndLocalTagsAreAccepted() throws {
        // An alias reuses a list; a local tag does not change how a plain scalar reads.
        let text =
            "name: a\nexperiments:\n  - name: b\n    model: {width: !custom 5}\n    sweep: {seed: &s [1, 2], data.seed: *s}\n"
        let runs = try ManifestLoader.parse(text: text, baseDirectory: "/tmp").plan.runs
        #expect(runs.map(\.config.seed) == [1, 1, 2, 2])
        #expect(runs.map(\.config.data.seed) == [1, 2, 1, 2])
        #expect(runs.allSatisfy { $0.config.model.width == 5 })
    }

    @Test func deepNestingIsRejected() {
        let depth = 20_000
        let text =
            "name: a\nexperiments: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let found = diagnostics(text)
        #expect(found.count == 1)
        #expect(found.first?.line == 2)
    }

    @Test func aliasBombIsCheap() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...12 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        text += "name: bomb\nexperiments:\n  - name: b\n    sweep: {seed: *a12}\n"
        let start = Date()
        let found = diagnostics(text)
        #expect(!found.isEmpty)
        #expect(Date().timeIntervalSince(start) < 2, "took \(Date().timeIntervalSince(start)) s")
    }

    @Test func oversizedManifestIsRejected() {
        let text = "name: a\n#" + String(repeating: "x", count: 1 << 20) + "\n"
        let found = diagnostics(text)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("more than the limit") == true)
    }

    @Test func specialFilesAreNotRead() {
        let found = diagnostics("name: a\nexperiments: [{name: b, data: {source: csv, path: /dev/zero}}]\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("not a regular file") == true)
        #expect(found.first?.line == 2)
    }

    @Test func largePlansExpandQuicklyAndTheRunLimitHolds() throws {
        func manifest(_ a: Int, _ b: Int) -> String {
            let first = (1...a).map(String.init).joined(separator: ", ")
            let second = (1...b).map(String.init).joined(separator: ", ")
            return
                "name: big\nexperiments:\n  - name: b\n    sweep:\n      seed: [\(first)]\n      data.seed: [\(second)]\n"
        }
        let start = Date()
        let plan = try ManifestLoader.parse(text: manifest(50, 50), baseDirectory: "/tmp").plan
        let seconds = Date().timeIntervalSince(start)
        #expect(plan.runs.count == 2500)
        #expect(Set(plan.runs.map(\.runKey)).count == 2500)
        // About 0.8 s in a debug build on a loaded 2-core machine; the bound only catches blow-ups.
        #expect(seconds < 10, "took \(seconds) s")
        // 101 × 100 = 10100 runs is rejected before anything is expanded.
        let over = diagnostics(manifest(101, 100))
        #expect(over.count == 1)
        #expect(over.first?.message.contains("more than 10000 runs (101 × 100)") == true)
        #expect(over.first?.line == 5)
    }

    @Test func missingManifestFileIsAnError() {
        do {
            _ = try ManifestLoader.load(path: "/nonexistent/expreg/manifest.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.description.contains("cannot read the manifest: no such file"))
        }
    }
}
