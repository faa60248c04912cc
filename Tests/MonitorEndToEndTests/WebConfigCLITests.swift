import Foundation
import Testing

/// `rtpscope monitor --web.config.file`: a bad file stops the monitor at start with one line and
/// exit status 1, before anything is attached (no root or eBPF needed to see it).
@Suite struct WebConfigCLITests {
    private func monitor(_ arguments: [String]) throws -> (status: String, stderr: String) {
        let binary = PackagePaths.rtpscope
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw E2EError("\(binary) does not exist: build it with `make` (or point RTPSCOPE_BIN at a build)")
        }
        let child = try ChildProcess(name: "rtpscope", executable: binary,
                                     arguments: ["monitor", "--web.listen-address", "127.0.0.1:0"] + arguments)
        guard child.waitForExit(seconds: 20) else {
            child.stop()
            throw E2EError("rtpscope monitor did not stop on a bad web config within 20 s")
        }
        return (child.exitDescription, child.stderr)
    }

    @Test(arguments: [
        ("basic_auth_users:\n  bob: secret\n", "basic_auth_users.bob: not a bcrypt hash"),
        ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n", "cannot read cert_file"),
        ("tls_server_cfg:\n  cert_file: a\n", "tls_server_cfg: unknown key"),
        ("basic_auth_users: [\n", "not valid YAML"),
    ])
    func aBadWebConfigIsOneLineAndExitStatus1(yaml: String, expected: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("http-web-config-\(UUID().uuidString).yml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, stderr) = try monitor(["--web.config.file", file.path])
        #expect(status == "exit status 1", "\(stderr)")
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(stderr)")
        #expect(stderr.hasPrefix("rtpscope: --web.config.file \(file.path): "), "\(stderr)")
        #expect(stderr.contains(expected), "\(stderr)")
    }

    @Test func aMissingWebConfigFileIsOneLine() throws {
        let (status, stderr) = try monitor(["--web.config.file", "/nonexistent/web.yml"])
        #expect(status == "exit status 1")
        #expect(stderr == "rtpscope: --web.config.file /nonexistent/web.yml: cannot read web config file /nonexistent/web.yml\n")
    }

    @Test func badLogAndPathOptionsAreUsageErrors() throws {
        for arguments in [["--log.level", "verbose"], ["--log.format", "xml"], ["--web.telemetry-path", "metrics"]] {
            let (status, stderr) = try monitor(arguments)
            #expect(status == "exit status 64", "\(arguments): \(stderr)")
            #expect(stderr.contains(arguments[0]), "\(stderr)")
        }
    }
}
