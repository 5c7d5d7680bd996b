import ExpRegCore
import ExpRegManifest
import Foundation

extension LoadedManifest {
    /// The validated csv dataset of a `source: csv` run (path relative to the manifest's folder).
    func dataset(for spec: RunSpec) -> Dataset? {
        guard let path = spec.config.data.path else { return nil }
        let base = URL(fileURLWithPath: baseDirectory, isDirectory: true)
        let url = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL
        return csvDatasets[url.path] ?? csvDatasets[url.resolvingSymlinksInPath().path]
    }
}
