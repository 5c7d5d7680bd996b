/// The process exit codes of `expreg` (docs/cli.md "Exit codes"); stable for cron and CI.
public enum ExitStatus: Int32, Sendable, Equatable, CaseIterable {
    /// All runs finished and all gates passed.
    case success = 0
    /// Internal or I/O failure.
    case failure = 1
    /// Invalid input (manifest, data file, command-line usage): nothing trained, archive untouched.
    case invalidInput = 2
    /// A gate failed (reports are still written).
    case gateFailed = 3
    /// Another `expreg run` holds the archive's lock.
    case locked = 4
    /// `expreg merge`: some planned runs are in no shard yet; the batch is recorded as `partial`.
    case incomplete = 5
    /// Interrupted by SIGINT (128 + 2): the batch is recorded as `partial`.
    case interrupted = 130
    /// Terminated by SIGTERM (128 + 15): the batch is recorded as `partial`.
    case terminated = 143
}
