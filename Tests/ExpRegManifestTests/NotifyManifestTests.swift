import ExpRegManifest
import Foundation
import Testing

/// The `notify:` key: parsed in order with its defaults; URLs never echoed.
@Suite struct NotifyManifestTests {
    static let base = """
        name: nightly
        experiments:
          - name: a

        """

    @Test func webhooksAreReadInOrderWithFailureAsTheDefault() throws {
        let loaded = try ManifestLoader.parse(
            text: Self.base + """
                notify:
                  - url_env: EXPREG_WEBHOOK
                  - url: https://hooks.example.org/services/T0/B0/secret
                    when: always
                """, file: "n.yaml", baseDirectory: ".")
        #expect(
            loaded.notify == [
                WebhookSpec(target: .environment("EXPREG_WEBHOOK"), when: .failure, location: "n.yaml:5"),
                WebhookSpec(
                    target: .url("https://hooks.example.org/services/T0/B0/secret"), when: .always, location: "n.yaml:6"
                ),
            ])
        #expect(loaded.notify.map(\.redacted) == ["$EXPREG_WEBHOOK", "https://hooks.example.org/…"])
        #expect(
            loaded.summary().contains("Notify: $EXPREG_WEBHOOK when failure, https://hooks.example.org/… when always\n")
        )
        #expect(!loaded.summary().contains("secret"))
    }

    @Test func noNotifyKeyOrAnEmptyOneMeansNoWebhooks() throws {
        #expect(try ManifestLoader.parse(text: Self.base, baseDirectory: ".").notify.isEmpty)
        #expect(try ManifestLoader.parse(text: Self.base + "notify:\n", baseDirectory: ".").notify.isEmpty)
        #expect(try ManifestLoader.parse(text: Self.base + "notify: []\n", baseDirectory: ".").notify.isEmpty)
    }

    @Test func redactionKeepsOnlySchemeAndHost() {
        #expect(WebhookSpec.redact("https://user:pw@hooks.slack.com/services/T/B/X?x=1") == "https://hooks.slack.com/…")
        #expect(WebhookSpec.redact("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(WebhookSpec.redact("no scheme") == "(url)")
        #expect(WebhookSpec.isValidURL("https://hooks.slack.com/services/T/B/X"))
        #expect(!WebhookSpec.isValidURL("https:///path-only"))
        #expect(!WebhookSpec.isValidURL("ftp://example.org/x"))
        #expect(!WebhookSpec.isValidURL("https://exa mple.org/x"))
        #expect(WebhookSpec.isValidEnvironmentName("EXPREG_WEBHOOK") && !WebhookSpec.isValidEnvironmentName("9BAD"))
    }

    @Test func literalURLsAreRedactedInTheShownManifest() {
        let text =
            Self.base + """
                # old hook: https://hooks.example.org/services/T0/B0/token-1
                notify:
                  - url: https://hooks.example.org/services/T0/B0/token-1
                  - {url: "http://127.0.0.1:9/token-2", when: always}
                  - url_env: EXPREG_WEBHOOK
                """
        let shown = WebhookSpec.redactingURLs(inManifest: text)
        #expect(!shown.contains("token-1") && !shown.contains("token-2"))
        #expect(shown.contains("  - url: https://hooks.example.org/…\n"))
        #expect(shown.contains("{url: \"http://127.0.0.1:9/…\", when: always}"))
        #expect(shown.contains("url_env: EXPREG_WEBHOOK"))
        #expect(WebhookSpec.redactingURLs(inManifest: Self.base) == Self.base)
        #expect(WebhookSpec.redactingURLs(inManifest: "not: [yaml") == "not: [yaml")
    }

    @Test func invalidEntriesNeverEchoTheURL() {
        #expect(throws: ManifestError.self) {
            _ = try ManifestLoader.parse(
                text: Self.base + "notify:\n  - url: gopher://secret-host/secret-path\n", baseDirectory: ".")
        }
        do {
            _ = try ManifestLoader.parse(
                text: Self.base + "notify:\n  - url: gopher://hidden-host/token-abc\n  - https://x.org/token-def\n",
                baseDirectory: ".")
        } catch {
            for word in ["hidden-host", "token-abc", "token-def", "x.org"] {
                #expect(!error.description.contains(word), "\(error.description)")
            }
            #expect(error.diagnostics.count == 2)
        }
    }
}
