import Testing
@testable import RTPCore

@Suite struct SIPParserTests {
    static func parse(_ text: String, originalLength: Int? = nil) throws(SIPError) -> SIPMessage {
        let result = Array(text.utf8).withUnsafeBytes { buffer in
            Result<SIPMessage, SIPError> { () throws(SIPError) in try SIPParser.parse(buffer, originalLength: originalLength) }
        }
        return try result.get()
    }

    static func kind(_ text: String, originalLength: Int? = nil) -> SIPError.Kind? {
        do {
            _ = try parse(text, originalLength: originalLength)
            return nil
        } catch {
            return error.kind
        }
    }

    static func startsLikeSIP(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { SIPParser.startsLikeSIP($0) }
    }

    /// RFC 3261 §24.2 F1, with an SDP offer.
    @Test func inviteWithSDP() throws {
        let script = SIPCallScript()
        let message = try Self.parse(script.request("INVITE", body: SIPCallScript.sdp(script.callerMedia)))
        #expect(message.startLine == .request(method: "INVITE", uri: "sip:bob@biloxi.example.com"))
        #expect(message.callID == "a84b4c76e66710@pc33.atlanta.example.com")
        #expect(message.from == SIPNameAddress(displayName: "Alice", uri: "sip:alice@atlanta.example.com", tag: "1928301774"))
        #expect(message.to == SIPNameAddress(displayName: "Bob", uri: "sip:bob@biloxi.example.com", tag: nil))
        #expect(message.from.userAtHost == "alice@atlanta.example.com")
        #expect(message.cseq == SIPCSeq(number: 314159, method: "INVITE"))
        #expect(message.topViaBranch == "z9hG4bK776asdhdsINVITE")
        #expect(message.contentType == "application/sdp")
        #expect(message.userAgent == "test-caller/1.0")
        let session = try #require(try message.sessionDescription())
        #expect(session.connectionAddress == "192.0.2.10")
        #expect(session.media.map(\.port) == [49170])
        #expect(session.media[0].payloadTypes == [0, 8, 101])
    }

    @Test func response() throws {
        let message = try Self.parse(SIPCallScript().response(180, "Ringing"))
        #expect(message.startLine == .response(statusCode: 180, reason: "Ringing"))
        #expect(message.statusCode == 180)
        #expect(message.to.tag == "a6c85cf")
        #expect(message.cseq.method == "INVITE")
        #expect(message.userAgent == "test-callee/2.0")
        #expect(message.body.isEmpty)
    }

    /// Compact forms (§7.3.3), LF line ends, folded header values (§7.3.1), addr-spec From/To whose
    /// `;tag` is a header parameter, several Via values in one header, a quoted display name with an
    /// escaped quote, and no Content-Length over UDP (the body is the rest of the datagram).
    @Test func compactFormsFoldingAndLF() throws {
        let text = [
            "BYE sip:alice@192.0.2.10 SIP/2.0",
            "v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKtop, SIP/2.0/UDP ua.example.com;branch=z9hG4bKbottom",
            "f: \"Bob \\\"B\\\" Biloxi\" <sip:bob@biloxi.example.com>",
            "  ;tag=8321234356",
            "t: sip:alice@atlanta.example.com;tag=9fxced76sl",
            "i: 3848276298220188511@atlanta.example.com",
            "CSEQ:   2 BYE",
            "c: text/plain",
            "",
            "hello",
        ].joined(separator: "\n")
        let message = try Self.parse(text)
        #expect(message.method == "BYE")
        #expect(message.callID == "3848276298220188511@atlanta.example.com")
        #expect(message.from.displayName == "Bob \"B\" Biloxi")
        #expect(message.from.tag == "8321234356")
        #expect(message.to.uri == "sip:alice@atlanta.example.com")
        #expect(message.to.tag == "9fxced76sl")
        #expect(message.topViaBranch == "z9hG4bKtop")
        #expect(message.cseq == SIPCSeq(number: 2, method: "BYE"))
        #expect(message.contentType == "text/plain")
        #expect(message.body == Array("hello".utf8))
        #expect(try message.sessionDescription() == nil)
    }

    /// Bytes beyond Content-Length are not part of the message over UDP (§18.3).
    @Test func contentLengthBoundsTheBody() throws {
        let text = SIPCallScript().request("OPTIONS", body: "") + "trailing garbage"
        let message = try Self.parse(text)
        #expect(message.body.isEmpty)
    }

    /// SIP-I style: the SDP is one part of a multipart/mixed body.
    @Test func multipartBodyWithSDP() throws {
        let script = SIPCallScript()
        let sdp = SIPCallScript.sdp(script.callerMedia)
        let body = "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\n" + sdp
            + "\r\n--unique-boundary-1\r\nContent-Type: application/ISUP;version=nxv3\r\n\r\n\u{01}\u{02}\r\n--unique-boundary-1--\r\n"
        var text = script.request("INVITE", body: body)
        text = text.replacingFirst("Content-Type: application/sdp",
                                   with: "Content-Type: multipart/mixed;boundary=unique-boundary-1")
        let message = try Self.parse(text)
        #expect(message.contentType == "multipart/mixed")
        let session = try #require(try message.sessionDescription())
        #expect(session.media.first?.port == 49170)
    }

    /// Every refusal has its own counted kind.
    @Test(arguments: [
        ("INVITE sip:bob@example.com SIP/3.0\r\nCall-ID: x\r\n\r\n", SIPError.Kind.badStartLine),
        ("SIP/2.0 20 OK\r\nCall-ID: x\r\n\r\n", .badStartLine),
        ("SIP/2.0 700 Nope\r\nCall-ID: x\r\n\r\n", .badStartLine),
        ("INVITE  sip:bob@example.com SIP/2.0\r\n\r\n", .badStartLine),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID x\r\n\r\n", .badHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\n folded first\r\n\r\n", .badHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\nBad Name: 1\r\n\r\n", .badHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\n\r\n", .badHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>", .unterminatedHeaders),
        ("INVITE sip:bob@example.com SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\n\r\n", .missingHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\n\r\n", .missingHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\n", .missingHeader),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\ni: y\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\n\r\n", .conflictingHeaders),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 BYE\r\n\r\n", .badCSeq),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: one INVITE\r\n\r\n", .badCSeq),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 2147483648 INVITE\r\n\r\n", .badCSeq),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\nContent-Length: -1\r\n\r\n", .badContentLength),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\nContent-Length: +4\r\n\r\nabcd", .badContentLength),
        ("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 INVITE\r\nContent-Length: 10\r\n\r\nabc", .bodyTruncated),
    ])
    func refusedWithItsReason(text: String, kind: SIPError.Kind) {
        #expect(Self.kind(text) == kind, "\(text.debugDescription)")
    }

    /// A datagram the capture (or the live copy) cut short is `truncated`, not malformed.
    @Test func cutByTheSnaplen() {
        let full = SIPCallScript().request("INVITE", body: SIPCallScript.sdp(SIPCallScript().callerMedia))
        let bytes = Array(full.utf8)
        #expect(Self.kind(String(decoding: bytes[0..<200], as: UTF8.self), originalLength: bytes.count) == .truncated)
        #expect(Self.kind(String(decoding: bytes[0..<(bytes.count - 10)], as: UTF8.self), originalLength: bytes.count) == .truncated)
        #expect(Self.kind(String(decoding: bytes[0..<(bytes.count - 10)], as: UTF8.self)) == .bodyTruncated)
    }

    @Test func bounds() {
        let many = "OPTIONS sip:a@b SIP/2.0\r\n" + (0...SIPParser.maxHeaderLines).map { "X-H\($0): v" }.joined(separator: "\r\n") + "\r\n\r\n"
        #expect(Self.kind(many) == .tooLarge)
        let huge = "OPTIONS sip:a@b SIP/2.0\r\nX: " + String(repeating: "a", count: SIPParser.maxMessageBytes) + "\r\n\r\n"
        #expect(Self.kind(huge) == .tooLarge)
    }

    @Test func startsLikeSIP() {
        #expect(Self.startsLikeSIP("INVITE sip:bob@example.com SIP/2.0\r\n"))
        #expect(Self.startsLikeSIP("SIP/2.0 200 OK\r\n"))
        #expect(Self.startsLikeSIP("PUBLISH sips:presence@example.com SIP/2.0\n"))
        #expect(Self.startsLikeSIP("X-CUSTOM tel:+15551234 SIP/2.0\r\n"))
        #expect(!Self.startsLikeSIP("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"))
        #expect(!Self.startsLikeSIP("OPTIONS rtsp://example.com/media RTSP/1.0\r\n"))
        #expect(!Self.startsLikeSIP("GET / HTTP/1.1\r\n"))
        #expect(!Self.startsLikeSIP("INVITE sip:bob@example.com SIP/2.0"))   // first line never ends
        #expect(!Self.startsLikeSIP("invite sip:bob@example.com SIP/2.0\r\n"))
        #expect(!Self.startsLikeSIP("\u{80}\u{00}abcdefghijklmnop"))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let characters = Array(self), needle = Array(target)
        guard characters.count >= needle.count else { return self }
        for start in 0...(characters.count - needle.count) where Array(characters[start..<(start + needle.count)]) == needle {
            return String(characters[..<start]) + replacement + String(characters[(start + needle.count)...])
        }
        return self
    }
}

@Suite struct SIPNameAddressTests {
    @Test(arguments: [
        ("sip:alice@atlanta.example.com", "alice@atlanta.example.com"),
        ("sip:sipp@10.0.2.20:5060", "sipp@10.0.2.20"),
        ("sips:bob@[2001:db8::1]:5061;transport=tls", "bob@[2001:db8::1]"),
        ("sip:pbx.example.com", "pbx.example.com"),
        ("tel:+15551234567;phone-context=example.com", "+15551234567"),
        ("SIP:Carol@Chicago.example.com?Subject=hi", "Carol@Chicago.example.com"),
    ])
    func addressOfRecord(uri: String, expected: String) {
        #expect(SIPNameAddress(uri: uri).userAtHost == expected)
    }
}
