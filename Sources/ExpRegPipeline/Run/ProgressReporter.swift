import ExpRegCore
import Foundation

/// Progress of `expreg run` on stderr: a live line per run on a terminal (key params, steps/s, ETA),
/// one line per finished run otherwise. Never writes to stdout (stdout carries results).
public final class ProgressReporter: @unchecked Sendable {
    public enum Mode: Sendable { case live, lines, quiet }

    private let mode: Mode
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var runStart = Date()

    public init(mode: Mode) { self.mode = mode }

    /// `.live` when stderr is a terminal, `.lines` otherwise; `.quiet` when asked.
    public static func automatic(quiet: Bool) -> ProgressReporter {
        ProgressReporter(mode: quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .live : .lines))
    }

    /// A general message (one line).
    public func note(_ text: String) {
        guard mode != .quiet else { return }
        write("\(text)\n")
    }

    /// A message that matters even with `--quiet` (a failed notification, a warning).
    public func alert(_ text: String) {
        write((mode == .live ? "\r\u{1B}[2K" : "") + "\(text)\n")
    }

    func runStarted(_ spec: RunSpec, position: Int, total: Int) {
        lock.withLock { runStart = Date(); lastDraw = .distantPast }
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
        let line = "\(prefix(spec, position, total))  step \(progress.step)/\(progress.totalSteps)"
            + "  loss \(formatScientific(progress.loss, digits: 2))  \(Int(rate)) steps/s  ETA \(clock(eta))"
        write("\r\u{1B}[2K" + line)
    }

    func runFinished(_ record: RunRecord, position: Int, total: Int) {
        guard mode != .quiet else { return }
        let o = record.outcome
        var line = "\(prefix(record.spec, position, total)): \(o.status.rawValue) after \(o.stepsRun) steps"
        if let loss = o.lossFinal { line += ", loss \(formatScientific(loss, digits: 2))" }
        if let reason = o.reason { line += " (\(reason))" }
        line += String(format: ", %.2f s", record.wallSeconds)
        write((mode == .live ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    func runSkipped(_ spec: RunSpec, position: Int, total: Int, why: String) {
        guard mode != .quiet else { return }
        write("\(prefix(spec, position, total)): skipped (\(why))\n")
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
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) {
        lock.withLock { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
