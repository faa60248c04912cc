@testable import RTPCore

/// Builds SIP messages and whole calls (SIP + RTP + RTCP) as datagrams for the call tests. The text
/// is what real user agents send (RFC 3261 §24.2's example flow, with SDP offer/answer).
struct SIPCallScript {
    var callID = "a84b4c76e66710@pc33.atlanta.example.com"
    var caller = Endpoint("192.0.2.10:5060")!
    var callee = Endpoint("192.0.2.20:5060")!
    var callerMedia = Endpoint("192.0.2.10:49170")!
    var calleeMedia = Endpoint("192.0.2.20:3456")!
    var fromTag = "1928301774"
    var toTag = "a6c85cf"
    var branch = "z9hG4bK776asdhds"
    var fromURI = "sip:alice@atlanta.example.com"
    var toURI = "sip:bob@biloxi.example.com"
    var cseq: UInt32 = 314159

    /// `m=audio` SDP announcing `media` (the address goes in a session-level c= line).
    static func sdp(_ media: Endpoint, payloadTypes: [UInt8] = [0, 8, 101], direction: String? = nil,
                    mediaLine: String? = nil) -> String {
        let family = media.address.family == .v6 ? "IP6" : "IP4"
        var lines = [
            "v=0", "o=- 2890844526 2890844526 IN \(family) \(media.address)", "s=-",
            "c=IN \(family) \(media.address)", "t=0 0",
            mediaLine ?? "m=audio \(media.port) RTP/AVP \(payloadTypes.map(String.init).joined(separator: " "))",
        ]
        if mediaLine == nil {
            lines += ["a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000"]
        }
        if let direction { lines.append("a=\(direction)") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A T.38 re-offer on `media`.
    static func t38SDP(_ media: Endpoint) -> String {
        sdp(media, mediaLine: "m=image \(media.port) udptl t38") + "a=T38FaxVersion:0\r\na=T38FaxRateManagement:transferredTCF\r\n"
    }

    func request(_ method: String, cseq: UInt32? = nil, cseqMethod: String? = nil, toTag: String? = nil,
                 branch: String? = nil, body: String = "", extraHeaders: [String] = []) -> String {
        var lines = [
            "\(method) \(toURI) SIP/2.0",
            "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=\(branch ?? self.branch + method)",
            "Max-Forwards: 70",
            "To: Bob <\(toURI)>" + (toTag.map { ";tag=\($0)" } ?? ""),
            "From: Alice <\(fromURI)>;tag=\(fromTag)",
            "Call-ID: \(callID)",
            "CSeq: \(cseq ?? self.cseq) \(cseqMethod ?? method)",
            "Contact: <sip:alice@\(caller)>",
            "User-Agent: test-caller/1.0",
        ] + extraHeaders
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// A request the callee sends in the dialog (BYE from Bob): From/To swapped.
    func calleeRequest(_ method: String, cseq: UInt32 = 231, body: String = "") -> String {
        var lines = [
            "\(method) sip:alice@\(caller) SIP/2.0",
            "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1",
            "To: Alice <\(fromURI)>;tag=\(fromTag)",
            "From: Bob <\(toURI)>;tag=\(toTag)",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
        ]
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    func response(_ code: Int, _ reason: String, to method: String = "INVITE", cseq: UInt32? = nil,
                  toTag: String?? = .none, branch: String? = nil, body: String = "") -> String {
        let tag: String? = toTag ?? (code > 100 ? self.toTag : nil)
        var lines = [
            "SIP/2.0 \(code) \(reason)",
            "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=\(branch ?? self.branch + method);received=\(caller.address)",
            "To: Bob <\(toURI)>" + (tag.map { ";tag=\($0)" } ?? ""),
            "From: Alice <\(fromURI)>;tag=\(fromTag)",
            "Call-ID: \(callID)",
            "CSeq: \(cseq ?? self.cseq) \(method)",
            "Server: test-callee/2.0",
        ]
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// The callee's response to one of its own requests (e.g. 200 to its BYE), sent by the caller.
    func responseToCallee(_ code: Int, _ reason: String, to method: String, cseq: UInt32 = 231) -> String {
        [
            "SIP/2.0 \(code) \(reason)",
            "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1",
            "To: Alice <\(fromURI)>;tag=\(fromTag)",
            "From: Bob <\(toURI)>;tag=\(toTag)",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
            "Content-Length: 0",
        ].joined(separator: "\r\n") + "\r\n\r\n"
    }
}

/// Feeds SIP and RTP to an analyzer on a millisecond clock.
struct CallFeeder {
    let analyzer: StreamAnalyzer
    static let epoch: Nanoseconds = 1_700_000_000_000_000_000

    init(mode: AnalyzerConfiguration.Mode = .strict, configure: (inout AnalyzerConfiguration) -> Void = { _ in }) {
        var configuration = AnalyzerConfiguration()
        configuration.mode = mode
        configure(&configuration)
        analyzer = StreamAnalyzer(configuration: configuration)
    }

    static func time(_ milliseconds: Double) -> Nanoseconds {
        epoch + Nanoseconds((milliseconds * 1_000_000).rounded())
    }

    func sip(_ text: String, at milliseconds: Double, from source: Endpoint, to destination: Endpoint,
             transport: TransportProtocol = .udp, process: ProcessContext? = nil) {
        bytes(Array(text.utf8), at: milliseconds, from: source, to: destination, transport: transport, process: process)
    }

    func bytes(_ bytes: [UInt8], at milliseconds: Double, from source: Endpoint, to destination: Endpoint,
               transport: TransportProtocol = .udp, originalLength: Int? = nil, process: ProcessContext? = nil) {
        bytes.withUnsafeBytes {
            analyzer.ingest(Datagram(time: Self.time(milliseconds), transport: transport, source: source,
                                     destination: destination, payload: $0, originalLength: originalLength,
                                     process: process))
        }
    }

    /// `count` RTP packets 20 ms apart (PT 0, 160 samples each) starting at `milliseconds`.
    func rtp(from source: Endpoint, to destination: Endpoint, ssrc: UInt32, at milliseconds: Double,
             count: Int, firstSequence: UInt16 = 1000, skipping: Set<Int> = [], process: ProcessContext? = nil) {
        for index in 0..<count where !skipping.contains(index) {
            let packet = StatsFixture.rtp(seq: firstSequence &+ UInt16(index), ts: UInt32(index * 160), ssrc: ssrc)
            bytes(packet, at: milliseconds + Double(index) * 20, from: source, to: destination, process: process)
        }
    }

    /// INVITE/100/180/200/ACK, RTP both ways for `talkMs`, BYE/200 from the caller.
    @discardableResult
    func basicCall(_ script: SIPCallScript, at start: Double = 0, talkMs: Double = 2000,
                   callerToCallee: Bool = true, calleeToCaller: Bool = true, bye: Bool = true) -> Double {
        sip(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)), at: start,
            from: script.caller, to: script.callee)
        sip(script.response(100, "Trying"), at: start + 5, from: script.callee, to: script.caller)
        sip(script.response(180, "Ringing"), at: start + 120, from: script.callee, to: script.caller)
        sip(script.response(200, "OK", body: SIPCallScript.sdp(script.calleeMedia)), at: start + 3000,
            from: script.callee, to: script.caller)
        sip(script.request("ACK", toTag: script.toTag), at: start + 3010, from: script.caller, to: script.callee)
        let packets = Int(talkMs / 20)
        if callerToCallee {
            rtp(from: script.callerMedia, to: script.calleeMedia, ssrc: 0x1111_0000 ^ UInt32(script.callerMedia.port),
                at: start + 3020, count: packets)
        }
        if calleeToCaller {
            rtp(from: script.calleeMedia, to: script.callerMedia, ssrc: 0x2222_0000 ^ UInt32(script.calleeMedia.port),
                at: start + 3025, count: packets)
        }
        let end = start + 3020 + talkMs + 100
        if bye {
            sip(script.request("BYE", cseq: script.cseq + 1, toTag: script.toTag), at: end,
                from: script.caller, to: script.callee)
            sip(script.response(200, "OK", to: "BYE", cseq: script.cseq + 1), at: end + 8,
                from: script.callee, to: script.caller)
        }
        return end
    }
}

extension StatsFixture {
    /// An RTCP RR (RFC 3550 §6.4.2) from `reporter` with one report block about `source`.
    static func receiverReport(reporter: UInt32, about source: UInt32, fractionLost: UInt8, cumulativeLost: UInt32,
                               jitter: UInt32, highestSequence: UInt32 = 1099) -> [UInt8] {
        [0x81, 201, 0, 7] + withBigEndian(reporter) + withBigEndian(source)
            + [fractionLost] + Array(withBigEndian(cumulativeLost & 0xFF_FFFF)[1...])
            + withBigEndian(highestSequence) + withBigEndian(jitter) + withBigEndian(0) + withBigEndian(0)
    }
}
