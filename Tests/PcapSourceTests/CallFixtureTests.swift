import Foundation
import PcapSource
import RTPCore
import Testing

/// The generated SIP fixtures (fixtures/generate.py, `sip_*`) against what their construction says
/// (`calls` in each expected.json), and against tshark's dissection of the same files as a third
/// opinion (the checks `SharedCaptureCallsTests` runs on the real captures).
@Suite("SIP call fixtures vs. their construction and tshark")
struct CallFixtureTests {
    static let fixtures = CaptureFixture.all().filter { $0.name.hasPrefix("sip_") }

    @Test func callFixturesArePresent() {
        #expect(Self.fixtures.count >= 4, "run `python3 fixtures/generate.py`")
    }

    @Test(arguments: fixtures)
    func callsMatchTheConstruction(_ fixture: CaptureFixture) throws {
        let doc = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: fixture.expectedPath))) as? [String: Any])
        let expectedCalls = try #require(doc["calls"] as? [[String: Any]], "\(fixture): no calls in expected.json")
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        try CaptureFile(path: fixture.pcapPath).feed(into: analyzer)
        let report = analyzer.report()
        let calls = try #require(report.calls, "\(fixture): no calls found")
        #expect(calls.map(\.callID) == expectedCalls.map { $0["call_id"] as? String ?? "?" }, "\(fixture): calls")
        if let t38 = (doc["summary"] as? [String: Any])?["t38"] as? Int {
            #expect(report.summary.demultiplexed["t38"] == UInt64(t38), "\(fixture): UDPTL datagrams kept out of RTP")
        }

        for want in expectedCalls {
            let callID = want["call_id"] as? String ?? "?"
            guard let call = calls.first(where: { $0.callID == callID }) else { continue }
            let label = "\(fixture) call \(callID)"
            let text: [(String, String?)] = [
                ("from", call.from), ("to", call.to), ("caller", call.caller), ("callee", call.callee),
                ("transport", call.transport), ("state", call.state.rawValue), ("ended_by", call.endedBy),
                ("reason", call.reason),
            ]
            for (key, value) in text {
                #expect(value == want[key] as? String, "\(label): \(key) \(value ?? "null"), expected \(want[key] ?? "null")")
            }
            let numbers: [(String, Double?)] = [
                ("final_code", call.finalCode.map(Double.init)), ("start_time", call.startTime),
                ("end_time", call.endTime), ("setup_ms", call.setupMs), ("answer_ms", call.answerMs),
                ("duration_s", call.durationS), ("sip_messages", Double(call.sipMessages)),
                ("retransmissions", Double(call.retransmissions)), ("reinvites", Double(call.reinvites)),
                ("packets", Double(call.packets)),
            ]
            for (key, value) in numbers {
                let expected = (want[key] as? NSNumber)?.doubleValue
                let same = switch (value, expected) {
                case (nil, nil): true
                case let (value?, expected?): abs(value - expected) <= 1e-6 * max(1, abs(expected))
                default: false
                }
                #expect(same, "\(label): \(key) \(value.map { String($0) } ?? "null"), expected \(expected.map { String($0) } ?? "null")")
            }
            for (key, value) in [("one_way_audio", call.oneWayAudio), ("no_rtp", call.noRTP), ("t38", call.t38)] {
                #expect(value == want[key] as? Bool, "\(label): \(key) \(value)")
            }
            let legs = want["legs"] as? [String: Int] ?? [:]
            for leg in call.legs {
                #expect(leg.packets == UInt64(legs[leg.from.rawValue] ?? -1), "\(label): packets from the \(leg.from)")
            }
            let wantStreams = want["streams"] as? [[String: Any]] ?? []
            #expect(Set(call.streams.map { "\($0.src)>\($0.dst)#\($0.ssrc)" }) == Set(wantStreams.compactMap { $0["key"] as? String }),
                    "\(label): streams")
            for wantStream in wantStreams {
                let key = wantStream["key"] as? String ?? "?"
                guard let stream = call.streams.first(where: { "\($0.src)>\($0.dst)#\($0.ssrc)" == key }) else { continue }
                #expect(stream.from.rawValue == wantStream["from"] as? String, "\(label) stream \(key): sender")
                #expect(stream.packets == (wantStream["packets"] as? NSNumber)?.uint64Value, "\(label) stream \(key): packets")
                guard let rtcp = wantStream["rtcp"] as? [String: Any] else { continue }
                let block = try #require(stream.rtcp, "\(label) stream \(key): the receiver's RTCP report is missing")
                #expect(block.cumulativeLost == (rtcp["cumulative_lost"] as? NSNumber)?.int32Value, "\(label) \(key): RTCP cumulative lost")
                #expect(block.fractionLost == (rtcp["fraction_lost"] as? NSNumber)?.doubleValue, "\(label) \(key): RTCP fraction lost")
                #expect(block.jitterMs == (rtcp["jitter_ms"] as? NSNumber)?.doubleValue, "\(label) \(key): RTCP jitter")
                #expect(block.roundTripMs.map { abs($0 - ((rtcp["rtt_ms"] as? NSNumber)?.doubleValue ?? -1)) < 1e-6 }
                            ?? (rtcp["rtt_ms"] is NSNull), "\(label) \(key): RTCP RTT")
            }
        }
    }

    /// tshark (sip,stat counts; per-frame Call-ID, codes, times; rtp.setup-frame per stream) on the
    /// same files.
    @Test(arguments: fixtures)
    func callsAgreeWithTshark(_ fixture: CaptureFixture) throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        try CaptureFile(path: fixture.pcapPath).feed(into: analyzer)
        let report = analyzer.report()
        let calls = report.calls ?? []
        let frames = try TsharkSIP.frames(in: fixture.pcapPath)
        let stat = try TsharkSIP.statistics(of: fixture.pcapPath)
        #expect(report.sip?.messages == stat.messages, "\(fixture): SIP messages")
        #expect(report.sip?.requests == stat.requests, "\(fixture): requests")
        #expect(report.sip?.responses == stat.responses, "\(fixture): responses")
        let expected = TsharkSIP.calls(from: frames)
        #expect(Set(calls.map(\.callID)) == Set(expected.map(\.callID)), "\(fixture): calls")
        for want in expected {
            guard let call = calls.first(where: { $0.callID == want.callID }) else { continue }
            #expect(call.finalCode == want.finalCode, "\(fixture) \(want.callID): final code")
            #expect(call.setupMs.map { abs($0 - (want.setupMs ?? -1)) < 0.001 } ?? (want.setupMs == nil),
                    "\(fixture) \(want.callID): setup")
        }
        for (key, frame) in try TsharkSIP.streamSetups(in: fixture.pcapPath) {
            let expectedCallID = frames.first { $0.number == frame }?.callID
            let owner = calls.first { $0.streams.contains { "\($0.src)>\($0.dst)#\($0.ssrc)" == key } }
            #expect(owner?.callID == expectedCallID, "\(fixture): stream \(key) in \(owner?.callID ?? "no call"), tshark: SDP of frame \(frame)")
        }
    }
}
