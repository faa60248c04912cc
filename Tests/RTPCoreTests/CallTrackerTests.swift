import Testing
@testable import RTPCore

/// Calls built message by message with known content: every expected value below follows from the
/// script (times in ms on the feeder's clock).
@Suite struct CallTrackerTests {
    static func onlyCall(_ feeder: CallFeeder) throws -> CallReport {
        let calls = try #require(feeder.analyzer.report().calls)
        try #require(calls.count == 1)
        return calls[0]
    }

    /// INVITE/100/180/200/ACK, two RTP legs of 100 packets, BYE/200 (RFC 3261 §24.2's flow).
    @Test func basicCallGroupedWithBothLegs() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        let end = feeder.basicCall(script)
        let report = feeder.analyzer.report()
        let call = try Self.onlyCall(feeder)
        #expect(call.callID == script.callID)
        #expect(call.from == "alice@atlanta.example.com")
        #expect(call.to == "bob@biloxi.example.com")
        #expect(call.fromDisplayName == "Alice")
        #expect(call.caller == "192.0.2.10:5060")
        #expect(call.callee == "192.0.2.20:5060")
        #expect(call.state == .completed)
        #expect(call.finalCode == 200)
        #expect(call.endedBy == "caller")
        #expect(call.setupMs == 120)      // INVITE at 0, 180 at 120
        #expect(call.answerMs == 3000)
        #expect(abs((call.durationS ?? 0) - (end - 3000) / 1000) < 1e-6)
        #expect(call.startTime == CallStreamTime.seconds(0))
        #expect(call.sipMessages == 7)
        #expect(call.retransmissions == 0)
        #expect(call.callerUserAgent == "test-caller/1.0")
        #expect(call.calleeUserAgent == "test-callee/2.0")
        #expect(call.media.map(\.side) == [.caller, .callee])
        #expect(call.media.map(\.port) == [49170, 3456])
        #expect(call.media[0].codecs == ["PCMU/8000", "PCMA/8000", "telephone-event/8000"])
        #expect(call.media[1].message == "200 INVITE")
        #expect(call.streams.count == 2)
        #expect(Set(call.streams.map(\.from)) == [.caller, .callee])
        #expect(call.streams.allSatisfy { $0.matchedBy == "destination" })
        #expect(call.packets == 200)
        #expect(call.lost == 0)
        #expect(call.lossRatio == 0)
        #expect(!call.oneWayAudio && !call.noRTP && !call.t38)
        #expect(call.legs.map(\.expected) == [true, true])
        // The call's stream keys are those of the report's streams.
        let keys = Set(report.streams.map { "\($0.src)>\($0.dst)#\($0.ssrc)" })
        #expect(Set(call.streams.map { "\($0.src)>\($0.dst)#\($0.ssrc)" }) == keys)
        #expect(report.sip?.messages == 7)
        #expect(report.sip?.requests == ["INVITE": 1, "ACK": 1, "BYE": 1])
        #expect(report.sip?.responses == ["100": 1, "180": 1, "200": 2])
    }

    @Test func oneWayAudio() throws {
        let feeder = CallFeeder()
        feeder.basicCall(SIPCallScript(), calleeToCaller: false)
        let call = try Self.onlyCall(feeder)
        #expect(call.oneWayAudio)
        #expect(!call.noRTP)
        #expect(call.legs.map(\.packets) == [100, 0])
    }

    @Test func answeredCallWithoutRTP() throws {
        let feeder = CallFeeder()
        feeder.basicCall(SIPCallScript(), callerToCallee: false, calleeToCaller: false)
        let call = try Self.onlyCall(feeder)
        #expect(call.noRTP)
        #expect(!call.oneWayAudio)
        #expect(call.streams.isEmpty)
        #expect(call.lossRatio == nil)
    }

    /// A held call (the re-INVITE says sendonly) expects no media from the held side.
    @Test func holdIsNotOneWayAudio() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        feeder.sip(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia, direction: "sendonly")), at: 0,
                   from: script.caller, to: script.callee)
        feeder.sip(script.response(200, "OK", body: SIPCallScript.sdp(script.calleeMedia, direction: "recvonly")),
                   at: 100, from: script.callee, to: script.caller)
        feeder.rtp(from: script.callerMedia, to: script.calleeMedia, ssrc: 7, at: 200, count: 50)
        let call = try Self.onlyCall(feeder)
        #expect(call.legs.map(\.expected) == [true, false])
        #expect(!call.oneWayAudio && !call.noRTP)
    }

    /// 407 challenge, the authenticated INVITE (CSeq + 1) rings and is CANCELled: 487 is final.
    @Test func challengedThenCancelled() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        let (a, b) = (script.caller, script.callee)
        feeder.sip(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)), at: 0, from: a, to: b)
        feeder.sip(script.response(407, "Proxy Authentication Required"), at: 40, from: b, to: a)
        feeder.sip(script.request("ACK", cseq: script.cseq, toTag: script.toTag), at: 45, from: a, to: b)
        feeder.sip(script.request("INVITE", cseq: script.cseq + 1, branch: "z9hG4bKsecond",
                                  body: SIPCallScript.sdp(script.callerMedia)), at: 60, from: a, to: b)
        feeder.sip(script.response(183, "Session Progress", cseq: script.cseq + 1, branch: "z9hG4bKsecond",
                                   body: SIPCallScript.sdp(script.calleeMedia)), at: 300, from: b, to: a)
        // Early media from the callee, then the caller gives up.
        feeder.rtp(from: script.calleeMedia, to: script.callerMedia, ssrc: 9, at: 320, count: 20)
        feeder.sip(script.request("CANCEL", cseq: script.cseq + 1, branch: "z9hG4bKsecond",
                                  extraHeaders: ["Reason: Q.850;cause=16"]), at: 900, from: a, to: b)
        feeder.sip(script.response(200, "OK", to: "CANCEL", cseq: script.cseq + 1, branch: "z9hG4bKsecond"),
                   at: 910, from: b, to: a)
        feeder.sip(script.response(487, "Request Terminated", cseq: script.cseq + 1, branch: "z9hG4bKsecond"),
                   at: 920, from: b, to: a)
        let call = try Self.onlyCall(feeder)
        #expect(call.state == .cancelled)
        #expect(call.finalCode == 487)
        #expect(call.endedBy == "cancel")
        #expect(call.reason == "Q.850;cause=16")
        #expect(call.setupMs == 300)     // from the first INVITE: the user waited through the challenge
        #expect(call.answerTime == nil)
        #expect(call.durationS == nil)
        #expect(call.streams.count == 1)  // early media belongs to the call
        #expect(call.streams[0].from == .callee)
        #expect(!call.noRTP && !call.oneWayAudio)   // nothing was expected of an unanswered call
    }

    @Test func declined() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        feeder.sip(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)), at: 0,
                   from: script.caller, to: script.callee)
        feeder.sip(script.response(603, "Decline"), at: 17, from: script.callee, to: script.caller)
        let call = try Self.onlyCall(feeder)
        #expect(call.state == .failed)
        #expect(call.finalCode == 603)
        #expect(call.endedBy == "failure")
        #expect(call.setupMs == nil)
        #expect(call.endTime == CallStreamTime.seconds(17))
    }

    /// The same INVITE three times on one hop (timer A) is one message and two retransmissions.
    @Test func retransmissions() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        let invite = script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia))
        for time in [0.0, 500, 1500] { feeder.sip(invite, at: time, from: script.caller, to: script.callee) }
        let call = try Self.onlyCall(feeder)
        #expect(call.sipMessages == 1)
        #expect(call.retransmissions == 2)
        #expect(feeder.analyzer.report().sip?.retransmissions == 2)
        #expect(feeder.analyzer.report().sip?.messages == 3)
    }

    /// Live, a message between two local processes is seen leaving one socket and reaching the
    /// other: one message on the wire. An INVITE sent twice (timer A) and its 200, each seen at
    /// both ends: 2 messages and 1 retransmission, as a capture of the wire would count them.
    @Test func liveCopiesAtBothEndsAreOneMessage() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        let phone = (sent: ProcessContext(pid: 100, comm: "baresip", direction: .sent),
                     received: ProcessContext(pid: 100, comm: "baresip", direction: .received))
        let pbx = (sent: ProcessContext(pid: 200, comm: "asterisk", direction: .sent),
                   received: ProcessContext(pid: 200, comm: "asterisk", direction: .received))
        let invite = script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia))
        for time in [0.0, 500] {
            feeder.sip(invite, at: time, from: script.caller, to: script.callee, process: phone.sent)
            feeder.sip(invite, at: time + 0.05, from: script.caller, to: script.callee, process: pbx.received)
        }
        let ok = script.response(200, "OK", body: SIPCallScript.sdp(script.calleeMedia))
        feeder.sip(ok, at: 600, from: script.callee, to: script.caller, process: pbx.sent)
        feeder.sip(ok, at: 600.05, from: script.callee, to: script.caller, process: phone.received)
        let call = try Self.onlyCall(feeder)
        #expect(call.sipMessages == 2)
        #expect(call.retransmissions == 1)
        #expect(call.state == .answered)
        let sip = try #require(feeder.analyzer.report().sip)
        #expect(sip.messages == 3)
        #expect(sip.retransmissions == 1)
        #expect(sip.requests["INVITE"] == 2)
        #expect(sip.responses["200"] == 1)
        #expect(call.processes?.map(\.pid) == [100, 200], "both ends carry the call")
    }

    /// Live, a leg between two local sockets is seen sent by one process and received by the other:
    /// the call lists both views but counts the leg once, as the receiver saw it (100 sent, 3 lost
    /// on the way: 97 packets, 3 lost).
    @Test func liveLegSeenAtBothEndsCountsOnce() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        feeder.basicCall(script, callerToCallee: false, calleeToCaller: false)
        let ssrc: UInt32 = 0x3333_0001
        feeder.rtp(from: script.callerMedia, to: script.calleeMedia, ssrc: ssrc, at: 3020, count: 100,
                   process: ProcessContext(pid: 100, comm: "baresip", direction: .sent))
        feeder.rtp(from: script.callerMedia, to: script.calleeMedia, ssrc: ssrc, at: 3020.1, count: 100,
                   skipping: [10, 11, 50], process: ProcessContext(pid: 200, comm: "asterisk", direction: .received))
        let call = try Self.onlyCall(feeder)
        #expect(call.streams.count == 2)
        #expect(Set(call.streams.compactMap(\.direction)) == [.sent, .received])
        #expect(call.legs.map(\.packets) == [97, 0])
        #expect(call.legs.map(\.streams) == [1, 0])
        #expect(call.packets == 97)
        #expect(call.lost == 3)
        #expect(call.expected == 100)
        #expect(call.oneWayAudio)
    }

    /// A re-INVITE moves the callee's media to a new port mid-call: the streams before and after
    /// both belong to the call.
    @Test func reinviteMovesMedia() throws {
        let feeder = CallFeeder()
        var script = SIPCallScript()
        feeder.basicCall(script, talkMs: 1000, bye: false)
        let moved = Endpoint("192.0.2.21:4000")!
        feeder.sip(script.calleeRequest("INVITE", cseq: 232, body: SIPCallScript.sdp(moved)), at: 5000,
                   from: script.callee, to: script.caller)
        feeder.sip(script.responseToCallee(200, "OK", to: "INVITE", cseq: 232), at: 5010, from: script.caller, to: script.callee)
        feeder.rtp(from: moved, to: script.callerMedia, ssrc: 0x3333, at: 5100, count: 50)
        feeder.rtp(from: script.callerMedia, to: moved, ssrc: 0x4444, at: 5105, count: 50)
        script.cseq += 1
        feeder.sip(script.request("BYE", toTag: script.toTag), at: 7000, from: script.caller, to: script.callee)
        let call = try Self.onlyCall(feeder)
        #expect(call.reinvites == 1)
        #expect(call.media.map(\.port) == [49170, 3456, 4000])
        #expect(call.media.last?.side == .callee)
        #expect(call.streams.count == 4)
        #expect(call.packets == 200)
        #expect(call.streams.filter { $0.dst == "192.0.2.21:4000" }.map(\.from) == [.caller])
        #expect(call.state == .completed)
    }

    /// After a re-INVITE to T.38 (`m=image … udptl t38`) the port carries UDPTL. Whatever those bytes
    /// look like, they are not RTP any more (tshark decodes them as T.38 from that SDP on).
    @Test(arguments: [AnalyzerConfiguration.Mode.strict, .wireshark])
    func t38SwitchStopsRTP(mode: AnalyzerConfiguration.Mode) throws {
        let feeder = CallFeeder(mode: mode)
        let script = SIPCallScript()
        feeder.basicCall(script, talkMs: 1000, bye: false)
        feeder.sip(script.calleeRequest("INVITE", cseq: 232, body: SIPCallScript.t38SDP(script.calleeMedia)), at: 5000,
                   from: script.callee, to: script.caller)
        feeder.sip(script.responseToCallee(200, "OK", to: "INVITE", cseq: 232), at: 5010, from: script.caller, to: script.callee)
        // UDPTL whose first byte looks like RTP version 2 (sequence 0x8000 onwards) on the same ports.
        for index in 0..<40 {
            let sequence = 0x8000 + index
            let udptl: [UInt8] = [UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0x06, 0xC0, 0x01, 0x80, 0x00, 0x00,
                                  UInt8(index), 0x11, 0x22, 0x33, 0x44, 0x55]
            feeder.bytes(udptl, at: 5100 + Double(index) * 30, from: script.calleeMedia, to: script.callerMedia)
            feeder.bytes(udptl, at: 5101 + Double(index) * 30, from: script.callerMedia, to: script.calleeMedia)
        }
        let report = feeder.analyzer.report()
        #expect(report.streams.count == 2)
        #expect(report.streams.allSatisfy { $0.packets == 50 })
        #expect(report.summary.demultiplexed["t38"] == 80)
        let call = try #require(report.calls?.first)
        #expect(call.t38)
        #expect(call.media.last?.media == "image")
        #expect(call.media.last?.t38 == true)
    }

    /// Consecutive calls reusing one port (sip-rtp-g726 does this): each stream goes to the call
    /// that announced the port last before the stream began.
    @Test func portReusedByLaterCall() throws {
        let feeder = CallFeeder()
        var first = SIPCallScript()
        first.callID = "first@example.com"
        var second = SIPCallScript()
        second.callID = "second@example.com"
        second.fromTag = "other"
        second.callerMedia = Endpoint("192.0.2.10:49172")!
        feeder.basicCall(first, at: 0, talkMs: 1000)
        feeder.basicCall(second, at: 10_000, talkMs: 1000)
        let calls = try #require(feeder.analyzer.report().calls)
        #expect(calls.map(\.callID) == ["first@example.com", "second@example.com"])
        #expect(calls.map(\.streams.count) == [2, 2])
        #expect(calls[1].streams.contains { $0.src == "192.0.2.20:3456" && $0.dst == "192.0.2.10:49172" })
        #expect(calls[0].streams.allSatisfy { $0.endTime < calls[1].startTime })
    }

    /// IPv6 signalling and media, media-level c= overriding the session's.
    @Test func ipv6MediaLevelConnection() throws {
        let feeder = CallFeeder()
        var script = SIPCallScript()
        script.caller = Endpoint("[2001:db8::10]:5060")!
        script.callee = Endpoint("[2001:db8::20]:5060")!
        script.callerMedia = Endpoint("[2001:db8::10]:49170")!
        script.calleeMedia = Endpoint("[2001:db8::99]:3456")!
        let answer = SIPCallScript.sdp(Endpoint("[2001:db8::20]:3456")!)
            .replacingFirst("a=rtpmap:0", with: "c=IN IP6 2001:db8::99\r\na=rtpmap:0")
        feeder.sip(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)), at: 0,
                   from: script.caller, to: script.callee)
        feeder.sip(script.response(200, "OK", body: answer), at: 50, from: script.callee, to: script.caller)
        feeder.rtp(from: script.callerMedia, to: script.calleeMedia, ssrc: 1, at: 100, count: 10)
        feeder.rtp(from: script.calleeMedia, to: script.callerMedia, ssrc: 2, at: 100, count: 10)
        let call = try Self.onlyCall(feeder)
        #expect(call.caller == "[2001:db8::10]:5060")
        #expect(call.media.map(\.address) == ["2001:db8::10", "2001:db8::99"])
        #expect(call.streams.count == 2)
        #expect(!call.oneWayAudio)
    }

    /// Live sockets bound to the wildcard show 0.0.0.0 as their local side: matched by port.
    @Test func wildcardLocalAddressMatchedByPort() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        let process = ProcessContext(pid: 42, comm: "softphone", direction: .sent)
        feeder.basicCall(script, callerToCallee: false, calleeToCaller: false)
        feeder.rtp(from: Endpoint("0.0.0.0:49170")!, to: script.calleeMedia, ssrc: 5, at: 4000, count: 10, process: process)
        let call = try Self.onlyCall(feeder)
        #expect(call.streams.count == 1)
        #expect(call.streams.first?.from == .caller)
        #expect(call.streams.first?.pid == 42)
    }

    /// A dual-stack socket bound to `::` shows its IPv4 peer as `::ffff:a.b.c.d` and itself as `::`.
    @Test func dualStackSocketMatched() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        feeder.basicCall(script, callerToCallee: false, calleeToCaller: false)
        let process = ProcessContext(pid: 7, comm: "pjsua", direction: .received)
        feeder.rtp(from: Endpoint("[::ffff:192.0.2.20]:3456")!, to: Endpoint("[::]:49170")!, ssrc: 9, at: 4000,
                   count: 10, process: process)
        let call = try Self.onlyCall(feeder)
        #expect(call.streams.map(\.from) == [.callee])
        #expect(call.streams.first?.matchedBy == "destination")
    }

    /// RTCP receiver reports about a stream appear beside the stream's own figures.
    @Test func rtcpBesideLocalFigures() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        feeder.basicCall(script, talkMs: 1000, bye: false)
        // The callee reports on the caller's stream from its RTCP port (RTP + 1): 5 % lost, jitter 80.
        let callerSSRC = 0x1111_0000 ^ UInt32(script.callerMedia.port)
        let rr = StatsFixture.receiverReport(reporter: 0xCA11EE, about: callerSSRC, fractionLost: 13,
                                             cumulativeLost: 5, jitter: 80)
        feeder.bytes(rr, at: 4100, from: Endpoint("192.0.2.20:3457")!, to: Endpoint("192.0.2.10:49171")!)
        let call = try Self.onlyCall(feeder)
        let stream = try #require(call.streams.first { $0.ssrc == callerSSRC })
        let block = try #require(stream.rtcp)
        #expect(block.cumulativeLost == 5)
        #expect(block.fractionLost == 13.0 / 256)
        #expect(block.jitterMs == 10)    // 80 ticks at 8 kHz
        #expect(stream.lost == 0)
        #expect(call.streams.first { $0.ssrc != callerSSRC }?.rtcp == nil)
    }

    /// Malformed SIP of every kind is counted under its own key, and never becomes a call.
    @Test func malformedSIPCounted() throws {
        let feeder = CallFeeder()
        let script = SIPCallScript()
        let (a, b) = (script.caller, script.callee)
        feeder.sip("INVITE  sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n", at: 0, from: a, to: b)
        feeder.sip("SIP/2.0 999 What\r\n\r\n", at: 1, from: a, to: b)
        feeder.sip("INVITE sip:bob@example.com SIP/2.0\r\nno colon here\r\n\r\n", at: 2, from: a, to: b)
        feeder.sip("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\n", at: 3, from: a, to: b)
        feeder.sip(script.request("INVITE").replacingFirst("Call-ID:", with: "X-Call-ID:"), at: 4, from: a, to: b)
        feeder.sip(script.request("INVITE") .replacingFirst("CSeq: 314159 INVITE", with: "CSeq: 314159 BYE"), at: 5, from: a, to: b)
        feeder.sip(script.request("INVITE").replacingFirst("Content-Length: 0", with: "Content-Length: zero"), at: 6, from: a, to: b)
        feeder.sip(script.request("INVITE").replacingFirst("Content-Length: 0", with: "Content-Length: 99"), at: 7, from: a, to: b)
        feeder.sip(script.request("INVITE").replacingFirst("Call-ID: ", with: "i: other\r\nCall-ID: "), at: 8, from: a, to: b)
        let cut = Array(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)).utf8)
        feeder.bytes(Array(cut[0..<256]), at: 9, from: a, to: b, originalLength: cut.count)
        var badSDP = script
        badSDP.callID = "bad-sdp@example.com"
        feeder.sip(badSDP.request("INVITE", body: "v=0\r\nm=audio notaport RTP/AVP 0\r\n"), at: 10, from: a, to: b)
        let report = feeder.analyzer.report()
        #expect(report.summary.malformed == [
            "sip_bad_start_line": 2, "sip_bad_header": 1, "sip_unterminated_headers": 1, "sip_missing_header": 1,
            "sip_bad_cseq": 1, "sip_bad_content_length": 1, "sip_body_truncated": 1, "sip_conflicting_headers": 1,
            "sip_truncated": 1, "sip_bad_sdp": 1,
        ])
        // The message with bad SDP is still a call (its SIP is fine); nothing else is.
        #expect(report.calls?.map(\.callID) == ["bad-sdp@example.com"])
        #expect(report.calls?.first?.media.isEmpty == true)
        #expect(report.summary.nonRTP == 11)
    }

    /// SDP seen in SIP still teaches dynamic payload types their clock (the one SIP path).
    @Test func sdpTeachesClockRates() throws {
        let feeder = CallFeeder(mode: .wireshark)
        let script = SIPCallScript()
        let offer = SIPCallScript.sdp(script.callerMedia, mediaLine: "m=audio 49170 RTP/AVP 99") + "a=rtpmap:99 G726-32/8000\r\n"
        feeder.sip(script.request("INVITE", body: offer), at: 0, from: script.caller, to: script.callee)
        for index in 0..<5 {
            var packet = StatsFixture.rtp(seq: UInt16(index), ts: UInt32(index * 160), ssrc: 77)
            packet[1] = 99
            feeder.bytes(packet, at: 100 + Double(index) * 20, from: script.calleeMedia, to: script.callerMedia)
        }
        let stream = try #require(feeder.analyzer.report().streams.first)
        #expect(stream.clockRate == 8000)
        #expect(stream.clockRateSource == .sdp)
    }

    /// Live: per-process counters of calls, for the processes that sent or received the SIP.
    @Test func perProcessCounters() throws {
        let feeder = CallFeeder()
        let phone = ProcessContext(pid: 100, comm: "baresip", direction: .sent)
        let pbx = ProcessContext(pid: 200, comm: "asterisk", direction: .received)
        var answered = SIPCallScript()
        answered.callID = "answered@x"
        var refused = SIPCallScript()
        refused.callID = "refused@x"
        let (a, b) = (answered.caller, answered.callee)
        for (script, process) in [(answered, phone), (answered, pbx)] {
            feeder.sip(script.request("INVITE"), at: 0, from: a, to: b, process: process)
        }
        feeder.sip(answered.response(200, "OK"), at: 100, from: b, to: a,
                   process: ProcessContext(pid: 200, comm: "asterisk", direction: .sent))
        feeder.sip(refused.request("INVITE"), at: 200, from: a, to: b, process: phone)
        feeder.sip(refused.response(486, "Busy Here"), at: 300, from: b, to: a,
                   process: ProcessContext(pid: 100, comm: "baresip", direction: .received))
        feeder.sip(answered.request("BYE", cseq: answered.cseq + 1, toTag: answered.toTag), at: 400, from: a, to: b, process: phone)
        let counters = feeder.analyzer.calls.processCounters
        let phoneCounters = try #require(counters[ProcessIdentity(pid: 100, comm: "baresip")])
        #expect(phoneCounters.started == 2)
        #expect(phoneCounters.completed == 1)
        #expect(phoneCounters.failed == 1)
        #expect(phoneCounters.active == 0)
        let pbxCounters = try #require(counters[ProcessIdentity(pid: 200, comm: "asterisk")])
        #expect(pbxCounters.started == 1)
        #expect(pbxCounters.completed == 1)
        #expect(feeder.analyzer.report().calls?.first?.processes?.map(\.pid) == [100, 200])
    }

    /// Bounds: the call cap drops the oldest call (counted); live expiry drops ended calls after
    /// the linger time and silent unanswered ones after their timeout.
    @Test func boundedAndExpiring() throws {
        let feeder = CallFeeder { configuration in
            configuration.maxCalls = 3
            configuration.streamIdleTimeout = 60_000_000_000
        }
        for index in 0..<5 {
            var script = SIPCallScript()
            script.callID = "call-\(index)"
            feeder.sip(script.request("INVITE"), at: Double(index) * 1000, from: script.caller, to: script.callee)
        }
        #expect(feeder.analyzer.calls.callCount == 3)
        #expect(feeder.analyzer.report().calls?.map(\.callID) == ["call-2", "call-3", "call-4"])
        #expect(feeder.analyzer.report().sip?.callsEvicted == 2)
        // An ended call lingers 60 s; unanswered ones last 300 s without SIP.
        var ended = SIPCallScript()
        ended.callID = "call-4"
        feeder.sip(ended.response(486, "Busy Here"), at: 5000, from: ended.callee, to: ended.caller)
        feeder.analyzer.evictIdleStreams(now: CallFeeder.time(5000 + 61_000))
        #expect(feeder.analyzer.report().calls?.map(\.callID) == ["call-2", "call-3"])
        feeder.analyzer.evictIdleStreams(now: CallFeeder.time(3000 + 301_000))
        #expect(feeder.analyzer.report().calls?.isEmpty == true)
        #expect(feeder.analyzer.report().sip?.callsExpired == 2)
    }
}

/// Many calls at once, interleaved as a busy trunk interleaves them: every call set up before any
/// media, media of all calls mixed packet by packet, then every BYE.
@Suite struct ConcurrentCallsTests {
    @Test func fifteenHundredConcurrentCalls() throws {
        let feeder = CallFeeder()
        let count = 1500
        let scripts = (0..<count).map { index -> SIPCallScript in
            var script = SIPCallScript()
            script.callID = "call-\(index)@trunk.example"
            script.fromTag = "f\(index)"
            script.toTag = "t\(index)"
            script.callerMedia = Endpoint(address: IPAddress(v4: 0x0A01_0000 | UInt32(index >> 8)), port: 10_000 + UInt16(index % 256) * 2)
            script.calleeMedia = Endpoint(address: IPAddress(v4: 0x0A02_0000 | UInt32(index >> 8)), port: 30_000 + UInt16(index % 256) * 2)
            return script
        }
        var clock = 0.0
        func tick() -> Double { clock += 0.25; return clock }
        for script in scripts {
            feeder.sip(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)), at: tick(), from: script.caller, to: script.callee)
            feeder.sip(script.response(180, "Ringing"), at: tick(), from: script.callee, to: script.caller)
        }
        for script in scripts {
            feeder.sip(script.response(200, "OK", body: SIPCallScript.sdp(script.calleeMedia)), at: tick(), from: script.callee, to: script.caller)
            feeder.sip(script.request("ACK", toTag: script.toTag), at: tick(), from: script.caller, to: script.callee)
        }
        for round in 0..<5 {
            for (index, script) in scripts.enumerated() {
                // Every tenth call's callee sends nothing: one-way audio.
                let packet = StatsFixture.rtp(seq: UInt16(round), ts: UInt32(round * 160), ssrc: UInt32(index) * 2 + 1)
                feeder.bytes(packet, at: tick(), from: script.callerMedia, to: script.calleeMedia)
                if index % 10 != 0 {
                    let back = StatsFixture.rtp(seq: UInt16(round), ts: UInt32(round * 160), ssrc: UInt32(index) * 2 + 2)
                    feeder.bytes(back, at: tick(), from: script.calleeMedia, to: script.callerMedia)
                }
            }
        }
        for script in scripts {
            feeder.sip(script.request("BYE", cseq: script.cseq + 1, toTag: script.toTag), at: tick(), from: script.caller, to: script.callee)
        }
        let report = feeder.analyzer.report()
        let calls = try #require(report.calls)
        #expect(calls.count == count)
        #expect(calls.allSatisfy { $0.state == .completed && $0.finalCode == 200 })
        let oneWay = calls.filter(\.oneWayAudio)
        #expect(oneWay.count == count / 10)
        #expect(oneWay.allSatisfy { call in call.callID.dropFirst(5).prefix { $0 != "@" }.hasSuffix("0") })
        // Every stream the analysis confirmed is in exactly one call, and the right one.
        let placed = calls.flatMap { call in call.streams.map { (call.callID, $0) } }
        #expect(placed.count == report.streams.count)
        for (callID, stream) in placed {
            let index = Int(stream.ssrc - 1) / 2
            #expect(callID == "call-\(index)@trunk.example", "stream \(stream.ssrc) placed in \(callID)")
        }
    }
}

/// The feeder's clock in report units (seconds since the epoch).
enum CallStreamTime {
    static func seconds(_ milliseconds: Double) -> Double {
        CallTracker.seconds(CallFeeder.time(milliseconds))
    }
}
