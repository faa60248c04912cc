import Foundation
import NIOCore
import Testing
@testable import Exporter

/// `--web.config.file`: the exporter-toolkit format parsed strictly, and served as the toolkit
/// serves it — checked with curl (OpenSSL) as the independent client, against certificates the
/// openssl CLI makes for each run.
@Suite struct WebConfigTests {
    /// From the exporter-toolkit's own test data (web/testdata/web_config_users_noTLS.good.yml),
    /// hashed by Go's bcrypt: carol's password is carol123, dave's dave123.
    static let users = [
        "carol": "$2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu",
        "dave": "$2y$10$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq",
    ]

    private func parse(_ yaml: String) throws -> WebConfig {
        try WebConfig.parse(yaml, relativeTo: "/etc/rtpscope")
    }

    private func parseError(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "<parsed>"
        } catch {
            return "\(error)"
        }
    }

    // MARK: parsing

    @Test func theToolkitExampleParsesWithPathsRelativeToTheFile() throws {
        let config = try parse("""
        tls_server_config:
          cert_file: server.crt
          key_file: /abs/server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
          min_version: TLS13
        http_server_config:
          http2: false
          headers:
            X-Frame-Options: deny
            Strict-Transport-Security: max-age=31536000
        basic_auth_users:
          carol: \(Self.users["carol"]!)
        """)
        let tls = try #require(config.tls)
        #expect(tls.certificate == .file("/etc/rtpscope/server.crt"))
        #expect(tls.privateKey == .file("/abs/server.key"))
        #expect(tls.clientCA == .file("/etc/rtpscope/ca.crt"))
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.minVersion == .tls13)
        #expect(tls.maxVersion == .tls13)
        #expect(config.headers == [.init(name: "X-Frame-Options", value: "deny"),
                                   .init(name: "Strict-Transport-Security", value: "max-age=31536000")])
        #expect(config.basicAuthUsers == ["carol": Self.users["carol"]!])
        #expect(config.http2 == false)
    }

    @Test func anEmptyFileOrSectionIsPlainHTTPWithoutAuthentication() throws {
        #expect(try parse("") == WebConfig())
        #expect(try parse("tls_server_config:\nbasic_auth_users:\n") == WebConfig())
    }

    @Test func mistakesAreOneLineErrorsNamingTheKey() {
        let cases: [(String, String)] = [
            ("basic_auth_user:\n  a: b\n", "basic_auth_user: unknown key"),
            ("tls_server_config:\n  cert_file: a\n  keyfile: b\n", "tls_server_config.keyfile: unknown key"),
            ("tls_server_config:\n  cert_file: a\n", "tls_server_config: missing one of key or key_file"),
            ("tls_server_config:\n  key_file: a\n", "tls_server_config: missing one of cert or cert_file"),
            ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
             "tls_server_config.client_ca_file: client CA's have been configured without a Client Auth Policy"),
            ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Always\n",
             "tls_server_config.client_auth_type: invalid ClientAuth Always"),
            ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n",
             "tls_server_config.min_version: unknown TLS version TLS14"),
            ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
             "tls_server_config.min_version: TLS13 is above max_version TLS12"),
            ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
             "tls_server_config.cipher_suites: Go cipher suite names are not supported"),
            ("http_server_config:\n  headers:\n    Server: x\n", "http_server_config.headers.Server: HTTP header \"Server\" can not be configured"),
            ("http_server_config:\n  headers:\n    X-Frame-Options: always\n",
             "http_server_config.headers.X-Frame-Options: invalid value \"always\": expected one of deny, sameorigin"),
            ("basic_auth_users:\n  bob: secret\n", "basic_auth_users.bob: not a bcrypt hash"),
            ("basic_auth_users:\n  bob: $2y$03$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq\n",
             "basic_auth_users.bob: not a bcrypt hash"),
            ("rate_limit:\n  interval: 1s\n", "rate_limit: not supported by rtpscope"),
            ("tls_server_config: [a, b]\n", "tls_server_config: expected a mapping"),
            // Yams itself refuses duplicate keys.
            ("basic_auth_users:\n  a: x\n  a: y\n", "not valid YAML: Parser: expected all keys to be unique"),
            ("tls_server_config:\n  cert_file: [a\n", "not valid YAML:"),
        ]
        for (yaml, expected) in cases {
            let message = parseError(yaml)
            #expect(message.hasPrefix(expected), "\(yaml) → \(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
        }
    }

    @Test func unreadableOrMismatchedCertificatesAreReportedAtStart() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let missing = try WebConfig.parse("tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n",
                                          relativeTo: pki.directory.path)
        #expect(throws: WebConfigError.unreadable(what: "cert_file", path: pki.directory.path + "/nope.crt")) {
            try missing.checkCertificates()
        }
        let notPEM = try WebConfig.parse("tls_server_config:\n  cert_file: server.ext\n  key_file: server.key\n",
                                         relativeTo: pki.directory.path)
        #expect(throws: WebConfigError.self) { try notPEM.checkCertificates() }
        // The client's key with the server's certificate: a pair that does not belong together.
        let mismatched = try WebConfig.parse("tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n",
                                             relativeTo: pki.directory.path)
        do {
            try mismatched.checkCertificates()
            Issue.record("a key of another certificate was accepted")
        } catch {
            #expect("\(error)".hasPrefix("tls_server_config: certificate and key cannot be used together"))
        }
    }

    @Test func bcryptHashesOfOtherImplementationsVerify() async throws {
        let authenticator = BasicAuthenticator(users: Self.users)
        let loop = NIOSingletons.posixEventLoopGroup.next()
        func check(_ user: String, _ password: String) async throws -> Bool {
            let token = Data("\(user):\(password)".utf8).base64EncodedString()
            return try await authenticator.authenticate(authorization: "Basic \(token)", on: loop).get()
        }
        #expect(try await check("carol", "carol123"))
        #expect(try await check("dave", "dave123"))
        #expect(try await check("carol", "dave123") == false)
        #expect(try await check("mallory", "fakepassword") == false)  // the unknown-user hash's own password
        #expect(try await authenticator.authenticate(authorization: nil, on: loop).get() == false)
        #expect(try await authenticator.authenticate(authorization: "Bearer abc", on: loop).get() == false)
        #expect(try await authenticator.authenticate(authorization: "Basic !!!", on: loop).get() == false)
        // Cached: the same credentials again do not run bcrypt again.
        let verified = authenticator.bcryptVerifications
        #expect(verified == 4)
        for _ in 0..<20 { #expect(try await check("carol", "carol123")) }
        #expect(authenticator.bcryptVerifications == verified)
    }

    // MARK: served

    private func serve(_ yaml: String, pki: TestPKI?, provider: any ExporterSnapshotProvider = FixedSnapshotProvider(fixed: Fixtures.snapshot()),
                       telemetryPath: String = "/metrics",
                       _ body: (_ port: Int) async throws -> Void) async throws {
        let config = try WebConfig.parse(yaml, relativeTo: pki?.directory.path ?? "/")
        try await TestServer.with(.init(host: "127.0.0.1", port: 0, telemetryPath: telemetryPath, webConfig: config),
                                  provider: provider) { port, _ in try await body(port) }
    }

    @Test func tlsServesHTTPSAndRefusesPlainHTTP() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await serve("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n", pki: pki) { port in
            let https = try await CurlResponse.fetch("https://127.0.0.1:\(port)/metrics", ["--cacert", pki.caCertificate])
            #expect(https.status == 200, "\(https.error)")
            #expect(https.body.hasPrefix(ExpectedExposition.snapshotFamilies))
            let plain = try await CurlResponse.fetch("http://127.0.0.1:\(port)/metrics")
            #expect(plain.status == 400)
            #expect(plain.body == "Client sent an HTTP request to an HTTPS server.\n")
            // A client that does not trust the server's CA does not get through either.
            let untrusted = try await CurlResponse.fetch("https://127.0.0.1:\(port)/metrics")
            #expect(untrusted.exitCode != 0 && untrusted.status == 0)
        }
    }

    @Test func minVersionRefusesOlderProtocols() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await serve("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n", pki: pki) { port in
            let old = try await CurlResponse.fetch("https://127.0.0.1:\(port)/health", ["--cacert", pki.caCertificate, "--tls-max", "1.2"])
            #expect(old.exitCode != 0 && old.status == 0)
            let current = try await CurlResponse.fetch("https://127.0.0.1:\(port)/health", ["--cacert", pki.caCertificate, "--tlsv1.3"])
            #expect(current.status == 200, "\(current.error)")
        }
    }

    @Test func mutualTLSRequiresAClientCertificateFromTheConfiguredCA() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await serve("""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        """, pki: pki) { port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let trusted = ["--cacert", pki.caCertificate]
            let anonymous = try await CurlResponse.fetch(url, trusted)
            #expect(anonymous.status == 0 && anonymous.exitCode != 0)
            let rogue = try await CurlResponse.fetch(url, trusted + ["--cert", pki.rogueCertificate, "--key", pki.rogueKey])
            #expect(rogue.status == 0 && rogue.exitCode != 0)
            let client = try await CurlResponse.fetch(url, trusted + ["--cert", pki.clientCertificate, "--key", pki.clientKey])
            #expect(client.status == 200, "\(client.error)")
        }
    }

    @Test func verifyClientCertIfGivenAcceptsNoneButNotAnUnverifiableOne() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await serve("""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: VerifyClientCertIfGiven
          client_ca_file: ca.crt
        """, pki: pki) { port in
            let url = "https://127.0.0.1:\(port)/health"
            let trusted = ["--cacert", pki.caCertificate]
            let response1 = try await CurlResponse.fetch(url, trusted)
            #expect(response1.status == 200)
            let response2 = try await CurlResponse.fetch(url, trusted + ["--cert", pki.rogueCertificate, "--key", pki.rogueKey])
            #expect(response2.status == 0)
            let response3 = try await CurlResponse.fetch(url, trusted + ["--cert", pki.clientCertificate, "--key", pki.clientKey])
            #expect(response3.status == 200)
        }
    }

    @Test func requireAnyClientCertTakesAnyCertificateButNeedsOne() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await serve("""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAnyClientCert
        """, pki: pki) { port in
            let url = "https://127.0.0.1:\(port)/health"
            let trusted = ["--cacert", pki.caCertificate]
            let response4 = try await CurlResponse.fetch(url, trusted)
            #expect(response4.status == 0)
            let response5 = try await CurlResponse.fetch(url, trusted + ["--cert", pki.rogueCertificate, "--key", pki.rogueKey])
            #expect(response5.status == 200)
        }
    }

    @Test func basicAuthAnswers401BeforeRenderingAnything() async throws {
        let provider = CountingProvider(FixedSnapshotProvider(fixed: Fixtures.snapshot()))
        let yaml = "basic_auth_users:\n" + Self.users.map { "  \($0.key): \($0.value)\n" }.joined()
        try await serve(yaml, pki: nil, provider: provider) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let missing = try await CurlResponse.fetch(url)
            #expect(missing.status == 401)
            #expect(missing.headers["www-authenticate"] == "Basic")
            #expect(missing.body == "Unauthorized\n")
            let wrong = try await CurlResponse.fetch(url, ["-u", "carol:dave123"])
            #expect(wrong.status == 401)
            #expect(wrong.headers["www-authenticate"] == "Basic")
            let unknown = try await CurlResponse.fetch(url, ["-u", "mallory:carol123"])
            #expect(unknown.status == 401)
            #expect(provider.calls == 0)  // nothing was rendered for them
            let right = try await CurlResponse.fetch(url, ["-u", "carol:carol123"])
            #expect(right.status == 200)
            #expect(right.body.hasPrefix(ExpectedExposition.snapshotFamilies))
            #expect(provider.calls == 1)
            // Every endpoint is protected, the landing page and 404s included.
            let response6 = try await CurlResponse.fetch("http://127.0.0.1:\(port)/")
            #expect(response6.status == 401)
            let response7 = try await CurlResponse.fetch("http://127.0.0.1:\(port)/nope")
            #expect(response7.status == 401)
            let response8 = try await CurlResponse.fetch("http://127.0.0.1:\(port)/nope", ["-u", "dave:dave123"])
            #expect(response8.status == 404)
        }
    }

    @Test func basicAuthOverTLSTogether() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await serve("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  dave: \(Self.users["dave"]!)\n",
                        pki: pki) { port in
            let url = "https://127.0.0.1:\(port)/health"
            let response9 = try await CurlResponse.fetch(url, ["--cacert", pki.caCertificate])
            #expect(response9.status == 401)
            let response10 = try await CurlResponse.fetch(url, ["--cacert", pki.caCertificate, "-u", "dave:dave123"])
            #expect(response10.status == 200)
        }
    }

    @Test func configuredHeadersAreOnEveryResponse() async throws {
        let yaml = """
        http_server_config:
          headers:
            X-Frame-Options: deny
            X-Content-Type-Options: nosniff
            Content-Security-Policy: default-src 'self'
        basic_auth_users:
          dave: \(Self.users["dave"]!)
        """
        try await serve(yaml, pki: nil) { port in
            for (path, options, status) in [("/metrics", ["-u", "dave:dave123"], 200), ("/metrics", [], 401),
                                            ("/nope", ["-u", "dave:dave123"], 404)] {
                let response = try await CurlResponse.fetch("http://127.0.0.1:\(port)\(path)", options)
                #expect(response.status == status)
                #expect(response.headers["x-frame-options"] == "deny")
                #expect(response.headers["x-content-type-options"] == "nosniff")
                #expect(response.headers["content-security-policy"] == "default-src 'self'")
            }
        }
    }

    @Test func gzipWhenTheScraperAcceptsIt() async throws {
        try await serve("", pki: nil, provider: ManyStreamsProvider(streams: 200)) { port in
            let url = "http://127.0.0.1:\(port)/metrics"
            let plain = try await CurlResponse.fetch(url)
            #expect(plain.headers["content-encoding"] == nil)
            // curl asks for gzip and decodes it with zlib: the decoded body is the plain body.
            let compressed = try await CurlResponse.fetch(url, ["--compressed"])
            #expect(compressed.headers["content-encoding"] == "gzip")
            #expect(compressed.headers["transfer-encoding"] == "chunked")
            #expect(compressed.headers["vary"] == "Accept-Encoding")
            // Both bodies end with the scrape histogram, whose count differs by one between them, and
            // the process metrics (CPU, memory, fds) are read at each scrape.
            let stable = { (body: String) in
                body.split(separator: "\n").filter { !$0.hasPrefix("rtpscope_exporter_") && !$0.hasPrefix("process_") }
            }
            #expect(stable(compressed.body) == stable(plain.body))
            #expect(plain.body.utf8.count > 500_000)
            // The bytes on the wire: much smaller than the exposition.
            let wire = try await ExternalTool.run("curl", ["-sS", "--max-time", "60", "-H", "Accept-Encoding: gzip", "-o", "/dev/null",
                                                     "-w", "%{size_download}", url])
            let wireBytes = Int(wire.output) ?? 0
            print("gzip: /metrics \(plain.body.utf8.count) bytes, \(wireBytes) gzipped")
            #expect(wireBytes > 0 && wireBytes < plain.body.utf8.count / 5)
            // Not when refused, and HEAD gets the headers only.
            let response11 = try await CurlResponse.fetch(url, ["-H", "Accept-Encoding: gzip;q=0, identity"])
            #expect(response11.headers["content-encoding"] == nil)
            let head = try await CurlResponse.fetch(url, ["-I", "-H", "Accept-Encoding: gzip"])
            #expect(head.status == 200 && head.headers["content-encoding"] == "gzip")
        }
    }

    @Test func acceptEncodingFollowsRFC9110Qualities() {
        #expect(AcceptEncoding.allowsGzip(["gzip"]))
        #expect(AcceptEncoding.allowsGzip(["deflate, gzip;q=0.5"]))
        #expect(AcceptEncoding.allowsGzip(["*"]))
        #expect(AcceptEncoding.allowsGzip(["x-gzip"]))
        #expect(!AcceptEncoding.allowsGzip([]))
        #expect(!AcceptEncoding.allowsGzip(["identity"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip;q=0"]))
        #expect(!AcceptEncoding.allowsGzip(["*, gzip;q=0"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip; q=0.000"]))
    }

    @Test func telemetryPathMovesTheMetrics() async throws {
        try await serve("", pki: nil, telemetryPath: "/internal/metrics") { port in
            let moved = try await CurlResponse.fetch("http://127.0.0.1:\(port)/internal/metrics")
            #expect(moved.status == 200)
            #expect(moved.body.hasPrefix(ExpectedExposition.snapshotFamilies))
            let response12 = try await CurlResponse.fetch("http://127.0.0.1:\(port)/metrics")
            #expect(response12.status == 404)
            let response13 = try await CurlResponse.fetch("http://127.0.0.1:\(port)/")
            #expect(response13.body.contains("<a href=\"/internal/metrics\">"))
        }
    }
}
