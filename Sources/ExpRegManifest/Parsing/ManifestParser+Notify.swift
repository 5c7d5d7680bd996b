import Yams

extension ManifestParser {
    static let webhookKeys = ["url", "url_env", "when"]

    /// `notify:`: a list of `{url | url_env, when}` mappings (a null value is an empty list).
    /// URL values are never echoed in diagnostics: they are secrets.
    func parseNotify(_ node: Node, origin: Origin, sink: inout DiagnosticSink) -> [WebhookSpec] {
        if case .scalar(let scalar) = node, ScalarText(scalar) == .null { return [] }
        guard case .sequence(let sequence) = node else {
            sink.error(
                at: origin,
                "expected a list of webhooks (`- url_env: NAME` lines), found \(Self.secretSafeDescription(node))",
                suggestion: "write e.g. `notify: [{url_env: EXPREG_WEBHOOK, when: failure}]`")
            return []
        }
        var webhooks: [WebhookSpec] = []
        for (index, item) in sequence.enumerated() {
            let path = "notify[\(index)]"
            let itemOrigin = Origin(file: file, mark: item.mark, keyPath: path)
            if case .scalar(let scalar) = item, ScalarText(scalar) != .null {
                sink.error(
                    at: itemOrigin,
                    "expected a webhook mapping (`url_env: NAME`, `when: failure`), found a single value (not shown: it may be a secret)",
                    suggestion: "write `- url_env: EXPREG_WEBHOOK` and put the URL in that variable")
                continue
            }
            guard let entries = reader.entries(of: item, path: path, allowed: Self.webhookKeys, sink: &sink) else {
                continue
            }
            var target: WebhookSpec.Target?
            var when = WebhookSpec.When.failure
            var valid = true
            for entry in entries {
                switch entry.key {
                case "url":
                    guard case .scalar(let scalar) = entry.value, ScalarText(scalar) != .null,
                        WebhookSpec.isValidURL(scalar.string)
                    else {
                        sink.error(
                            at: entry.valueOrigin,
                            "expected an http:// or https:// URL with a host (value not shown: it may be a secret)",
                            suggestion: "or keep the URL out of the manifest: `url_env: EXPREG_WEBHOOK`")
                        valid = false
                        continue
                    }
                    target = .url(scalar.string)
                case "url_env":
                    guard case .scalar(let scalar) = entry.value, WebhookSpec.isValidEnvironmentName(scalar.string)
                    else {
                        sink.error(
                            at: entry.valueOrigin,
                            "expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), found \(entry.value.foundDescription)",
                            suggestion: "e.g. `url_env: EXPREG_WEBHOOK`")
                        valid = false
                        continue
                    }
                    target = .environment(scalar.string)
                default:
                    switch ValueRule.choice(WebhookSpec.When.allCases.map(\.rawValue)).parse(entry.value) {
                    case .failure(let problem):
                        sink.error(at: entry.valueOrigin, problem.message, suggestion: problem.suggestion)
                        valid = false
                    case .success(let value):
                        if case .text(let word) = value, let parsed = WebhookSpec.When(rawValue: word) { when = parsed }
                    }
                }
            }
            let keys = Set(entries.map(\.key))
            if keys.contains("url") && keys.contains("url_env") {
                sink.error(
                    at: itemOrigin, "a webhook has either `url` or `url_env`, not both",
                    suggestion: "keep `url_env` (the URL stays out of the manifest)")
                continue
            }
            if !keys.contains("url") && !keys.contains("url_env") {
                sink.error(
                    at: itemOrigin.with(keyPath: "\(path).url_env"), "missing `url_env` (or `url`) in this webhook",
                    suggestion: "add e.g. `url_env: EXPREG_WEBHOOK`")
                continue
            }
            guard valid, let target else { continue }
            webhooks.append(
                WebhookSpec(
                    target: target, when: when,
                    location: "\(file):\(itemOrigin.line ?? 0)"))
        }
        return webhooks
    }

    /// Like `foundDescription`, without echoing a scalar's text (it may be a webhook URL).
    static func secretSafeDescription(_ node: Node) -> String {
        if case .scalar = node { return "a single value (not shown: it may be a secret)" }
        return node.foundDescription
    }
}
