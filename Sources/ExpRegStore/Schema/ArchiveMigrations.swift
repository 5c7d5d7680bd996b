import GRDB

/// The archive's named migrations, in order. **Never edit a shipped migration**: add a new one
/// (`"v2-..."`) at the end of ``steps``; ``Archive/schemaVersion`` is their count.
///
/// Each migration ends by setting `PRAGMA user_version` to its own number, inside the migration's
/// transaction, so `user_version` always equals the number of applied migrations: the archive's
/// schema version. Migrations use SQL only (no app types), so later Swift changes cannot alter them.
///
/// ## Schema v1 (`"v1-initial"`)
/// Times are REAL seconds since 2001-01-01T00:00:00Z (Foundation's reference date; exact round trip
/// of `Date`). For UTC text in SQL: `strftime('%Y-%m-%dT%H:%M:%fZ', started_at + 978307200, 'unixepoch')`.
/// REAL measurement columns hold NULL for "not computed" and the TEXT `'NaN'` for NaN (SQLite would
/// store a bound NaN as NULL). JSON columns are UTF-8 JSON with sorted keys.
///
/// - `batches` — one row per `expreg run`; `id` = `<UTC start>-<manifest name>`. Provenance
///   (manifest text + SHA-256, tool version, git commit, host), times, `status`, `exit_code`,
///   `overrides` (JSON array of `KEY=VALUE`), `planned_runs`, `plan_json` (the expanded plan, params
///   type-tagged), `gate_config` (JSON of the manifest's gates).
/// - `runs` — key (batch_id, run_key); `plan_index`, `experiment`, `config_json` (resolved `RunConfig`),
///   `params_json` (JSON array of `{"key":…, "int"|"double"|"string"|"bool": value}`, sorted by key),
///   `swept_keys` (JSON array), outcome (`status`, `reason`, `steps_run`, `eta`, `loss_initial`,
///   `loss_final`), `started_at`, `wall_seconds`.
/// - `metrics` — per-step series of a run: `kind` ∈ `loss` | `kernel_prediction` | `lambda_min`,
///   `seq` (position in the series), `step` (GD step), `value`.
/// - `spectra` — eigenvalues at a step: `kind` ∈ `hstar` | `hw`, `seq` (position), `step`, `count`,
///   `eigenvalues` (BLOB of `count` little-endian float64, ascending; NULL when `count` = 0).
/// - `diagnostics` — one row per run, one nullable column per `TheoryDiagnostics` field.
/// - `gates` — gate results of a batch in evaluation order (`position`), `offending` = JSON array of run keys.
/// - `artifacts` — files written for a batch: (`batch_id`, `path`) → `sha256`, `bytes`.
///
/// ## Schema v2 (`"v2-reliability"`)
/// - `batches.published_at` — REAL, nullable: when every file of a `completed` batch (plots,
///   results.json, report.md, report.html, summary.ja.md, report.pdf) was in place and its artifacts recorded,
///   in the same transaction. NULL for running, partial and failed batches, and for a completed batch
///   whose publishing was interrupted (kill -9, a second Ctrl-C, an I/O error): the next `expreg run`
///   finishes it. Set for completed batches of older archives with exit code 0 or 3 (their reports
///   were written).
///
/// ## v2-shards (`"v2-shards"`)
/// - `batches.shard_index` (INTEGER, NULL, ≥ 0) and `batches.shard_count` (INTEGER, NULL, ≥ 1):
///   a shard archive written by `expreg run --shard I/N` has `shard_index` = I, `shard_count` = N
///   (it holds the plan's runs with `plan_index % N == I`); a batch merged from N shards by
///   `expreg merge` has `shard_index` NULL and `shard_count` = N; a single-machine batch has both NULL.
///
/// ## `"v2-heldout"`
/// Nullable columns on `diagnostics` for the errors outside the theorem (NULL = not computed; old
/// runs read as NULL): `train_mse` = (1/n) Σ (F(W(T), x_i) − y_i)²; with a test set `test_mse`
/// (the trained network on the held-out points), `kernel_test_mse` (the kernel-regime limit
/// F(W(0), X_test) + H*(X_test, X) H*⁻¹ (y − F(W(0), X))), `ntk_test_mse` (the NTK interpolant
/// H*(X_test, X) H*⁻¹ y), and `heldout_note` (TEXT: why the kernel values are missing, e.g. H*
/// numerically singular).
///
/// ## `"v2-compute-provenance"`
/// - `batches.kernel_path` (TEXT, nullable) — the kernel path of every run: `avx512`, `avx2` or
///   `generic` (`EXPREG_KERNELS`); runs are bitwise comparable only on one path.
/// - `batches.cpu_model` (TEXT, nullable) — `model name` of /proc/cpuinfo.
/// - `batches.blas_core` (TEXT, nullable) — OpenBLAS's core type (`openblas_get_corename`).
/// NULL in batches archived before the migration.
///
/// ## `"v2-width-cost"`
/// - `runs` gains nullable columns (NULL for runs archived before): `verdict` (``RunVerdict``:
///   `within_guarantee` | `consistent` | `violated` | `diverged` | `failed`), `memory_bytes`
///   (INTEGER, the trainer's working set by ``TrainingMemory``), `flops` (REAL, by ``TrainingFlops``),
///   `training_seconds` and `spectra_seconds` (REAL, wall time in GD steps and in spectra).
/// - `width_scaling` — the batch's ``WidthScaling`` groups in plan order (`position`):
///   `experiment`, `activation`, `fixed_params` (JSON array of tagged params, as `params_json`, but
///   width and seed), `widths` (JSON array), `runs`, `lambda_star`, `gram_distance_slope`,
///   `gram_distance_constant`, `gram_distance_constant_theory_slope`, `condition_width`,
///   `condition_width_free_slope`, `condition_met_from_width`, `seconds_per_step_exponent`,
///   `memory_exponent`, and the projection at the condition width: `projection_width`,
///   `projection_seconds_per_run`, `projection_memory_bytes`, `projection_steps`.
/// - `condition_width_vs_n` — per family of groups sweeping `data.n` (`position`): `experiment`,
///   `activation`, `points` (JSON [[n, condition_width], …]), `exponent`, `coefficient`.
///
/// No autoincrement ids: a row is identified by batch id (+ run_key, kind, seq …), so archives of
/// shards can be merged by `INSERT OR IGNORE … SELECT` per table.
///
/// ## `"v2-notifications"`
/// - `notifications` — one row per webhook post of a batch's outcome (manifest `notify:`), in
///   order (`seq`): `event` (`run`, or `merge` for a merged batch), `webhook` (the entry's position
///   in `notify:`), `target` (redacted: `$ENV_NAME` or `scheme://host/…`, never the full URL),
///   `attempted_at`, `attempts` (0 when the URL was missing, 1, or 2 after the one retry), `delivered` (0/1), `http_status`
///   (last HTTP status; NULL when no response), `error` (why it failed; NULL when delivered).
///   Deleted with its batch.
///
/// ## `"v3-judgements"`
/// A batch's judgement (``BatchJudgement``: run verdicts and the width analysis) is made once, when
/// the batch reaches a final status, under the rules the batch recorded when it began, and
/// archived; readers never judge again.
/// - `batches.judgement_rules` — TEXT JSON, NOT NULL: the ``JudgementRules`` the batch is judged
///   by. Batches archived before get the frozen ``JudgementRules/legacy`` (the column default,
///   written by this migration; never edit it).
/// - `batches.judged_at` — REAL, nullable: when the judgement was recorded. NULL while a batch runs,
///   for shard batches (a merged batch is judged), and for batches archived before: a read-write
///   open judges those once, right after migrating (`Archive.judgeUnjudgedBatches()`).
/// - `runs.verdict` (from `v2-width-cost`) is now written with the judgement (NULL until then).
/// - `width_scaling` gains the group's time model and its agreement with the theory:
///   `seconds_per_step_constant` (C of seconds per GD step ≈ C·m^`seconds_per_step_exponent`),
///   `spectra_seconds_constant`, `spectra_seconds_exponent` (seconds in spectra per run ≈ C·m^e),
///   with `projection_steps` as the model's steps (set even without a projection), and
///   `slope_agrees_with_theory` (INTEGER 0/1: |`gram_distance_slope` + 1/2| ≤ the rules'
///   `slope_tolerance`).
enum ArchiveMigrations {
    /// One named migration: its identifier and its SQL. Its schema version is its position + 1.
    struct Step {
        let identifier: String
        let sql: String
    }

    /// Every migration of this build, in order. Append new ones at the end; never edit or reorder.
    static let steps: [Step] = [
        Step(identifier: "v1-initial", sql: v1Initial),
        Step(identifier: "v2-reliability", sql: v2Reliability),
        Step(identifier: "v2-notifications", sql: v2Notifications),
        Step(identifier: "v2-shards", sql: v2Shards),
        Step(identifier: "v2-heldout", sql: v2HeldOut),
        Step(identifier: "v2-compute-provenance", sql: v2ComputeProvenance),
        Step(identifier: "v2-width-cost", sql: v2WidthCost),
        Step(identifier: "v3-judgements", sql: v3Judgements),
    ]

    /// Migration identifiers in order; `identifiers.count` is ``Archive/schemaVersion``.
    static var identifiers: [String] { steps.map(\.identifier) }

    /// The migrator with every migration of this build. Each migration's transaction ends by
    /// setting `user_version` to the migration's position + 1.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (position, step) in steps.enumerated() {
            migrator.registerMigration(step.identifier) { db in
                try db.execute(sql: step.sql)
                try db.execute(sql: "PRAGMA user_version = \(position + 1)")
            }
        }
        return migrator
    }

    private static let v2Shards = """
        ALTER TABLE batches ADD COLUMN shard_index INTEGER CHECK (shard_index >= 0);
        ALTER TABLE batches ADD COLUMN shard_count INTEGER CHECK (shard_count >= 1);
        """

    private static let v2HeldOut = """
        ALTER TABLE diagnostics ADD COLUMN train_mse REAL;
        ALTER TABLE diagnostics ADD COLUMN test_mse REAL;
        ALTER TABLE diagnostics ADD COLUMN kernel_test_mse REAL;
        ALTER TABLE diagnostics ADD COLUMN ntk_test_mse REAL;
        ALTER TABLE diagnostics ADD COLUMN heldout_note TEXT;
        """

    private static let v2ComputeProvenance = """
        ALTER TABLE batches ADD COLUMN kernel_path TEXT;
        ALTER TABLE batches ADD COLUMN cpu_model TEXT;
        ALTER TABLE batches ADD COLUMN blas_core TEXT;
        """

    private static let v1Initial = """
        CREATE TABLE batches (
            id              TEXT    NOT NULL PRIMARY KEY CHECK (length(id) > 0),
            manifest_name   TEXT    NOT NULL CHECK (length(manifest_name) > 0),
            title           TEXT,
            manifest_path   TEXT    NOT NULL,
            manifest_text   TEXT    NOT NULL,
            manifest_sha256 TEXT    NOT NULL,
            tool_version    TEXT    NOT NULL,
            git_commit      TEXT,
            host            TEXT    NOT NULL,
            started_at      REAL    NOT NULL,
            finished_at     REAL,
            status          TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'partial', 'failed')),
            exit_code       INTEGER,
            overrides       TEXT    NOT NULL CHECK (json_valid(overrides)),
            planned_runs    INTEGER NOT NULL CHECK (planned_runs >= 0),
            plan_json       TEXT    NOT NULL CHECK (json_valid(plan_json)),
            gate_config     TEXT    NOT NULL CHECK (json_valid(gate_config))
        );
        CREATE INDEX batches_by_manifest ON batches (manifest_name, started_at, id);
        CREATE INDEX batches_by_start ON batches (started_at, id);

        CREATE TABLE runs (
            batch_id     TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
            run_key      TEXT    NOT NULL CHECK (length(run_key) > 0),
            plan_index   INTEGER NOT NULL CHECK (plan_index >= 0),
            experiment   TEXT    NOT NULL,
            config_json  TEXT    NOT NULL CHECK (json_valid(config_json)),
            params_json  TEXT    NOT NULL CHECK (json_valid(params_json)),
            swept_keys   TEXT    NOT NULL CHECK (json_valid(swept_keys)),
            status       TEXT    NOT NULL CHECK (status IN ('converged', 'completed', 'diverged', 'failed')),
            reason       TEXT,
            steps_run    INTEGER NOT NULL CHECK (steps_run >= 0),
            eta          REAL,
            loss_initial REAL,
            loss_final   REAL,
            started_at   REAL    NOT NULL,
            wall_seconds REAL    NOT NULL,
            PRIMARY KEY (batch_id, run_key)
        ) WITHOUT ROWID;
        CREATE INDEX runs_by_plan_index ON runs (batch_id, plan_index);

        CREATE TABLE metrics (
            batch_id TEXT    NOT NULL,
            run_key  TEXT    NOT NULL,
            kind     TEXT    NOT NULL CHECK (kind IN ('loss', 'kernel_prediction', 'lambda_min')),
            seq      INTEGER NOT NULL CHECK (seq >= 0),
            step     INTEGER NOT NULL,
            value    REAL    NOT NULL,
            PRIMARY KEY (batch_id, run_key, kind, seq),
            FOREIGN KEY (batch_id, run_key) REFERENCES runs (batch_id, run_key) ON DELETE CASCADE
        ) WITHOUT ROWID;

        CREATE TABLE spectra (
            batch_id    TEXT    NOT NULL,
            run_key     TEXT    NOT NULL,
            seq         INTEGER NOT NULL CHECK (seq >= 0),
            step        INTEGER NOT NULL,
            kind        TEXT    NOT NULL CHECK (kind IN ('hstar', 'hw')),
            count       INTEGER NOT NULL CHECK (count >= 0),
            eigenvalues BLOB    CHECK (coalesce(length(eigenvalues), 0) = 8 * count),
            PRIMARY KEY (batch_id, run_key, seq),
            FOREIGN KEY (batch_id, run_key) REFERENCES runs (batch_id, run_key) ON DELETE CASCADE
        ) WITHOUT ROWID;

        CREATE TABLE diagnostics (
            batch_id                     TEXT NOT NULL,
            run_key                      TEXT NOT NULL,
            lambda_star                  REAL,
            lambda_max_star              REAL,
            lambda_min_init              REAL,
            lambda_min_final             REAL,
            gram_distance_init           REAL,
            gram_distance_final          REAL,
            predicted_rate               REAL,
            observed_rate                REAL,
            envelope_violations          INTEGER CHECK (envelope_violations >= 0),
            kernel_prediction_final_loss REAL,
            width_condition_met          INTEGER CHECK (width_condition_met IN (0, 1)),
            max_weight_movement          REAL,
            max_preactivation            REAL,
            PRIMARY KEY (batch_id, run_key),
            FOREIGN KEY (batch_id, run_key) REFERENCES runs (batch_id, run_key) ON DELETE CASCADE
        ) WITHOUT ROWID;

        CREATE TABLE gates (
            batch_id  TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
            name      TEXT    NOT NULL,
            position  INTEGER NOT NULL CHECK (position >= 0),
            passed    INTEGER NOT NULL CHECK (passed IN (0, 1)),
            detail    TEXT    NOT NULL,
            offending TEXT    NOT NULL CHECK (json_valid(offending)),
            PRIMARY KEY (batch_id, name)
        ) WITHOUT ROWID;

        CREATE TABLE artifacts (
            batch_id TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
            path     TEXT    NOT NULL CHECK (length(path) > 0),
            sha256   TEXT    NOT NULL,
            bytes    INTEGER NOT NULL CHECK (bytes >= 0),
            PRIMARY KEY (batch_id, path)
        ) WITHOUT ROWID;
        """

    private static let v2Notifications = """
        CREATE TABLE notifications (
            batch_id     TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
            seq          INTEGER NOT NULL CHECK (seq >= 0),
            event        TEXT    NOT NULL CHECK (event IN ('run', 'merge')),
            webhook      INTEGER NOT NULL CHECK (webhook >= 0),
            target       TEXT    NOT NULL,
            attempted_at REAL    NOT NULL,
            attempts     INTEGER NOT NULL CHECK (attempts >= 0),
            delivered    INTEGER NOT NULL CHECK (delivered IN (0, 1)),
            http_status  INTEGER,
            error        TEXT,
            PRIMARY KEY (batch_id, seq)
        ) WITHOUT ROWID;
        """
}

extension ArchiveMigrations {
    fileprivate static let v2Reliability = """
        ALTER TABLE batches ADD COLUMN published_at REAL;
        UPDATE batches SET published_at = finished_at
            WHERE status = 'completed' AND exit_code IN (0, 3) AND finished_at IS NOT NULL;
        """

    private static let v2WidthCost = """
        ALTER TABLE runs ADD COLUMN verdict TEXT CHECK (verdict IS NULL OR verdict IN
            ('within_guarantee', 'consistent', 'violated', 'diverged', 'failed'));
        ALTER TABLE runs ADD COLUMN memory_bytes INTEGER CHECK (memory_bytes IS NULL OR memory_bytes >= 0);
        ALTER TABLE runs ADD COLUMN flops REAL;
        ALTER TABLE runs ADD COLUMN training_seconds REAL;
        ALTER TABLE runs ADD COLUMN spectra_seconds REAL;

        CREATE TABLE width_scaling (
            batch_id                            TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
            position                            INTEGER NOT NULL CHECK (position >= 0),
            experiment                          TEXT    NOT NULL,
            activation                          TEXT    NOT NULL,
            fixed_params                        TEXT    NOT NULL CHECK (json_valid(fixed_params)),
            widths                              TEXT    NOT NULL CHECK (json_valid(widths)),
            runs                                INTEGER NOT NULL CHECK (runs >= 0),
            lambda_star                         REAL,
            gram_distance_slope                 REAL,
            gram_distance_constant              REAL,
            gram_distance_constant_theory_slope REAL,
            condition_width                     REAL,
            condition_width_free_slope          REAL,
            condition_met_from_width            INTEGER,
            seconds_per_step_exponent           REAL,
            memory_exponent                     REAL,
            projection_width                    INTEGER,
            projection_seconds_per_run          REAL,
            projection_memory_bytes             INTEGER,
            projection_steps                    INTEGER,
            PRIMARY KEY (batch_id, position)
        ) WITHOUT ROWID;

        CREATE TABLE condition_width_vs_n (
            batch_id    TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
            position    INTEGER NOT NULL CHECK (position >= 0),
            experiment  TEXT    NOT NULL,
            activation  TEXT    NOT NULL,
            points      TEXT    NOT NULL CHECK (json_valid(points)),
            exponent    REAL    NOT NULL,
            coefficient REAL    NOT NULL,
            PRIMARY KEY (batch_id, position)
        ) WITHOUT ROWID;
        """
}

extension ArchiveMigrations {
    /// The JSON of ``JudgementRules/legacy`` (sorted keys), frozen here: the rules of every batch
    /// archived before `v3-judgements`.
    static let legacyRulesJSON = #"{"kernel_agreement_band":1.1,"slope_tolerance":0.1,"unchanged_band":1.1}"#

    private static let v3Judgements = """
        ALTER TABLE batches ADD COLUMN judgement_rules TEXT NOT NULL
            DEFAULT '\(legacyRulesJSON)' CHECK (json_valid(judgement_rules));
        ALTER TABLE batches ADD COLUMN judged_at REAL;
        ALTER TABLE width_scaling ADD COLUMN seconds_per_step_constant REAL;
        ALTER TABLE width_scaling ADD COLUMN spectra_seconds_constant REAL;
        ALTER TABLE width_scaling ADD COLUMN spectra_seconds_exponent REAL;
        ALTER TABLE width_scaling ADD COLUMN slope_agrees_with_theory INTEGER
            CHECK (slope_agrees_with_theory IN (0, 1));
        """
}
