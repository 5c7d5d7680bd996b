import Foundation

/// How `expreg run` writes its log lines (`--log-format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// Plain lines (the default); on a terminal the live progress line.
    case text
    /// One JSON object per line: `{"level": "info", "message": "…", "time": "2026-11-30T02:30:05.123Z", …fields}`
    /// with sorted keys, for journald and log shippers.
    case json
}

/// Formats log events as text or JSON lines, and appends them to a log file (`--log-file`).
///
/// A file line always carries a UTC timestamp: `2026-11-30T02:30:05.123Z info message` (text, each
/// line of a multi-line message stamped) or the JSON object. The file is opened for appending (created with mode 0644, and its missing
/// parent folders), so cron and a timer
/// can share one file across nights; every line is one `write(2)` of an `O_APPEND` descriptor.
public final class EventLog: @unchecked Sendable {
    /// A log event's severity.
    public enum Level: String, Sendable {
        case info, warning, error
    }

    public let format: LogFormat
    private let descriptor: Int32?
    private let lock = NSLock()

    /// - Parameters:
    ///   - format: the line format of stderr and of the file.
    ///   - filePath: the file to append to, or nil.
    /// - Throws: ``PipelineError`` (invalid input, exit 2) when the file cannot be opened.
    public init(format: LogFormat = .text, filePath: String? = nil) throws {
        self.format = format
        if let filePath {
            let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let fd = open(filePath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw PipelineError.invalid(
                    "--log-file \(filePath) cannot be opened for appending: \(String(cString: strerror(errno)))")
            }
            descriptor = fd
        } else {
            descriptor = nil
        }
    }

    deinit { if let descriptor { close(descriptor) } }

    /// True when a log file is open.
    public var hasFile: Bool { descriptor != nil }

    /// The line for stderr (no timestamp in text format: journald and cron add their own).
    func terminalLine(_ level: Level, _ message: String, fields: [String: String] = [:]) -> String {
        switch format {
        case .text: return message
        case .json: return Self.json(level, message, fields: fields, at: Date())
        }
    }

    /// Appends one event to the log file, if any.
    func append(_ level: Level, _ message: String, fields: [String: String] = [:]) {
        guard let descriptor else { return }
        let now = Date()
        let line: String
        switch format {
        case .text:
            let stamp = "\(Self.timestamp(now)) \(level.rawValue) "
            line = message.split(separator: "\n", omittingEmptySubsequences: false).map { stamp + $0 }.joined(
                separator: "\n")
        case .json: line = Self.json(level, message, fields: fields, at: now)
        }
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
    }

    /// One JSON object (sorted keys): the fields, then `level`, `message` and `time` (which win).
    static func json(_ level: Level, _ message: String, fields: [String: String], at date: Date) -> String {
        var object: [String: String] = fields
        object["level"] = level.rawValue
        object["message"] = message
        object["time"] = timestamp(date)
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return "{\"level\":\"error\",\"message\":\"unencodable log line\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// ISO 8601 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
