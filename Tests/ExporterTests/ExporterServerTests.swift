import Foundation
import Logging
import NIOCore
import RTPCore
import Testing
@testable import Exporter

@Suite struct ExporterServerTests {
    /// Starts a server on an ephemeral loopback port, runs `body`, and always shuts it down.
    private func withServer(idleTimeout: TimeAmount = .seconds(30), maxConnections: Int = 64,
                            _ body: (_ port: Int, _ server: ExporterServer) async throws -> Void) async throws {
        try await TestServer.with(.init(host: "127.0.0.1", port: 0, idleTimeout: idleTimeout, maxConnections: maxConnections),
                                  body)
    }

    @Test func metricsServesTheExpositionWithItsContentType() async throws {
        try await withServer { port, _ in
            let response = try await RawHTTPClient.get(port: port, "/metrics")
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.body.hasPrefix(ExpectedExposition.snapshotFamilies))
            // The scrape itself is recorded once it is rendered, so the first scrape shows count 0.
            #expect(response.body.hasSuffix("rtpscope_exporter_scrape_duration_seconds_count 0\n"))
            let second = try await RawHTTPClient.get(port: port, "/metrics?debug=1")
            #expect(second.body.hasSuffix("rtpscope_exporter_scrape_duration_seconds_count 1\n"))
        }
    }

    @Test func headHasGetHeadersAndNoBody() async throws {
        try await withServer { port, _ in
            let get = try await RawHTTPClient.get(port: port, "/health")
            let raw = try await RawHTTPClient.exchange(
                port: port, sending: "HEAD /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let head = try #require(RawHTTPClient.parseAll(raw, headRequests: 1).first)
            #expect(head.statusLine == "HTTP/1.1 200 OK")
            #expect(head.headers["content-type"] == "application/json")
            // Same length as the GET body, but nothing after the headers.
            #expect(head.headers["content-length"] == String(get.body.utf8.count))
            #expect(raw.hasSuffix("\r\n\r\n"))
        }
    }

    @Test func healthReportsTheMonitorAsJSON() async throws {
        try await withServer { port, _ in
            let response = try await RawHTTPClient.get(port: port, "/health")
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.body == """
            {
              "attached_programs" : [
                "tp_exit_recvmmsg",
                "tp_exit_sendmmsg"
              ],
              "events_by_syscall" : {
                "recvmmsg" : 900,
                "sendmmsg" : 100
              },
              "events_per_second" : 50.5,
              "malformed_records" : 0,
              "ringbuf_dropped_events" : 3,
              "status" : "ok",
              "stream_metrics" : "all",
              "streams" : 2,
              "streams_evicted" : 2,
              "streams_exported" : 2,
              "streams_left_out" : 0
            }

            """)
        }
    }

    @Test func streamsServesTheAnalysisReportLikeAnalyzeJSON() async throws {
        try await withServer { port, _ in
            let response = try await RawHTTPClient.get(port: port, "/streams")
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.headers["content-type"] == "application/json")
            let decoded = try JSONDecoder().decode(AnalysisReport.self, from: Data(response.body.utf8))
            #expect(decoded == Fixtures.snapshot().report)
            // The report's keys as analyze --format json writes them, plus the paging total.
            // The reference: the report as Foundation encodes it (configured here, not taken from
            // the code under test), compared as a JSON object.
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let report = try encoder.encode(Fixtures.snapshot().report)
            var expected = try #require(try JSONSerialization.jsonObject(with: report) as? NSDictionary) as! [String: Any]
            expected["total_streams"] = 2
            let served = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? NSDictionary)
            #expect(served == expected as NSDictionary)
        }
    }

    @Test func indexLinksTheEndpoints() async throws {
        try await withServer { port, _ in
            let response = try await RawHTTPClient.get(port: port, "/")
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.headers["content-type"] == "text/html; charset=utf-8")
            for path in ["/metrics", "/health", "/streams"] {
                #expect(response.body.contains("<a href=\"\(path)\">"))
            }
        }
    }

    @Test func unknownPathIs404AndOtherMethodsAre405() async throws {
        try await withServer { port, _ in
            let missing = try await RawHTTPClient.get(port: port, "/nope")
            #expect(missing.statusLine == "HTTP/1.1 404 Not Found")
            let post = try await RawHTTPClient.exchange(
                port: port, sending: "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
            let parsed = try #require(RawHTTPClient.parseAll(post).first)
            #expect(parsed.statusLine == "HTTP/1.1 405 Method Not Allowed")
            #expect(parsed.headers["allow"] == "GET, HEAD")
        }
    }

    @Test func oversizedRequestHeadIsRejectedWith431() async throws {
        try await withServer { port, _ in
            let huge = String(repeating: "x", count: 9 * 1024)
            let raw = try await RawHTTPClient.exchange(
                port: port, sending: "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Filler: \(huge)\r\n\r\n")
            #expect(raw.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
            let longURL = try await RawHTTPClient.exchange(
                port: port, sending: "GET /metrics?\(huge) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(longURL.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
            // The server is still fine afterwards.
            #expect(try await RawHTTPClient.get(port: port, "/health").statusLine == "HTTP/1.1 200 OK")
        }
    }

    @Test func malformedRequestIs400AndClosed() async throws {
        try await withServer { port, _ in
            let raw = try await RawHTTPClient.exchange(port: port, sending: "THIS IS NOT HTTP\r\n\r\n")
            #expect(raw.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(raw.contains("connection: close") || raw.contains("Connection: close"))
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { port, _ in
            let raw = try await RawHTTPClient.exchange(port: port, sending:
                "GET /nope HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let responses = RawHTTPClient.parseAll(raw)
            #expect(responses.map(\.statusLine) == ["HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"])
            #expect(responses.first?.headers["connection"] == "keep-alive")
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await withServer(idleTimeout: .milliseconds(200)) { port, _ in
            let start = ContinuousClock.now
            // Sends nothing: only the server's idle timeout can end this exchange.
            // The client gives up after 120 s: ending sooner means the server closed it (a loaded
            // test run has stretched this 200 ms timeout to tens of seconds).
            let raw = try await RawHTTPClient.exchange(port: port, sending: "", timeout: .seconds(120))
            #expect(raw == "")
            #expect(ContinuousClock.now - start < .seconds(110))
        }
    }

    @Test func aFullServerEvictsItsIdleConnectionInsteadOfRefusingANewOne() async throws {
        try await withServer(idleTimeout: .seconds(30), maxConnections: 1) { port, server in
            // Holds the only slot, sending nothing; without eviction it would lock scrapes out.
            let holder = Task { try await RawHTTPClient.exchange(port: port, sending: "") }
            for _ in 0..<100 where server.openConnectionCount < 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(server.openConnectionCount == 1)
            let start = ContinuousClock.now
            #expect(try await RawHTTPClient.get(port: port, "/health").statusLine == "HTTP/1.1 200 OK")
            // The holder was closed to make room (long before its 30 s idle timeout).
            #expect(try await holder.value == "")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test func concurrentScrapesAllSucceed() async throws {
        try await withServer { port, _ in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await RawHTTPClient.get(port: port, "/health").body }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(bodies.count == 8)
            #expect(Set(bodies).count == 1)
        }
    }

    @Test func bindingAnAddressInUseFailsClearly() async throws {
        try await withServer { port, _ in
            let second = try ExporterServer(
                configuration: .init(host: "127.0.0.1", port: port),
                provider: FixedSnapshotProvider(fixed: Fixtures.snapshot()),
                processMetrics: ProcessMetrics(buildInfo: BuildInfo(version: "0")), logger: Logger(label: "test"))
            await #expect(throws: ExporterServerError.addressInUse(host: "127.0.0.1", port: port)) {
                try await second.start()
            }
        }
    }

    @Test func runServesUntilCancelled() async throws {
        let server = try ExporterServer(
            configuration: .init(host: "127.0.0.1", port: 0),
            provider: FixedSnapshotProvider(fixed: Fixtures.snapshot()),
            processMetrics: ProcessMetrics(buildInfo: BuildInfo(version: "0")), logger: Logger(label: "test"))
        try await server.start()
        let port = try #require(server.boundPort)
        let running = Task { try await server.run() }
        #expect(try await RawHTTPClient.get(port: port, "/health").statusLine == "HTTP/1.1 200 OK")
        running.cancel()
        try await running.value
        #expect(server.boundPort == nil)
    }
}
