import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

/// Why a batch is announced: after `expreg run` or after a merge of shards.
public enum NotificationEvent: String, Sendable {
    case run
    case merge
}

/// Posts a published batch's outcome to the manifest's `notify:` webhooks and records each
/// outcome in the archive (`notifications`).
///
/// Never throws and never changes anything else: a webhook that fails, times out (5 s per
/// attempt, one retry) or is unreachable is reported through `log` and recorded as undelivered;
/// the batch, its files and its exit code stay as they are. URLs are never logged or archived
/// (``WebhookSpec/redacted`` is).
public enum BatchNotifier {
    /// Posts to every webhook whose `when` matches `exitCode` (`always`, or `failure` when
    /// `exitCode` ≠ 0), then records the outcomes with the batch.
    /// - Parameters:
    ///   - batchID: an archived, published batch (call after ``BatchPublisher``).
    ///   - event: `.run` from `expreg run`, `.merge` from a merge.
    ///   - exitCode: the exit code the command is about to return.
    ///   - conclusion: the conclusion the batch's publication rendered (``PublishedBatch/conclusion``);
    ///     nil when it was not published.
    ///   - webhooks: the manifest's `notify:` list (``LoadedManifest/notify``).
    ///   - archive: the archive holding the batch (also where outcomes are recorded).
    ///   - layout: the output tree (for the report path).
    ///   - environment: where `url_env` names are looked up.
    ///   - log: receives one line per webhook (delivered or why not).
    /// - Returns: the outcomes, in `notify:` order (empty when no webhook applied).
    @discardableResult
    public static func notify(
        batchID: String, event: NotificationEvent, exitCode: Int32, conclusion: String?, webhooks: [WebhookSpec],
        archive: Archive, layout: OutputLayout,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        log: (String) -> Void
    ) -> [NotificationRecord] {
        notify(
            batchID: batchID, event: event, exitCode: exitCode, conclusion: conclusion, webhooks: webhooks,
            archive: archive, layout: layout, environment: environment, client: WebhookClient(), log: log)
    }

    /// As ``notify(batchID:event:exitCode:conclusion:webhooks:archive:layout:environment:log:)`` with the
    /// webhooks of the manifest archived with the batch and its archived exit code: what a command
    /// that publishes an archived batch (a merge of shards) calls after publishing it.
    /// - Returns: the outcomes (empty when the batch is unknown, has no exit code yet, or its
    ///   manifest has no `notify:`; the reason is logged when it is not the last).
    @discardableResult
    package static func notifyArchivedBatch(
        _ batchID: String, event: NotificationEvent, conclusion: String?, archive: Archive,
        layout: OutputLayout,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        log: (String) -> Void
    ) -> [NotificationRecord] {
        let info: BatchInfo
        do {
            guard let snapshot = try archive.snapshot(batchID: batchID), snapshot.info.exitCode != nil else {
                log("notify: batch \(batchID) is not finished in the archive; nothing posted")
                return []
            }
            info = snapshot.info
        } catch {
            log("notify: cannot read batch \(batchID): \(error); nothing posted")
            return []
        }
        let webhooks: [WebhookSpec]
        do {
            webhooks = try ManifestLoader.webhooks(inManifest: info.manifestText, file: info.manifestPath)
        } catch {
            log(
                "notify: the archived manifest of batch \(batchID) has an invalid notify: section; nothing posted\n\(error)"
            )
            return []
        }
        return notify(
            batchID: batchID, event: event, exitCode: Int32(clamping: info.exitCode ?? 1), conclusion: conclusion,
            webhooks: webhooks, archive: archive, layout: layout, environment: environment, client: WebhookClient(),
            log: log)
    }

    static func notify(
        batchID: String, event: NotificationEvent, exitCode: Int32, conclusion: String?, webhooks: [WebhookSpec],
        archive: Archive, layout: OutputLayout, environment: [String: String],
        client: WebhookClient, log: (String) -> Void
    ) -> [NotificationRecord] {
        let due = webhooks.enumerated().filter { $0.element.when == .always || exitCode != 0 }
        guard !due.isEmpty else { return [] }
        let body: Data
        do {
            guard let snapshot = try archive.snapshot(batchID: batchID) else {
                log("notify: batch \(batchID) is not in the archive; nothing posted")
                return []
            }
            body = try BatchNotice(snapshot: snapshot, exitCode: exitCode, conclusion: conclusion, layout: layout)
                .jsonBody()
        } catch {
            log("notify: cannot build the message of batch \(batchID) (\(error)); nothing posted")
            return []
        }
        var records: [NotificationRecord] = []
        for (position, webhook) in due {
            let name = "notify[\(position)] (\(webhook.redacted))"
            var record = NotificationRecord(
                event: event.rawValue, webhook: position, target: webhook.redacted,
                attemptedAt: Date(), attempts: 0, delivered: false, httpStatus: nil, error: nil)
            switch resolve(webhook, environment: environment) {
            case .failure(let reason):
                record.error = reason.description
            case .success(let url):
                let delivery = client.post(body, to: url)
                record.attempts = delivery.attempts
                record.delivered = delivery.delivered
                record.httpStatus = delivery.httpStatus
                record.error = delivery.error
            }
            if record.delivered {
                log("notify: \(name): delivered (HTTP \(record.httpStatus ?? 0))")
            } else {
                log(
                    "notify: \(name): NOT delivered after \(record.attempts) attempt(s): \(record.error ?? "?"); "
                        + "the batch and its exit code are unaffected")
            }
            records.append(record)
        }
        do {
            try archive.recordNotifications(records, batchID: batchID)
        } catch {
            log("notify: could not record the notification outcomes in the archive: \(error)")
        }
        return records
    }

    /// The URL of a webhook, or why there is none.
    static func resolve(_ webhook: WebhookSpec, environment: [String: String]) -> Result<URL, ResolveFailure> {
        let text: String
        switch webhook.target {
        case .url(let literal):
            text = literal
        case .environment(let name):
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                return .failure(ResolveFailure("environment variable \(name) is not set (\(webhook.location))"))
            }
            text = value
        }
        guard WebhookSpec.isValidURL(text), let url = URL(string: text) else {
            return .failure(ResolveFailure("not an http(s) URL (\(webhook.location); value not shown)"))
        }
        return .success(url)
    }

    struct ResolveFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
