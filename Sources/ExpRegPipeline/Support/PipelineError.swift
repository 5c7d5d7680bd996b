/// A failure of a pipeline command, with the exit status it maps to.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String
    /// True when `message` is already a list of located diagnostics (`file:line:col: error: ...`)
    /// that should be printed as they are.
    public var isDiagnosticList: Bool

    public init(_ status: ExitStatus, _ message: String, isDiagnosticList: Bool = false) {
        self.status = status
        self.message = message
        self.isDiagnosticList = isDiagnosticList
    }

    public var description: String { message }

    static func io(_ message: String) -> PipelineError { PipelineError(.failure, message) }
    static func invalid(_ message: String) -> PipelineError { PipelineError(.invalidInput, message) }
}
