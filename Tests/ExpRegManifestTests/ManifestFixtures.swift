import ExpRegManifest
import ExpRegTestSupport
import Foundation

/// Paths of the manifest fixtures and a loader that makes diagnostics independent of the checkout.
enum ManifestFixtures {
    /// `Tests/Fixtures/manifests`.
    static let root = Fixtures.directory.appendingPathComponent("manifests")

    /// `Tests/Fixtures/manifests/<relative>` as a path.
    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// Loads `relative` (e.g. `valid/minimal.yaml`) through the public entry point.
    static func load(_ relative: String, overrides: [String] = []) throws(ManifestError) -> LoadedManifest {
        try ManifestLoader.load(path: path(relative), overrides: overrides)
    }

    /// The error's description with the absolute fixtures folder removed (`invalid/x.yaml:3:4: …`).
    static func portable(_ text: String) -> String {
        text.replacingOccurrences(of: root.path + "/", with: "")
    }

    /// `--set` arguments from a first line `# args: --set K=V --set K2=V2`.
    static func overrides(inManifest text: String) -> [String] {
        guard let first = text.split(separator: "\n").first, first.hasPrefix("# args:") else { return [] }
        let words = first.dropFirst("# args:".count).split(separator: " ").map(String.init)
        var result: [String] = []
        var index = 0
        while index < words.count {
            if words[index] == "--set", index + 1 < words.count {
                result.append(words[index + 1])
                index += 2
            } else {
                index += 1
            }
        }
        return result
    }
}
