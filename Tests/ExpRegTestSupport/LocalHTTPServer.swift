import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for webhook tests: it records every
/// request (method, path, headers, body) and answers each with ``responseStatus``.
///
/// One background thread accepts and serves connections one at a time (`Connection: close`).
/// ``stop()`` (or `deinit`) closes the socket and joins the thread. Requests are bounded
/// (64 KiB of headers, 1 MiB of body) and each connection has a 10 s receive timeout.
public final class LocalHTTPServer: @unchecked Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: Data
    }

    /// The port it listens on.
    public let port: UInt16
    /// `http://127.0.0.1:<port>/<path>`.
    public func url(path: String = "hook") -> String { "http://127.0.0.1:\(port)/\(path)" }

    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private var status: Int
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var stopped = false

    /// Starts listening.
    /// - Parameter responseStatus: the HTTP status every request gets (e.g. 200, or 500 to fail).
    public init(responseStatus: Int = 200) throws {
        status = responseStatus
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.error("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw Self.error("bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        self.thread = thread
        thread.start()
    }

    /// The requests received so far, in order.
    public var requests: [Request] { lock.withLock { received } }

    /// Changes the status later requests get.
    public func respond(with status: Int) { lock.withLock { self.status = status } }

    /// Stops accepting, closes the socket and waits for the serving thread to end.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = finished.wait(timeout: .now() + 15)
    }

    deinit { stop() }

    /// A port on 127.0.0.1 with nothing listening (bound, then closed): connections are refused.
    public static func deadPort() throws -> UInt16 {
        let server = try LocalHTTPServer()
        let port = server.port
        server.stop()
        return port
    }

    private func serve() {
        defer { finished.signal() }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // closed by stop()
            }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let request = read(client) {
                let code = lock.withLock { () -> Int in
                    received.append(request)
                    return status
                }
                let body = "{\"ok\":\(code < 300)}"
                let reply =
                    "HTTP/1.1 \(code) \(code < 300 ? "OK" : "Error")\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            }
            close(client)
        }
    }

    /// Reads one request (headers, then Content-Length bytes of body); nil when malformed.
    private func read(_ client: Int32) -> Request? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 8192)
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0, data.count < 65_536 else { return nil }
            data.append(contentsOf: buffer[0..<count])
            headerEnd = data.range(of: separator)
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            _ = "HTTP/1.1 100 Continue\r\n\r\n".withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }
        let length = min(Int(headers["content-length"] ?? "0") ?? 0, 1 << 20)
        var body = Data(data[headerEnd.upperBound...])
        while body.count < length {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            body.append(contentsOf: buffer[0..<count])
        }
        return Request(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers,
            body: body.prefix(length))
    }

    private static func error(_ what: String) -> NSError {
        NSError(
            domain: "LocalHTTPServer", code: Int(errno),
            userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }
}
