import Foundation
import Testing
@testable import Exporter

/// deploy/systemd/rtpscope.service: hardened to an exposure of at most 3.0 by systemd's own
/// measure (`systemd-analyze security --offline=yes`, systemd ≥ 252; `make deps` installs systemd).
@Suite struct SystemdUnitTests {
    private static let unit = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/systemd/rtpscope.service").path

    @Test func exposureIsAtMostThree() async throws {
        let result = try await ExternalTool.run("systemd-analyze", ["security", "--offline=yes", "--no-pager", Self.unit])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "systemd-analyze printed no verdict: \(result.output)\(result.error)")
        // "→ Overall exposure level for rtpscope.service: 2.9 OK 🙂"
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        print("systemd-analyze: \(line)")
        #expect(score != nil && score! <= 3.0, "\(line)")
    }

    @Test func theUnitWaitsForTheNetworkAndShowsAWebConfig() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Wants=") && $0.contains("network-online.target") })
        #expect(lines.contains { $0.hasPrefix("ExecStart=") && $0.contains("--web.config.file") })
        for setting in ["SystemCallFilter=", "ProtectKernelLogs=yes", "ProtectKernelTunables=yes", "PrivateDevices=yes", "UMask=0077"] {
            #expect(lines.contains { $0.hasPrefix(setting) }, "\(setting) missing")
        }
        // The comment's capability list is the bounding set, one for one.
        let bounding = try #require(lines.first { $0.hasPrefix("CapabilityBoundingSet=") })
            .dropFirst("CapabilityBoundingSet=".count).split(separator: " ").map(String.init)
        for capability in bounding {
            #expect(lines.contains { $0.hasPrefix("#") && $0.contains(capability) }, "\(capability) is not explained")
        }
    }
}

extension SystemdUnitTests {
    @Test func theShippedWebConfigIsValidAndServesPlainHTTP() throws {
        let path = URL(fileURLWithPath: Self.unit).deletingLastPathComponent().appendingPathComponent("web-config.yml").path
        #expect(try WebConfig.load(path: path) == WebConfig())
    }
}
