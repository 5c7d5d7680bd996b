import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A blocking JSON POST with a bounded time and one retry, over Foundation's URLSession (libcurl on
/// Linux: http and https, the system's CA certificates).
struct WebhookClient {
    /// The longest one attempt may take, connection included.
    var attemptTimeout: TimeInterval = 5
    /// Attempts in all (the first + retries).
    var maxAttempts = 2
    /// Pause before the retry.
    var retryDelay: TimeInterval = 1

    /// The result of ``post(_:to:)``.
    struct Delivery: Equatable {
        var attempts: Int
        var delivered: Bool
        /// Last HTTP status received (nil when none came).
        var httpStatus: Int?
        /// Why the last attempt failed (nil when delivered); never contains the URL.
        var error: String?
    }

    /// POSTs `body` (`Content-Type: application/json`) to `url`; a 2xx answer is delivered, any
    /// other answer, a transport error or a timeout is retried once.
    /// - Complexity: at most `maxAttempts × attemptTimeout + retryDelay` seconds.
    func post(_ body: Data, to url: URL) -> Delivery {
        var delivery = Delivery(attempts: 0, delivered: false, httpStatus: nil, error: nil)
        while delivery.attempts < maxAttempts {
            if delivery.attempts > 0 { Thread.sleep(forTimeInterval: retryDelay) }
            delivery.attempts += 1
            let (status, error) = attempt(body, to: url)
            delivery.httpStatus = status
            if let status, (200..<300).contains(status) {
                delivery.delivered = true
                delivery.error = nil
                return delivery
            }
            delivery.error = error ?? "HTTP \(status.map(String.init) ?? "?")"
        }
        return delivery
    }

    /// One request; (status, nil) when an answer came, (nil, reason) otherwise.
    private func attempt(_ body: Data, to url: URL) -> (Int?, String?) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("expreg", forHTTPHeaderField: "User-Agent")
        request.timeoutInterval = attemptTimeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = attemptTimeout
        configuration.timeoutIntervalForResource = attemptTimeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        let box = ResponseBox()
        let task = session.dataTask(with: request) { _, response, error in
            box.set(status: (response as? HTTPURLResponse)?.statusCode, error: error)
        }
        task.resume()
        // URLSession enforces the timeout; the wait is a second longer as a backstop.
        if box.done.wait(timeout: .now() + attemptTimeout + 1) == .timedOut {
            task.cancel()
            return (nil, "no answer within \(Int(attemptTimeout)) s")
        }
        let (status, error) = box.get()
        if let status { return (status, nil) }
        return (nil, Self.describe(error, url: url))
    }

    /// A failure without the URL (which is a secret): the URLError code's meaning, or libcurl's
    /// message (e.g. `SSL certificate problem: …`) with the URL's path and query removed.
    static func describe(_ error: (any Error)?, url: URL) -> String {
        guard let error else { return "no response" }
        let text: String
        if let urlError = error as? URLError {
            switch urlError.code {
            case .timedOut: text = "timed out"
            case .cannotConnectToHost: text = "connection refused"
            case .cannotFindHost, .dnsLookupFailed: text = "host not found"
            case .notConnectedToInternet, .networkConnectionLost: text = "network unreachable"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                text = "TLS failure"
            default: text = "URL error \(urlError.code.rawValue): \(urlError.localizedDescription)"
            }
        } else {
            text = "\((error as NSError).domain) \((error as NSError).code): \(error.localizedDescription)"
        }
        return scrub(text, url: url)
    }

    /// `text` without the URL, its path or its query (libcurl's messages may quote them).
    static func scrub(_ text: String, url: URL) -> String {
        var clean = text.replacingOccurrences(of: url.absoluteString, with: "(url)")
        for secret in [url.path, url.query ?? "", url.user ?? "", url.password ?? ""] where secret.count > 1 {
            clean = clean.replacingOccurrences(of: secret, with: "…")
        }
        return clean
    }
}

/// The completion handler's result, handed across threads under a lock.
private final class ResponseBox: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var status: Int?
    private var error: (any Error)?

    func set(status: Int?, error: (any Error)?) {
        lock.withLock {
            self.status = status
            self.error = error
        }
        done.signal()
    }

    func get() -> (Int?, (any Error)?) { lock.withLock { (status, error) } }
}
