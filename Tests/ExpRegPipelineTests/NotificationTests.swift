import ExpRegPipeline
import ExpRegStore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `notify:` webhooks end to end: the real binary posts to a real HTTP server on 127.0.0.1 that
/// the test starts and stops.
@Suite(.serialized)
struct NotificationTests {
    /// The tiny manifest with a `notify:` section appended.
    static func manifest(_ base: String = RunCommandTests.tinyManifest, notify: String) -> String {
        base + "\nnotify:\n" + notify
    }

    static func json(_ request: LocalHTTPServer.Request) throws -> JSONValue {
        try JSONValue.parse(request.body)
    }

    @Test func aPassingNightPostsOnceToAlwaysAndNeverToFailureOnly() throws {
        let always = try LocalHTTPServer()
        let failureOnly = try LocalHTTPServer()
        defer {
            always.stop()
            failureOnly.stop()
        }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(
            Self.manifest(
                notify: """
                      - url_env: EXPREG_TEST_WEBHOOK
                        when: always
                      - url: \(failureOnly.url())
                        when: failure
                    """), in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"],
            in: dir.url, extraEnvironment: ["EXPREG_TEST_WEBHOOK": always.url(path: "hooks/T000/secret-token")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(failureOnly.requests.isEmpty, "a failure-only webhook was told about a passing night")
        #expect(always.requests.count == 1)
        let request = try #require(always.requests.first)
        #expect(request.method == "POST" && request.path == "/hooks/T000/secret-token")
        #expect(request.headers["content-type"]?.hasPrefix("application/json") == true)
        let body = try Self.json(request)
        let batchID = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("batch: ") }?.dropFirst(7))
        #expect(body["batch_id"] == .string(String(batchID)))
        #expect(body["status"] == .string("completed"))
        #expect(body["exit_code"] == .number(0))
        #expect(body["failed_gates"] == .array([]))
        let conclusion = try #require(body["conclusion"]?.string)
        #expect(conclusion.hasPrefix("結論:") && !conclusion.contains("**"))
        // The summary's own sentence, as data (not scraped back out of summary.ja.md).
        let summary = try String(
            contentsOf: dir.url.appendingPathComponent("out/\(batchID)/summary.ja.md"), encoding: .utf8)
        #expect(summary.contains("**結論:** " + conclusion.dropFirst("結論: ".count) + "\n"))
        let report = try #require(body["report"]?.string)
        #expect(report.hasSuffix("\(batchID)/report.html") && FileManager.default.fileExists(atPath: report))
        let text = try #require(body["text"]?.string)
        #expect(text.contains("passed") && text.contains(conclusion) && text.contains(report))
        // The secret path is in no log and not in the archive; the delivery is recorded.
        #expect(!result.stderr.contains("secret-token") && !result.stdout.contains("secret-token"))
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        #expect(
            try scalar(
                String.self, db,
                "SELECT target || ' ' || delivered || ' ' || http_status || ' ' || attempts FROM notifications")
                == "$EXPREG_TEST_WEBHOOK 1 200 1")
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM notifications WHERE target LIKE '%secret%'") == 0)

        // What a merge calls after publishing: the webhooks of the archived manifest, the archived exit code.
        var lines: [String] = []
        let session = try ArchiveSession(path: db, access: .write)
        defer { session.close() }
        let records = BatchNotifier.notifyArchivedBatch(
            String(batchID), event: .merge, conclusion: conclusion, archive: session.archive,
            layout: OutputLayout(root: dir.url.appendingPathComponent("out")),
            environment: ["EXPREG_TEST_WEBHOOK": always.url(path: "hooks/T000/secret-token")], log: { lines.append($0) }
        )
        #expect(records.map(\.delivered) == [true], "\(lines)")
        #expect(always.requests.count == 2 && failureOnly.requests.isEmpty)
        #expect(try Self.json(always.requests[1]) == body, "the merge posts the same message")
        #expect(
            try scalar(String.self, db, "SELECT group_concat(event || ':' || seq) FROM notifications")
                == "run:0,merge:1")
    }

    @Test func aFailingNightNamesTheFailedGate() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(
            """
            name: blowup
            defaults:
              data: {source: sphere, n: 8, d: 4, seed: 2}
              model: {activation: exp, width: 32}
              train: {steps: 100, learning_rate: 0.01, log_every: 5, spectrum_every: 0}
            experiments:
              - name: sane
              - name: eta-too-large
                train: {learning_rate: 1000.0}
            gates:
              max_diverged: 0
            notify:
              - url: \(server.url())
                when: failure
            """, in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
        #expect(result.status == 3, "stderr: \(result.stderr)")
        #expect(server.requests.count == 1)
        let body = try Self.json(try #require(server.requests.first))
        #expect(body["exit_code"] == .number(3))
        #expect(body["status"] == .string("completed"))
        let gates = try #require(body["failed_gates"]?.array)
        #expect(gates.map { $0["name"]?.string } == ["max_diverged"])
        #expect(body["text"]?.string?.contains("gate failed") == true)
        #expect(body["text"]?.string?.contains("max_diverged") == true)
        #expect(body["conclusion"]?.string?.contains("終了コード 3") == true)
    }

    /// https goes through libcurl with certificate verification: a server whose certificate no
    /// system CA signed is refused, and the reason (without the URL) is printed and archived.
    @Test(.tags(.slow), .skippedWhenFast, .skipped(because: HostCapabilities.tlsServerUnavailable))
    func httpsIsSpokenAndAnUntrustedCertificateIsRefused() throws {
        let dir = TemporaryDirectory()
        let server = try #require(try LocalTLSServer.make(in: dir.url), "the local TLS server did not start")
        defer { server.stop() }
        let manifest = try writeManifest(
            Self.manifest(
                notify: """
                      - url: https://127.0.0.1:\(server.port)/hooks/tls-secret
                        when: always
                    """), in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(server.requestCount == 0, "a request went through an untrusted certificate")
        #expect(result.stderr.contains("SSL certificate problem"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("tls-secret"))
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        let error = try #require(try scalar(String.self, db, "SELECT error FROM notifications"))
        #expect(error.contains("SSL certificate problem") && !error.contains("tls-secret"), "\(error)")
    }

    @Test(.tags(.slow), .skippedWhenFast) func aDeadOrFailingWebhookChangesNeitherTheExitCodeNorTheBatch() throws {
        let failing = try LocalHTTPServer(responseStatus: 500)
        defer { failing.stop() }
        let deadPort = try LocalHTTPServer.deadPort()
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(
            Self.manifest(
                notify: """
                      - url: http://127.0.0.1:\(deadPort)/services/dead-secret
                        when: always
                      - url: \(failing.url())
                        when: always
                      - url_env: EXPREG_UNSET_WEBHOOK
                        when: always
                    """), in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"],
            in: dir.url, extraEnvironment: ["EXPREG_UNSET_WEBHOOK": ""])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(
            result.stderr.contains("notify[0] (http://127.0.0.1:\(deadPort)/…): NOT delivered after 2 attempt(s)"),
            "stderr: \(result.stderr)")
        #expect(
            result.stderr.contains(
                "notify[2] ($EXPREG_UNSET_WEBHOOK): NOT delivered after 0 attempt(s): environment variable EXPREG_UNSET_WEBHOOK is not set"
            ))
        #expect(
            result.stderr.contains("notify[2]: environment variable EXPREG_UNSET_WEBHOOK is not set"),
            "warned before training")
        #expect(!result.stderr.contains("dead-secret"))
        #expect(failing.requests.count == 2, "one retry after HTTP 500")

        // The batch is complete and published exactly as without webhooks; the failures are recorded.
        let db = dir.url.appendingPathComponent("out/a.sqlite").path
        #expect(try scalar(String.self, db, "SELECT status || ' ' || exit_code FROM batches") == "completed 0")
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM runs") == 6)
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM artifacts WHERE path = 'report.html'") == 1)
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/latest/report.html").path))
        let rows = try DatabaseQueue(path: db, configuration: readerConfiguration).read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT webhook, target, attempts, delivered, http_status, error FROM notifications ORDER BY seq")
        }
        #expect(rows.count == 3)
        #expect(rows.map { $0["delivered"] as Int } == [0, 0, 0])
        #expect(rows.map { $0["attempts"] as Int } == [2, 2, 0])
        #expect(rows[1]["http_status"] as Int? == 500)
        #expect((rows[0]["error"] as String?) == "connection refused")
        #expect(rows.allSatisfy { !($0["target"] as String).contains("secret") })
        #expect(try scalar(String.self, db, "PRAGMA integrity_check") == "ok")

        // The report shows the manifest with the literal URL redacted; the archive keeps the manifest as written.
        for name in ["report.md", "report.html"] {
            let report = try String(contentsOf: dir.url.appendingPathComponent("out/latest/\(name)"), encoding: .utf8)
            #expect(!report.contains("dead-secret"), "\(name) shows a webhook URL")
            #expect(report.contains("url: http://127.0.0.1:\(deadPort)/…"), "\(name) lacks the redacted URL")
        }
        #expect(try scalar(Int.self, db, "SELECT COUNT(*) FROM batches WHERE manifest_text LIKE '%dead-secret%'") == 1)
    }
}
