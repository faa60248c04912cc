import Foundation
import Testing
@testable import Exporter
import RTPCore

/// `/streams?limit=&offset=`: every stream stays reachable, page by page, with the total.
@Suite struct StreamsPagingTests {
    private static let provider = ManyStreamsProvider(streams: 25)

    private func page(_ port: Int, _ query: String) async throws -> (status: String, json: [String: Any]) {
        let response = try await RawHTTPClient.get(port: port, "/streams\(query)")
        let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        return (response.statusLine, object ?? [:])
    }

    private func ssrcs(_ json: [String: Any]) -> [Int] {
        ((json["streams"] as? [[String: Any]]) ?? []).compactMap { $0["ssrc"] as? Int }
    }

    @Test func withoutParametersEveryStreamIsServedWithTheTotal() async throws {
        try await TestServer.with(.init(host: "127.0.0.1", port: 0), provider: Self.provider) { port, _ in
            let (status, json) = try await page(port, "")
            #expect(status == "HTTP/1.1 200 OK")
            #expect(ssrcs(json) == Array(0..<25))
            #expect(json["total_streams"] as? Int == 25)
            #expect(json["offset"] == nil && json["limit"] == nil)
            // The report's own keys are all there (the shape of analyze --format json).
            #expect(json["rtcp"] != nil && json["summary"] != nil)
        }
    }

    @Test func pagesCoverEveryStreamExactlyOnce() async throws {
        try await TestServer.with(.init(host: "127.0.0.1", port: 0), provider: Self.provider) { port, _ in
            var seen: [Int] = []
            for offset in stride(from: 0, to: 30, by: 10) {
                let (status, json) = try await page(port, "?limit=10&offset=\(offset)")
                #expect(status == "HTTP/1.1 200 OK")
                #expect(json["total_streams"] as? Int == 25)
                #expect(json["offset"] as? Int == offset)
                #expect(json["limit"] as? Int == 10)
                seen += ssrcs(json)
            }
            #expect(seen == Array(0..<25))
            #expect(ssrcs(try await page(port, "?offset=1000").json) == [])
            #expect(ssrcs(try await page(port, "?limit=0").json) == [])
            #expect(ssrcs(try await page(port, "?offset=20").json) == Array(20..<25))
        }
    }

    /// A listing far beyond one piece (~3,700 bytes per stream, 64 KiB pieces) is written as the
    /// connection drains it, chunked, and arrives whole: every stream once, in order.
    @Test func aLargeListingIsWrittenInChunksAndArrivesWhole() async throws {
        let streams = 3_000
        try await TestServer.with(.init(host: "127.0.0.1", port: 0), provider: ManyStreamsProvider(streams: streams)) { port, _ in
            let response = try await RawHTTPClient.get(port: port, "/streams")
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.headers["transfer-encoding"] == "chunked")
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.body.utf8.count > 10 * 65_536)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
            #expect(ssrcs(json) == Array(0..<streams))
            #expect(json["total_streams"] as? Int == streams)
        }
    }

    @Test func invalidParametersAre400WithAReason() async throws {
        try await TestServer.with(.init(host: "127.0.0.1", port: 0), provider: Self.provider) { port, _ in
            for query in ["?limit=-1", "?limit=ten", "?offset=1e3", "?offset=99999999999999999999999"] {
                let response = try await RawHTTPClient.get(port: port, "/streams\(query)")
                #expect(response.statusLine == "HTTP/1.1 400 Bad Request", "\(query)")
                #expect(response.body.hasPrefix("limit must be") || response.body.hasPrefix("offset must be"))
            }
        }
    }

    @Test func windowArithmeticClampsToTheStreams() {
        #expect(StreamsPage.Window(offset: 0, limit: nil).range(in: 5) == 0..<5)
        #expect(StreamsPage.Window(offset: 3, limit: 10).range(in: 5) == 3..<5)
        #expect(StreamsPage.Window(offset: 9, limit: 1).range(in: 5) == 5..<5)
        #expect(StreamsPage.Window(offset: 1, limit: Int.max).range(in: 5) == 1..<5)
    }
}
