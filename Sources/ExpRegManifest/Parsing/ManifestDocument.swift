import ExpRegCore

/// A value written in the manifest (or on the command line) and where; `value` is nil when it was
/// rejected (already reported), so later checks neither use it nor report it again.
struct LocatedSetting: Equatable {
    var value: SettingValue?
    var origin: Origin
}

/// The keys one level of the manifest sets (the `defaults`, one experiment, one `--set`).
typealias SettingLayer = [ConfigKey: LocatedSetting]

/// One `sweep:` entry: a key and the values it takes, in manifest order.
struct SweepAxis: Equatable {
    var key: ConfigKey
    var values: [LocatedSetting]
    var origin: Origin
}

/// One entry of `experiments:`.
struct ExperimentSpec {
    /// nil when missing or invalid (already reported).
    var name: String?
    var origin: Origin
    var layer: SettingLayer
    /// Sweep axes in manifest order (the first varies slowest).
    var sweep: [SweepAxis]
}

/// The manifest as written, after type and range checks, before expansion.
struct ManifestDocument {
    var name: String?
    var title: String?
    var defaults: SettingLayer = [:]
    var experiments: [ExperimentSpec] = []
    var gates = GateConfig()
    var compareWith = CompareWith.previous
    var notify: [WebhookSpec] = []
}
