import ExpRegCore
import ExpRegDigest
import Foundation

/// The stable identity of a run: SHA-256 (lowercase hex) of a canonical JSON object holding the
/// resolved configuration that determines training, plus ``Trainer/algorithmVersion``.
///
/// Members (dotted names, sorted bytewise, see ``CanonicalJSON``):
/// - always: `algorithm_version`, `seed`, `data.source`, `data.n`, `data.d`, every `model.*` and
///   every `train.*` key (`train.learning_rate` is `"auto"` or a number);
/// - sphere data: `data.labels`, `data.seed` (no path, no `data.normalize`: they do not apply);
/// - csv data: `data.normalize` and `data.sha256`, the SHA-256 of the file's bytes, with `data.n`
///   and `data.d` taken from the file (the path is left out, so moving the checkout keeps keys).
/// - held-out data, only when given (so keys of runs without a test set are unchanged): sphere
///   `data.test_n`; csv `data.test_sha256`, the SHA-256 of the test file's bytes (no path, no count).
///
/// Integers are written in decimal and doubles in Swift's shortest round-trip form (`1.0`,
/// `1e-06`), so `init_scale: 1` and `init_scale: 1.0` give the same key. Two runs with the same
/// resolved configuration share a key, whatever experiment they come from.
enum RunKey {
    /// The canonical JSON text of a resolved configuration (exposed for tests and debugging).
    static func canonicalText(
        _ values: [ConfigKey: SettingValue], dataSHA256: String?,
        testSHA256: String? = nil
    ) -> String {
        var members: [String: String] = ["algorithm_version": CanonicalJSON.quoted(Trainer.algorithmVersion)]
        let isCSV = values[.dataSource] == .text(DataSourceKind.csv.rawValue)
        for (key, value) in values {
            switch key {
            case .dataPath, .dataTestPath: continue
            case .dataNormalize where !isCSV: continue
            case .dataLabels, .dataSeed, .dataTestN: if isCSV { continue }
            default: break
            }
            members[key.rawValue] = value.canonicalJSON
        }
        if isCSV, let dataSHA256 { members["data.sha256"] = CanonicalJSON.quoted(dataSHA256) }
        if isCSV, let testSHA256 { members["data.test_sha256"] = CanonicalJSON.quoted(testSHA256) }
        return CanonicalJSON.object(members)
    }

    /// SHA-256 hex of ``canonicalText(_:dataSHA256:testSHA256:)``.
    static func compute(
        _ values: [ConfigKey: SettingValue], dataSHA256: String?,
        testSHA256: String? = nil
    ) -> String {
        let text = canonicalText(values, dataSHA256: dataSHA256, testSHA256: testSHA256)
        return SHA256Digest.hex(text)
    }
}
