/// One entry of the manifest's top-level `notify:` list: where to POST a batch's outcome and when.
///
/// ```yaml
/// notify:
///   - url_env: EXPREG_WEBHOOK     # the URL comes from this environment variable (keeps secrets out)
///     when: failure               # failure (default): only when the exit code is not 0 | always
///   - url: https://chat.example.org/hooks/abc
///     when: always
/// ```
/// The URL is a secret (a Slack webhook URL is its own credential): ExpReg never prints it, and
/// records only ``redacted`` in the archive's notifications. Prefer `url_env`: a literal `url` is
/// part of the manifest, which the archive keeps verbatim (reports show it through
/// ``redactingURLs(inManifest:)``).
public struct WebhookSpec: Sendable, Equatable {
    /// Where the URL comes from.
    public enum Target: Sendable, Equatable {
        /// Written in the manifest.
        case url(String)
        /// Read from this environment variable when posting.
        case environment(String)
    }

    /// When to post.
    public enum When: String, Sendable, Equatable, CaseIterable {
        /// Only for a batch whose exit code is not 0 (gate failed, interrupted, report failure).
        case failure
        /// For every batch.
        case always
    }

    public var target: Target
    public var when: When
    /// `file:line` of the entry, for messages.
    public var location: String

    public init(target: Target, when: When, location: String) {
        self.target = target
        self.when = when
        self.location = location
    }

    /// A form that is safe to print and archive: `$NAME` for `url_env`, `scheme://host/…` for a
    /// literal URL (the path, query and credentials are dropped).
    public var redacted: String {
        switch target {
        case .environment(let name):
            return "$" + name
        case .url(let text):
            return Self.redact(text)
        }
    }

    /// `scheme://host[:port]/…` of a URL text (only what precedes the path is kept).
    package static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return "(url)" }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        return String(text[..<schemeEnd.upperBound]) + host + (rest.count > authority.count ? "/…" : "")
    }

    /// True for an `http` or `https` URL text with a host and no spaces.
    public static func isValidURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
            !text.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return false }
        let host = redact(text).split(separator: "/").dropFirst().first.map(String.init) ?? ""
        return !host.isEmpty && host != "…"
    }

    /// True for a portable environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    package static func isValidEnvironmentName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
