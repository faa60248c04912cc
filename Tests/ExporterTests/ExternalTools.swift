import Foundation

/// Runs the tools the web-config tests take their truth from: `openssl` makes the certificates,
/// `curl` is the independent TLS/HTTP client (both installed by `make deps`). A missing tool is a
/// failure, not a skip.
enum ExternalTool {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    static func path(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw Failure(description: "\(name) is not installed (make deps installs it)")
    }

    /// Runs to completion (killed after `seconds`), capturing stdout and stderr — on a Dispatch
    /// thread: blocking a Swift concurrency thread while the server under test needs one to render
    /// (there are as many as cores) would stall both.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], seconds: Double = 30, in directory: URL? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try runBlocking(name, arguments, seconds: seconds, in: directory) })
            }
        }
    }

    private static func runBlocking(_ name: String, _ arguments: [String], seconds: Double, in directory: URL?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path(name))
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let killer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                      error: String(decoding: error, as: UTF8.self))
    }

    /// `openssl …`, failing on a non-zero exit.
    static func openssl(_ arguments: [String], in directory: URL) async throws {
        let result = try await run("openssl", arguments, in: directory)
        guard result.status == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")): \(result.error)")
        }
    }
}

/// A throw-away PKI made with the openssl CLI in a temporary directory: a CA, a server certificate
/// for 127.0.0.1/localhost signed by it, a client certificate signed by it, and a self-signed
/// client certificate it did not sign. Nothing is committed; the directory is removed by `remove()`.
struct TestPKI {
    let directory: URL

    var caCertificate: String { directory.appendingPathComponent("ca.crt").path }
    var serverCertificate: String { directory.appendingPathComponent("server.crt").path }
    var serverKey: String { directory.appendingPathComponent("server.key").path }
    var clientCertificate: String { directory.appendingPathComponent("client.crt").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }
    var rogueCertificate: String { directory.appendingPathComponent("rogue.crt").path }
    var rogueKey: String { directory.appendingPathComponent("rogue.key").path }

    static func make() async throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await ExternalTool.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                                  "-subj", "/CN=rtpscope test CA"], in: directory)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
            .write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n"
            .write(to: directory.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=prometheus")] {
            try await ExternalTool.openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject],
                                     in: directory)
            try await ExternalTool.openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                                      "-CAcreateserial", "-out", "\(name).crt", "-days", "2", "-extfile", "\(name).ext"],
                                     in: directory)
        }
        try await ExternalTool.openssl(["req", "-x509"] + ec + ["-keyout", "rogue.key", "-out", "rogue.crt", "-days", "2",
                                  "-subj", "/CN=rogue"], in: directory)
        return TestPKI(directory: directory)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// One request with curl: status code, response headers (lowercased names) and body.
struct CurlResponse {
    let status: Int
    let headers: [String: String]
    let body: String
    /// curl's exit code (0: a response was received) and its error line.
    let exitCode: Int32
    let error: String

    static func fetch(_ url: String, _ options: [String] = []) async throws -> CurlResponse {
        let directory = FileManager.default.temporaryDirectory
        let headerFile = directory.appendingPathComponent("curl-headers-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        let result = try await ExternalTool.run("curl", ["-sS", "--max-time", "10", "-D", headerFile] + options + [url])
        var headers: [String: String] = [:]
        var status = 0
        if let text = try? String(contentsOfFile: headerFile, encoding: .utf8) {
            for line in text.components(separatedBy: "\r\n") {
                if line.hasPrefix("HTTP/") {
                    status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                } else if let colon = line.firstIndex(of: ":") {
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return CurlResponse(status: status, headers: headers, body: result.output, exitCode: result.status,
                            error: result.error.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
