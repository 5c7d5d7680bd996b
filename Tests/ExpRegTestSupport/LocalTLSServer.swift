import Foundation

/// An HTTPS server on 127.0.0.1 with a fresh self-signed certificate: `python3` (its `ssl` and
/// `http.server` modules) in a subprocess that the test starts and stops by pid, the certificate
/// made with the `openssl` command. It answers every POST with 200 and counts them in a file.
///
/// For checking that webhooks really speak TLS and verify certificates: a client that trusts
/// the system's CAs must refuse this server. ``make(in:)`` returns nil (the test then skips with
/// a printed reason) when python3 or openssl is missing.
public final class LocalTLSServer {
    public let port: Int
    private let process: Process
    private let folder: URL

    /// Requests received (lines in the server's log file).
    public var requestCount: Int {
        ((try? String(contentsOf: folder.appendingPathComponent("requests.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n").count
    }

    public static func make(in folder: URL) throws -> LocalTLSServer? {
        guard let python = which("python3"), let openssl = which("openssl") else { return nil }
        let key = folder.appendingPathComponent("key.pem").path
        let cert = folder.appendingPathComponent("cert.pem").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: openssl)
        make.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        guard make.terminationStatus == 0 else { return nil }
        let script = """
            import http.server, ssl, sys
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get('content-length', 0)))
                    with open('requests.log', 'a') as log: log.write('POST\\n')
                    self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
                def log_message(self, *args): pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Hook)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain('cert.pem', 'key.pem')
            server.socket = context.wrap_socket(server.socket, server_side=True)
            open('port.txt.tmp', 'w').write(str(server.server_address[1]))
            import os; os.rename('port.txt.tmp', 'port.txt')
            server.serve_forever()
            """
        try script.write(to: folder.appendingPathComponent("server.py"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["server.py"]
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let portFile = folder.appendingPathComponent("port.txt")
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: portFile.path) && process.isRunning {
            usleep(50_000)
        }
        guard let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return nil
        }
        return LocalTLSServer(port: port, process: process, folder: folder)
    }

    private init(port: Int, process: Process, folder: URL) {
        self.port = port
        self.process = process
        self.folder = folder
    }

    /// Stops the server (SIGKILL to its pid: it inherits the test process's blocked signals, so
    /// SIGTERM would wait; it holds nothing worth a clean exit) and waits for it.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// The absolute path of an executable on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
