/// A failure of a pipeline command, with the exit status it maps to.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func io(_ message: String) -> PipelineError { PipelineError(.failure, message) }
    static func invalid(_ message: String) -> PipelineError { PipelineError(.invalidInput, message) }
}
