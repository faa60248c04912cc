import Testing
@testable import RTPCore

@Suite struct SDPParserTests {
    /// A WebRTC-style offer with CRLF line ends: rtcp-mux, a=rtcp, audio + video + data channel.
    static let webRTCOffer = [
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1 2",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 126",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:126 telephone-event/8000",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
        "c=IN IP4 0.0.0.0",
        "a=rtcp-mux",
        "a=rtpmap:96 VP8/90000",
        "a=rtpmap:97 rtx/90000",
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
        "",
    ].joined(separator: "\r\n")

    @Test func webRTCOfferWithCRLF() throws {
        let session = try SDPParser.parse(Self.webRTCOffer)
        #expect(session.connectionAddress == nil)
        #expect(session.media.map(\.media) == ["audio", "video", "application"])
        let audio = session.media[0]
        #expect(audio.port == 9)
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.payloadTypes == [111, 0, 126])
        #expect(audio.rtpMaps == [
            RTPMap(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2),
            RTPMap(payloadType: 0, encoding: "PCMU", clockRate: 8000),
            RTPMap(payloadType: 126, encoding: "telephone-event", clockRate: 8000),
        ])
        #expect(audio.rtcpMux)
        #expect(audio.rtcpPort == 9)
        #expect(audio.connectionAddress == "0.0.0.0")
        #expect(session.media[1].rtcpPort == nil)
        #expect(session.media[1].expectedRTCPPort == 9)   // rtcp-mux: the RTP port
        #expect(session.media[2].isRTP == false)
        #expect(session.media[2].payloadTypes == [])
        #expect(session.clockRates == [111: 48000, 0: 8000, 126: 8000, 96: 90000, 97: 90000])
    }

    @Test func classicSIPOfferWithLFAndUnknownLines() throws {
        let text = """
            v=0
            o=alice 2890844526 2890844526 IN IP4 10.0.0.1
            s=call
            c=IN IP4 224.2.36.42/127

            b=AS:64
            t=0 0
            m=audio 49170/2 RTP/AVP 0 8 101 \t
            a=rtpmap:101 telephone-event/8000
            a=sendrecv
            x=an unknown line type
            """
        let session = try SDPParser.parse(text)
        #expect(session.connectionAddress == "224.2.36.42")
        let audio = try #require(session.media.first)
        #expect(audio.port == 49170)
        #expect(audio.portCount == 2)
        #expect(audio.formats == ["0", "8", "101"])
        #expect(audio.rtcpMux == false)
        #expect(audio.expectedRTCPPort == 49171)   // RFC 3550: RTP port + 1
        // Static payload types 0 and 8 have no rtpmap here: clockRates lists rtpmap entries only.
        #expect(session.clockRates == [101: 8000])
    }

    /// The same payload type mapped differently in two sections: the first section wins in the
    /// session-wide table, and the port picks the right section.
    @Test func conflictingPayloadTypeMappings() throws {
        let session = try SDPParser.parse("""
            v=0
            m=video 5004 RTP/AVP 96
            a=rtpmap:96 H264/90000
            a=rtpmap:96 VP8/90000
            m=audio 5006 RTP/AVP 96
            a=rtpmap:96 opus/48000/2
            """)
        #expect(session.clockRates == [96: 90000])
        #expect(session.media[0].rtpMaps.map(\.encoding) == ["H264"])   // a repeated PT keeps its first mapping
        #expect(session.clockRate(forPayloadType: 96, port: 5006) == 48000)
        #expect(session.clockRate(forPayloadType: 96, port: 5004) == 90000)
        #expect(session.clockRate(forPayloadType: 96, port: 7000) == 90000)
        #expect(session.clockRate(forPayloadType: 96, port: nil) == 90000)
        #expect(session.clockRate(forPayloadType: 97, port: 5006) == nil)
    }

    private func failure(_ text: String) -> SDPError? {
        do {
            _ = try SDPParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("", SDPError(line: 1, reason: .missingVersion)),
        ("\n\n", SDPError(line: 1, reason: .missingVersion)),
        ("hello world", SDPError(line: 1, reason: .missingVersion)),
        ("s=-\nv=0", SDPError(line: 1, reason: .missingVersion)),
        ("v=1", SDPError(line: 1, reason: .unsupportedVersion("1"))),
        ("v=0\nthis is garbage", SDPError(line: 2, reason: .malformedLine("this is garbage"))),
        ("v=0\n=x", SDPError(line: 2, reason: .malformedLine("=x"))),
        ("v=0\na=rtpmap:0 PCMU/8000", SDPError(line: 2, reason: .mediaAttributeOutsideMedia("rtpmap"))),
        ("v=0\na=rtcp-mux", SDPError(line: 2, reason: .mediaAttributeOutsideMedia("rtcp-mux"))),
        ("v=0\nc=IN IP4", SDPError(line: 2, reason: .badConnection("IN IP4"))),
        ("v=0\nc=XX IP4 1.2.3.4", SDPError(line: 2, reason: .badConnection("XX IP4 1.2.3.4"))),
        ("v=0\nm=audio", SDPError(line: 2, reason: .badMedia("audio"))),
        ("v=0\nm=audio 5004 RTP/AVP", SDPError(line: 2, reason: .badMedia("audio 5004 RTP/AVP"))),
        ("v=0\nm=audio x RTP/AVP 0", SDPError(line: 2, reason: .badMedia("audio x RTP/AVP 0"))),
        ("v=0\nm=audio 70000 RTP/AVP 0", SDPError(line: 2, reason: .badMedia("audio 70000 RTP/AVP 0"))),
        ("v=0\nm=audio 5004/0 RTP/AVP 0", SDPError(line: 2, reason: .badMedia("audio 5004/0 RTP/AVP 0"))),
        ("v=0\nm=audio 5004 RTP/AVP 128", SDPError(line: 2, reason: .badMedia("audio 5004 RTP/AVP 128"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:abc PCMU/8000", SDPError(line: 3, reason: .badRTPMap("abc PCMU/8000"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:128 X/8000", SDPError(line: 3, reason: .badRTPMap("128 X/8000"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU", SDPError(line: 3, reason: .badRTPMap("0 PCMU"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU/0", SDPError(line: 3, reason: .badRTPMap("0 PCMU/0"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 /8000", SDPError(line: 3, reason: .badRTPMap("0 /8000"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 opus/48000/x", SDPError(line: 3, reason: .badRTPMap("0 opus/48000/x"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 a/1/2/3", SDPError(line: 3, reason: .badRTPMap("0 a/1/2/3"))),
        ("v=0\nm=audio 5004 RTP/AVP 0\na=rtcp:port", SDPError(line: 3, reason: .badRTCPAttribute("port"))),
        ("v=0\r\ns=-\r\nm=audio 5004 RTP/AVP 0\r\na=rtpmap:x\r\n", SDPError(line: 4, reason: .badRTPMap("x"))),
    ])
    func rejectsGarbageWithLineAndReason(text: String, expected: SDPError) {
        #expect(failure(text) == expected)
    }

    @Test func errorDescriptionsAreOneLine() {
        let error = SDPError(line: 4, reason: .badRTPMap("abc PCMU/8000"))
        #expect(error.description
            == "SDP line 4: bad a=rtpmap, expected '<pt 0-127> <encoding>/<clock>[/<channels>]': 'abc PCMU/8000'")
        let long = SDPError(line: 2, reason: .malformedLine(String(repeating: "z", count: 100)))
        #expect(long.description == "SDP line 2: not a <type>=<value> line: '\(String(repeating: "z", count: 60))…'")
        #expect(SDPError(line: 1, reason: .missingVersion).description == "SDP line 1: SDP must start with a v= line")
    }
}
