import ExpRegCore
import Foundation

/// Progress of `expreg run` on stderr: a live line per run on a terminal (key params, steps/s, ETA),
/// one line per finished run otherwise. Never writes to stdout (stdout carries results).
///
/// With an ``EventLog`` in JSON format every stderr line is a JSON object (no live line); with a
/// log file every event (also under `--quiet`) is appended to it with a timestamp.
public final class ProgressReporter: @unchecked Sendable {
    public enum Mode: Sendable { case live, lines, quiet }

    private let mode: Mode
    private let log: EventLog?
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var runStart = Date()

    public init(mode: Mode, log: EventLog? = nil) {
        self.mode = log?.format == .json && mode == .live ? .lines : mode
        self.log = log
    }

    /// `.live` when stderr is a terminal, `.lines` otherwise; `.quiet` when asked.
    public static func automatic(quiet: Bool, log: EventLog? = nil) -> ProgressReporter {
        ProgressReporter(mode: quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .live : .lines), log: log)
    }

    /// A general message (one line).
    public func note(_ text: String) {
        emit(.info, text, quietable: true)
    }

    /// A message that matters even with `--quiet` (a failed gate, a failed notification).
    public func alert(_ text: String) {
        emit(.warning, text, quietable: false)
    }

    /// The command's final error (always shown).
    public func error(_ text: String) {
        emit(.error, text, quietable: false)
    }

    /// Writes one event to stderr (unless quiet and `quietable`) and to the log file.
    private func emit(_ level: EventLog.Level, _ text: String, fields: [String: String] = [:], quietable: Bool) {
        log?.append(level, text, fields: fields)
        guard !(quietable && mode == .quiet) else { return }
        let line = log?.terminalLine(level, text, fields: fields) ?? text
        write((mode == .live ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    /// A transient status line on a terminal (live mode only; redrawn at most ~8 times a second,
    /// replaced by the next line): what a long computation is doing now, e.g. `expreg probe`'s width
    /// and ETA. Nothing is written in line or quiet mode, nor to the log file.
    public func status(_ text: String) {
        guard mode == .live else { return }
        let now = Date()
        let due: Bool = lock.withLock {
            guard now.timeIntervalSince(lastDraw) >= 0.125 else { return false }
            lastDraw = now
            return true
        }
        if due { write("\r\u{1B}[2K" + text) }
    }

    func runStarted(_ spec: RunSpec, position: Int, total: Int) {
        lock.withLock {
            runStart = Date()
            lastDraw = .distantPast
        }
    }

    /// Called from the trainer's callback; redraws at most ~8 times a second.
    func runProgressed(_ spec: RunSpec, position: Int, total: Int, progress: TrainingProgress) {
        guard mode == .live else { return }
        let now = Date()
        let (start, due): (Date, Bool) = lock.withLock {
            let due = now.timeIntervalSince(lastDraw) >= 0.125
            if due { lastDraw = now }
            return (runStart, due)
        }
        guard due else { return }
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(max(progress.step, 1)) / elapsed
        let eta = Double(progress.totalSteps - progress.step) / max(rate, 1e-9)
        let line =
            "\(prefix(spec, position, total))  step \(progress.step)/\(progress.totalSteps)"
            + "  loss \(formatScientific(progress.loss, digits: 2))  \(Int(rate)) steps/s  ETA \(clock(eta))"
        write("\r\u{1B}[2K" + line)
    }

    func runFinished(_ record: RunRecord, position: Int, total: Int) {
        let o = record.outcome
        var line = "\(prefix(record.spec, position, total)): \(o.status.rawValue) after \(o.stepsRun) steps"
        if let loss = o.lossFinal { line += ", loss \(formatScientific(loss, digits: 2))" }
        if let reason = o.reason { line += " (\(reason))" }
        line += String(format: ", %.2f s", record.wallSeconds)
        var fields = [
            "event": "run_finished", "experiment": record.spec.experiment, "run_key": record.spec.runKey,
            "status": o.status.rawValue, "steps_run": String(o.stepsRun),
        ]
        if let loss = o.lossFinal { fields["loss_final"] = "\(loss)" }
        emit(.info, line, fields: fields, quietable: true)
    }

    func runSkipped(_ spec: RunSpec, position: Int, total: Int, why: String) {
        emit(.info, "\(prefix(spec, position, total)): skipped (\(why))", quietable: true)
    }

    private func prefix(_ spec: RunSpec, _ position: Int, _ total: Int) -> String {
        let keys = spec.sweptKeys.isEmpty ? ["model.width", "seed"] : spec.sweptKeys
        var parts = ["model.activation=\(spec.config.model.activation.rawValue)"]
        for key in keys where key != "model.activation" {
            if let value = spec.param(key) { parts.append("\(key)=\(value)") }
        }
        return "[\(position)/\(total)] \(spec.experiment) " + parts.joined(separator: " ")
    }

    private func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) {
        lock.withLock { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
