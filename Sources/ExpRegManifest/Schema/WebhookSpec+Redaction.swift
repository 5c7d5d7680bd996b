import Yams

extension WebhookSpec {
    /// The manifest `text` with every literal `notify[*].url` value replaced by its redacted form
    /// (``redact(_:)``: `scheme://host/…`), wherever the URL text occurs (also in comments or an
    /// anchor). For showing an archived manifest in a report: a webhook URL is a credential.
    ///
    /// Text that is not YAML, or has no `notify:` URLs, is returned unchanged.
    /// - Complexity: O(text length × URLs).
    package static func redactingURLs(inManifest text: String) -> String {
        guard let root = try? Yams.compose(yaml: text), case .mapping(let top) = root,
            let notify = top["notify"], case .sequence(let hooks) = notify
        else { return text }
        var urls: [String] = []
        for hook in hooks {
            guard case .mapping(let entry) = hook, let value = entry["url"], case .scalar(let scalar) = value else {
                continue
            }
            if !scalar.string.isEmpty { urls.append(scalar.string) }
        }
        var redacted = text
        // Longest first, so a URL that extends another is replaced whole.
        for url in Set(urls).sorted(by: { $0.count > $1.count }) {
            redacted = redacted.replacingOccurrences(of: url, with: redact(url))
        }
        return redacted
    }
}
